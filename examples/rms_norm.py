"""RMS norm, y = x * (1 / sqrt(mean(x^2)) + 1e-12) over each row, two ways.

`rms_norm`: a block holds whole rows; the block is copied on chip, squared, reduced to a
row vector, turned into its scale by a T.Parallel over the vector, and multiplied in
place (a broadcast) before the copy out.

`rms_norm_splitk`: rows split into block_K columns; the squares are accumulated in a
fragment over a first K loop (a loop-carried on-chip value), reduced once, and a second
K loop (reversed, for cache reuse on GPUs) reloads and scales each block.

    tt run examples/rms_norm.py --kernel rms_norm
    tt run examples/rms_norm.py --kernel rms_norm_splitk --param N=1024 --param block_K=128
"""

import numpy as np

import tt_cli
import tt_ir.language as T


@tt_cli.jit(out_idx=[-1])
def rms_norm(M=256, N=256, block_M=32, dtype=T.float32):
    @T.prim_func
    def rms_norm(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(M, block_M)) as bx:
            A_shared = T.alloc_shared((block_M, N), dtype)
            A_pow_local = T.alloc_fragment((block_M, N), dtype)
            A_local = T.alloc_fragment((block_M, N), dtype)
            A_powsum = T.alloc_fragment((block_M,), dtype)
            T.copy(A[bx * block_M:(bx + 1) * block_M, :], A_shared)
            T.copy(A_shared, A_local)
            for i, j in T.Parallel(block_M, N):
                A_pow_local[i, j] = A_local[i, j] * A_local[i, j]
            T.reduce_sum(A_pow_local, A_powsum, dim=1)
            for i in T.Parallel(block_M):
                A_powsum[i] = T.rsqrt(A_powsum[i] / N) + 1e-12
            for i, j in T.Parallel(block_M, N):
                A_local[i, j] *= A_powsum[i]
            T.copy(A_local, B[bx * block_M:(bx + 1) * block_M, :])

    return rms_norm


@tt_cli.jit(out_idx=[-1])
def rms_norm_splitk(M=256, N=512, block_M=32, block_K=128, dtype=T.float32):
    @T.prim_func
    def rms_norm_splitk(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(M, block_M)) as bx:
            A_shared = T.alloc_shared((block_M, block_K), dtype)
            A_local = T.alloc_fragment((block_M, block_K), dtype)
            A_powsum = T.alloc_fragment((block_M,), dtype)
            num_k = T.ceildiv(N, block_K)
            T.clear(A_local)
            for k in range(num_k):
                T.copy(A[bx * block_M, k * block_K], A_shared)
                for i, j in T.Parallel(block_M, block_K):
                    A_local[i, j] += A_shared[i, j] * A_shared[i, j]
            T.reduce_sum(A_local, A_powsum, dim=1)
            for i in T.Parallel(block_M):
                A_powsum[i] = T.rsqrt(A_powsum[i] / N) + 1e-12
            for k in range(num_k):
                T.copy(A[bx * block_M, (num_k - 1 - k) * block_K], A_shared)
                for i, j in T.Parallel(block_M, block_K):
                    A_shared[i, j] *= A_powsum[i]
                T.copy(A_shared, B[bx * block_M, (num_k - 1 - k) * block_K])

    return rms_norm_splitk


def reference(A):
    return A * (1.0 / np.sqrt((A * A).mean(axis=1, keepdims=True)) + 1e-12)


def error_bound(A, dtype="float32"):
    """fp32: each of ~N-term sums and ~5 ops rounds at 2^-24 relative: 2^-17 of |y| is
    ample. bf16 (every on-chip value bf16): ~6 roundings at 2^-9: 2^-5 of |y|, both of the
    largest |y| (tt run and the corpus compare with one absolute bound)."""
    u = 2.0 ** -17 if str(dtype) == "float32" else 2.0 ** -5
    return u * float(np.abs(reference(A)).max()) + 2.0 ** -24
