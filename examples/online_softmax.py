"""Online softmax, one row per block, in the structure of TileLang's online_softmax example:
a first pass over the row in BN-wide pieces keeps a running log-sum-exp (lse) in a
one-element fragment, a second pass writes exp2(x * log2e - lse).

On Tenstorrent a tile holds 32 rows, so the compiler runs 32 of these one-row blocks
together (canonicalize_tile_program's row coarsening): the [BN] fragments become
[32, BN] blocks and the one-element ones (32,) vectors. The index mask
`j + k * BN < N` always holds when N is a multiple of BN, and is dropped.

    tt run examples/online_softmax.py
    tt run examples/online_softmax.py --param N=1024 --param BN=256
"""

import numpy as np

import tt_cli
import tt_ir.language as T

LOG2E = 1.44269504


@tt_cli.jit(out_idx=[1])
def online_softmax(M=128, N=512, BN=256, dtype=T.bfloat16):
    NN = tt_cli.cdiv(N, BN)
    accum = T.float32

    @T.prim_func
    def online_softmax(X: T.Tensor((M, N), dtype), Y: T.Tensor((M, N), dtype)):
        with T.Kernel(M) as row:
            x = T.alloc_fragment([BN], dtype)
            y = T.alloc_fragment([BN], dtype)
            lse = T.alloc_fragment([1], accum)
            row_max = T.alloc_fragment([1], accum)
            e = T.alloc_fragment([BN], accum)
            row_sum = T.alloc_fragment([1], accum)
            T.fill(lse, -T.infinity(accum))
            for k in T.Pipelined(0, NN):
                T.copy(X[row, k * BN:(k + 1) * BN], x)
                T.reduce_max(x, row_max, dim=0, clear=True)
                for j in T.Parallel(BN):
                    e[j] = T.if_then_else(j + k * BN < N, T.exp2(x[j] * LOG2E - row_max[0] * LOG2E), 0)
                T.reduce_sum(e, row_sum, dim=0, clear=True)
                lse[0] = row_max[0] * LOG2E + T.log2(T.exp2(lse[0] - row_max[0] * LOG2E) + row_sum[0])
            for k in T.Pipelined(0, NN):
                T.copy(X[row, k * BN:(k + 1) * BN], x)
                for j in T.Parallel(BN):
                    if j + k * BN < N:
                        y[j] = T.exp2(x[j] * LOG2E - lse[0])
                T.copy(y, Y[row, k * BN:(k + 1) * BN])

    return online_softmax


def reference(X):
    e = np.exp(X - X.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def error_bound(X, dtype="bfloat16"):
    """fp32 statistics; exp2(x*log2e - lse) evaluated in fp32 (the lse carries ~2^-20 of
    relative error per piece, libm exp2/log2 on the emulator) and rounded once to the
    output: 2^-8 (bf16) / 2^-18 (fp32) of the largest value."""
    u = 2.0 ** -8 if str(dtype) == "bfloat16" else 2.0 ** -18
    return u * float(np.abs(reference(X)).max()) + 2.0 ** -24
