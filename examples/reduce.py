"""Row or column reduction (sum or max) of a matrix.

Tiles are 32x32, so a reduced output keeps 32 columns (or rows): a row reduction of an
(M, N) tensor is written to column 0 of an (M, 32) tensor (the rest is zero), a column
reduction to row 0 of a (32, N) tensor. A block holds whole rows (or whole columns).

    tt run examples/reduce.py
    tt run examples/reduce.py --param kind='"max"' --param dim=0
"""

import numpy as np

import tt_cli
import tt_ir.language as T


@tt_cli.jit(out_idx=[1])
def reduce(M=256, N=256, block=64, kind="sum", dim=1, dtype=T.bfloat16):
    op = {"sum": T.reduce_sum, "max": T.reduce_max}[kind]
    if dim == 1:

        @T.prim_func
        def row_reduce(A: T.Tensor((M, N), dtype), S: T.Tensor((M, 32), dtype)):
            with T.Kernel(T.ceildiv(M, block)) as bx:
                A_l = T.alloc_fragment((block, N), dtype)
                S_l = T.alloc_fragment((block, 1), dtype)
                T.copy(A[bx * block, 0], A_l)
                op(A_l, S_l, dim=1)
                T.copy(S_l, S[bx * block, 0])

        return row_reduce

    @T.prim_func
    def col_reduce(A: T.Tensor((M, N), dtype), S: T.Tensor((32, N), dtype)):
        with T.Kernel(T.ceildiv(N, block)) as bx:
            A_l = T.alloc_fragment((M, block), dtype)
            S_l = T.alloc_fragment((block,), dtype)
            T.copy(A[0, bx * block], A_l)
            op(A_l, S_l, dim=0)
            T.copy(S_l, S[0, bx * block])

    return col_reduce


def reference(A, kind="sum", dim=1):
    """The reduction in column 0 (row 0) of the padded output; zeros elsewhere."""
    values = A.sum(axis=dim) if kind == "sum" else A.max(axis=dim)
    if dim == 1:
        out = np.zeros((A.shape[0], 32))
        out[:, 0] = values
    else:
        out = np.zeros((32, A.shape[1]))
        out[0, :] = values
    return out


def error_bound(A, kind="sum", dim=1):
    """A sum rounds once at pack (half a bf16 ulp of |sum|, doubled); a max is exact."""
    if kind == "max":
        return 0.0
    return 2.0 * 2.0**-8 * float(np.abs(np.asarray(A, np.float64)).sum(axis=dim).max())
