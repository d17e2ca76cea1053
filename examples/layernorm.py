"""Layer norm forward over rows, in the structure of TileLang's layernorm example:
y = (x - mean) * rstd * gamma + beta, with Mean and Rstd written as (N,) tensors.

bf16 tensors, fp32 statistics: the block is cast on chip, squared and reduced twice (row
sums of x and x^2), the statistics are a T.Parallel over the row vectors that also stores
them to the rank-1 Mean / Rstd tensors (a column vector transposed into a row of tiles),
and gamma / beta are rank-1 tensors read as row vectors (G[j]).

    tt run examples/layernorm.py
    tt run examples/layernorm.py --param N=256 --param D=512
"""

import numpy as np

import tt_cli
import tt_ir.language as T


@tt_cli.jit(out_idx=[-3, -2, -1])
def layernorm(N=128, D=256, eps=1e-5, block_M=32, in_dtype=T.bfloat16, out_dtype=T.bfloat16):
    accum = T.float32

    @T.prim_func
    def layernorm(X: T.Tensor((N, D), in_dtype), G: T.Tensor((D,), in_dtype),
                  Bt: T.Tensor((D,), in_dtype), Y: T.Tensor((N, D), out_dtype),
                  Mean: T.Tensor((N,), accum), Rstd: T.Tensor((N,), accum)):
        with T.Kernel(T.ceildiv(N, block_M)) as bx:
            x_s = T.alloc_shared((block_M, D), in_dtype)
            g_s = T.alloc_shared((D,), in_dtype)
            b_s = T.alloc_shared((D,), in_dtype)
            x = T.alloc_fragment((block_M, D), accum)
            x2 = T.alloc_fragment((block_M, D), accum)
            s1 = T.alloc_fragment((block_M,), accum)
            s2 = T.alloc_fragment((block_M,), accum)
            mu = T.alloc_fragment((block_M,), accum)
            rs = T.alloc_fragment((block_M,), accum)
            T.copy(X[bx * block_M, 0], x_s)
            T.copy(G, g_s)
            T.copy(Bt, b_s)
            for i, j in T.Parallel(block_M, D):
                x[i, j] = T.Cast(accum, x_s[i, j])
            for i, j in T.Parallel(block_M, D):
                x2[i, j] = x[i, j] * x[i, j]
            T.reduce_sum(x, s1, dim=1)
            T.reduce_sum(x2, s2, dim=1)
            for i in T.Parallel(block_M):
                mu[i] = s1[i] * (1.0 / D)
                rs[i] = T.rsqrt(s2[i] * (1.0 / D) - mu[i] * mu[i] + eps)
                Mean[bx * block_M + i] = mu[i]
                Rstd[bx * block_M + i] = rs[i]
            for i, j in T.Parallel(block_M, D):
                centered = (x[i, j] - mu[i]) * rs[i]
                x_s[i, j] = T.Cast(out_dtype, centered * T.Cast(accum, g_s[j]) + T.Cast(accum, b_s[j]))
            T.copy(x_s, Y[bx * block_M, 0])

    return layernorm


def reference(X, G, Bt, eps=1e-5):
    mean = X.mean(axis=1)
    rstd = 1.0 / np.sqrt(X.var(axis=1) + eps)
    return (X - mean[:, None]) * rstd[:, None] * G + Bt, mean, rstd


def error_bound(X, G, Bt, eps=1e-5):
    """One bound per output. fp32 statistics: Mean and Rstd within a few fp32 ulps (2^-20
    of their largest value); y rounds once to bf16: 2^-8 of max |y|, plus the statistics'
    fp32 error carried through (2^-16 of max rstd)."""
    y, mean, rstd = reference(X, G, Bt, eps)
    return (2.0 ** -8 * float(np.abs(y).max()) + 2.0 ** -16 * float(rstd.max()),
            2.0 ** -20 * float(np.abs(X).max()), 2.0 ** -20 * float(rstd.max()))
