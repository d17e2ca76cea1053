"""TileLang's quickstart: C = relu(A @ B), 1024^3, blocks 128/128/32, 3 pipeline stages.

Ported from TileLang by changing the import line. Run it on the emulator:

    tt run examples/quickstart.py
"""

import numpy as np

import tt_cli
import tt_ir.language as T


@tt_cli.jit(out_idx=[2])
def matmul(M=1024, N=1024, K=1024, block_M=128, block_N=128, block_K=32, dtype=T.bfloat16, accum_dtype=T.float32):
    @T.prim_func
    def gemm_relu(
        A: T.Tensor((M, K), dtype),
        B: T.Tensor((K, N), dtype),
        C: T.Tensor((M, N), dtype),
    ):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M), threads=128) as (bx, by):
            A_shared = T.alloc_shared((block_M, block_K), dtype)
            B_shared = T.alloc_shared((block_K, block_N), dtype)
            C_local = T.alloc_fragment((block_M, block_N), accum_dtype)
            T.clear(C_local)
            for ko in T.Pipelined(T.ceildiv(K, block_K), num_stages=3):
                T.copy(A[by * block_M, ko * block_K], A_shared)
                T.copy(B[ko * block_K, bx * block_N], B_shared)
                T.gemm(A_shared, B_shared, C_local)
            for i, j in T.Parallel(block_M, block_N):
                C_local[i, j] = T.max(C_local[i, j], 0)
            T.copy(C_local, C[by * block_M, bx * block_N])

    return gemm_relu


def reference(A, B):
    return np.maximum(A @ B, 0.0)


def error_bound(A, B):
    """bf16 output of a K-long fp32-accumulated dot product (see tt_cli._check)."""
    a, b = np.abs(np.asarray(A, np.float64)), np.abs(np.asarray(B, np.float64))
    ref = np.abs(reference(np.asarray(A, np.float64), np.asarray(B, np.float64)))
    return tt_cli.error_bound("bfloat16", float(ref.max()), k=A.shape[1], dot_scale=float((a @ b).max()))


if __name__ == "__main__":
    import ml_dtypes

    kernel = matmul()
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (1024, 1024)).astype(ml_dtypes.bfloat16)
    b = rng.uniform(-1, 1, (1024, 1024)).astype(ml_dtypes.bfloat16)
    c = kernel(a, b)
    print(tt_cli.check(c, reference(a.astype(np.float64), b.astype(np.float64)), "bfloat16", bound=error_bound(a, b)))
