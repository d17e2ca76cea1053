"""A rotation by per-element angles, and a softplus: the SFPU's sine, cosine and log1p.

Rotary position embeddings turn each pair (x, y) of a row by an angle; with the angles given
as a tensor, the rotated first half is `x * cos(theta) - y * sin(theta)`. Its second output is
softplus of the first, `log1p(exp(r))`, as a gated activation would use it. Each is one
`T.Parallel` expression over three blocks: the SFPU computes cos, sin, exp and log1p tile by
tile in DST, the FPU the products.

    tt run examples/rotary.py
"""

import numpy as np

import tt_cli
import tt_ir.language as T


@tt_cli.jit(out_idx=[-2, -1])
def rotary(M=128, N=256, block_M=32, block_N=128, dtype=T.float32):

    @T.prim_func
    def rotate_softplus(X: T.Tensor((M, N), dtype), Y: T.Tensor((M, N), dtype),
                        Theta: T.Tensor((M, N), dtype), R: T.Tensor((M, N), dtype),
                        S: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            x = T.alloc_shared((block_M, block_N), dtype)
            y = T.alloc_shared((block_M, block_N), dtype)
            theta = T.alloc_shared((block_M, block_N), dtype)
            r = T.alloc_fragment((block_M, block_N), dtype)
            s = T.alloc_fragment((block_M, block_N), dtype)
            T.copy(X[by * block_M, bx * block_N], x)
            T.copy(Y[by * block_M, bx * block_N], y)
            T.copy(Theta[by * block_M, bx * block_N], theta)
            for i, j in T.Parallel(block_M, block_N):
                r[i, j] = x[i, j] * T.cos(theta[i, j]) - y[i, j] * T.sin(theta[i, j])
            for i, j in T.Parallel(block_M, block_N):
                s[i, j] = T.log1p(T.exp(r[i, j]))
            T.copy(r, R[by * block_M, bx * block_N])
            T.copy(s, S[by * block_M, bx * block_N])

    return rotate_softplus


def reference(X, Y, Theta):
    X, Y, Theta = (np.asarray(a, np.float64) for a in (X, Y, Theta))
    r = X * np.cos(Theta) - Y * np.sin(Theta)
    return [r, np.log1p(np.exp(r))]


def error_bound(X, Y, Theta, dtype="float32"):
    """Per output: 2 * (n + 1) units in the last place of the largest magnitude the output's
    expression passes through (n: the ops that round: cos, sin, two products and the
    difference; then exp and log1p of r, whose magnitudes stay below e^max|r| + 1)."""
    ulp = 2.0 ** -23 if str(dtype) == "float32" else 2.0 ** -7
    big = float((np.abs(np.asarray(X, np.float64)) + np.abs(np.asarray(Y, np.float64))).max())
    return [2 * 6 * ulp * big, 2 * 8 * ulp * (np.exp(big) + 1.0)]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    x, y, theta = (rng.uniform(-1, 1, (128, 256)).astype(np.float32) for _ in range(3))
    r, s = rotary()(x, y, theta)
    want_r, want_s = reference(x, y, theta)
    print("max |r - numpy|:", float(np.abs(r - want_r).max()), " max |softplus - numpy|:",
          float(np.abs(s - want_s).max()))
