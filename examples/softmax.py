"""Row softmax, one block of whole rows per core step, in the form TileLang kernels use:
statistics in float32 fragments, exp2 with the log2(e) scale, the division by the row sum
as a broadcast.

    y = exp2(x * log2e - max(x) * log2e) / sum(...)

The input block is cast on chip (bf16 -> fp32), reduced (row max, row sum: column vectors
of (block_M,) fragments), combined with broadcasts, and cast back on the copy out.

    tt run examples/softmax.py
    tt run examples/softmax.py --param M=512 --param N=1024 --param block_M=64
"""

import numpy as np

import tt_cli
import tt_ir.language as T

LOG2E = 1.44269504


@tt_cli.jit(out_idx=[1])
def softmax(M=256, N=256, block_M=32, dtype=T.bfloat16, accum_dtype=T.float32):
    @T.prim_func
    def softmax(X: T.Tensor((M, N), dtype), Y: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(M, block_M)) as bx:
            x_s = T.alloc_shared((block_M, N), dtype)
            x = T.alloc_fragment((block_M, N), accum_dtype)
            row_max = T.alloc_fragment((block_M,), accum_dtype)
            e = T.alloc_fragment((block_M, N), accum_dtype)
            row_sum = T.alloc_fragment((block_M,), accum_dtype)
            y = T.alloc_fragment((block_M, N), dtype)
            T.copy(X[bx * block_M, 0], x_s)
            T.copy(x_s, x)
            T.reduce_max(x, row_max, dim=1)
            for i, j in T.Parallel(block_M, N):
                e[i, j] = T.exp2(x[i, j] * LOG2E - row_max[i] * LOG2E)
            T.reduce_sum(e, row_sum, dim=1)
            for i, j in T.Parallel(block_M, N):
                y[i, j] = e[i, j] / row_sum[i]
            T.copy(y, Y[bx * block_M, 0])

    return softmax


def reference(X):
    e = np.exp(X - X.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def error_bound(X, dtype="bfloat16"):
    """fp32 statistics and exp2 (relative error ~2^-21 each, a handful of ops), one rounding
    to the output format: 2^-8 (bf16) / 2^-19 (fp32) of the largest value, plus 2^-24."""
    u = 2.0 ** -8 if str(dtype) == "bfloat16" else 2.0 ** -19
    return u * float(np.abs(reference(X)).max()) + 2.0 ** -24
