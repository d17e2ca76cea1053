"""Selects on values: `T.if_then_else` whose condition compares tiles, not indices.

A leaky ReLU written as a select (`x if x > 0 else slope * x`), a one-hot mark of each row's
maximum (`x == rowmax`, as top-k kernels find their argmax) and a clip of the far tail to -inf
(`-inf if x < floor else 0`), on one block per core. The condition becomes a 1.0 / 0.0 tile
(the SFPU's sign tests, gtz / eqz ..., of a difference) and the SFPU's where_tile picks a
branch, so a branch may be infinite.

    tt run examples/selects.py
"""

import numpy as np

import tt_cli
import tt_ir.language as T


@tt_cli.jit(out_idx=[-1])
def select(M=128, N=256, block_M=32, slope=0.125, floor=-2.5, dtype=T.float32):

    @T.prim_func
    def leaky_and_argmax(X: T.Tensor((M, N), dtype), Y: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(M, block_M)) as bm:
            x = T.alloc_shared((block_M, N), dtype)
            top = T.alloc_fragment((block_M,), dtype)
            y = T.alloc_fragment((block_M, N), dtype)
            T.copy(X[bm * block_M, 0], x)
            T.reduce_max(x, top, dim=1)
            for i, j in T.Parallel(block_M, N):
                y[i, j] = T.if_then_else(x[i, j] > 0, x[i, j], slope * x[i, j]) \
                    + T.if_then_else(x[i, j] == top[i], 1.0, 0.0) \
                    + T.if_then_else(x[i, j] < floor, -T.infinity(dtype), 0.0)
            T.copy(y, Y[bm * block_M, 0])

    return leaky_and_argmax


def reference(X, slope=0.125, floor=-2.5):
    X = np.asarray(X, np.float64)
    return np.where(X > 0, X, slope * X) + (X == X.max(axis=1, keepdims=True)) \
        + np.where(X < floor, -np.inf, 0.0)
