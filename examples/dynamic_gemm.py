"""GEMM with runtime sizes: M, N and K are `T.dynamic`, so one compiled kernel serves every
shape whose sizes are multiples of the blocks (the kernels read M / block_M, N / block_N and
K / block_K as runtime arguments; the host reads the sizes from the inputs).

    tt run examples/dynamic_gemm.py --size m=512 --size n=256 --size k=128
    python examples/dynamic_gemm.py          # one compile, three shapes
"""

import numpy as np

import tt_cli
import tt_ir.language as T


@tt_cli.jit(out_idx=[2])
def dynamic_gemm(block_M=64, block_N=64, block_K=32, dtype=T.bfloat16, accum_dtype=T.float32):
    M, N, K = T.dynamic("m"), T.dynamic("n"), T.dynamic("k")

    @T.prim_func
    def gemm(A: T.Tensor((M, K), dtype), B: T.Tensor((K, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M), threads=128) as (bx, by):
            A_shared = T.alloc_shared((block_M, block_K), dtype)
            B_shared = T.alloc_shared((block_K, block_N), dtype)
            C_local = T.alloc_fragment((block_M, block_N), accum_dtype)
            T.clear(C_local)
            for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=2):
                T.copy(A[by * block_M, k * block_K], A_shared)
                T.copy(B[k * block_K, bx * block_N], B_shared)
                T.gemm(A_shared, B_shared, C_local)
            T.copy(C_local, C[by * block_M, bx * block_N])

    return gemm


def reference(A, B):
    return A @ B


def error_bound(A, B):
    a, b = np.abs(np.asarray(A, np.float64)), np.abs(np.asarray(B, np.float64))
    return tt_cli.error_bound("bfloat16", float(np.abs(reference(A, B)).max()), k=A.shape[1],
                              dot_scale=float(reference(a, b).max()))


if __name__ == "__main__":
    kernel = tt_cli.compile(dynamic_gemm.factory(), out_idx=[2])
    rng = np.random.default_rng(0)
    for m, n, k in [(64, 64, 32), (256, 128, 96), (512, 320, 256)]:
        a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (k, n)).astype(np.float32)
        c = np.asarray(kernel(a, b), np.float64)
        err = np.abs(c - reference(a, b)).max()
        print(f"M={m} N={n} K={k}: max error {err:.3g} (bound {error_bound(a, b):.3g})")
