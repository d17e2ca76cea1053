"""The parts of a row softmax, one block of whole rows per core step: the numerator
exp(x - rowmax(x)) on chip (a reduction, a broadcast and an SFPU op in one kernel) and
the row sums of x (column 0 of an (M, 32) tensor).

The full softmax needs the row sums of the numerator, i.e. a reduction of an on-chip
value; that is refused today with a clear message ("the source of a T.reduce_* must be a
block copied from a tensor"), so this kernel stops at the parts. `reference` checks both.

    tt run examples/softmax.py
"""

import numpy as np

import tt_cli
import tt_ir.language as T


@tt_cli.jit(out_idx=[1, 2])
def softmax_parts(M=256, N=256, block_M=64, dtype=T.bfloat16):
    @T.prim_func
    def softmax_parts(A: T.Tensor((M, N), dtype), E: T.Tensor((M, N), dtype), S: T.Tensor((M, 32), dtype)):
        with T.Kernel(T.ceildiv(M, block_M)) as bx:
            A_l = T.alloc_fragment((block_M, N), dtype)
            A2_l = T.alloc_fragment((block_M, N), dtype)
            M_l = T.alloc_fragment((block_M,), dtype)
            E_l = T.alloc_fragment((block_M, N), dtype)
            S_l = T.alloc_fragment((block_M, 1), dtype)
            T.copy(A[bx * block_M, 0], A_l)
            T.copy(A[bx * block_M, 0], A2_l)
            T.reduce_max(A_l, M_l, dim=1)
            for i, j in T.Parallel(block_M, N):
                E_l[i, j] = T.exp(A2_l[i, j] - M_l[i])
            T.copy(E_l, E[bx * block_M, 0])
            T.reduce_sum(A2_l, S_l, dim=1)
            T.copy(S_l, S[bx * block_M, 0])

    return softmax_parts


def reference(A):
    """exp(x - rowmax) and, in column 0 of an (M, 32) tensor, the row sums of x."""
    e = np.exp(A - A.max(axis=1, keepdims=True))
    s = np.zeros((A.shape[0], 32))
    s[:, 0] = A.sum(axis=1)
    return e, s
