"""GEMM, C = A @ B or A @ B^T (transpose_B), any sizes that are multiples of 32.

    tt run examples/gemm.py
    tt run examples/gemm.py --param transpose_B=True --param M=256 --param N=512 --param K=128
"""

import numpy as np

import tt_cli
import tt_ir.language as T


@tt_cli.jit(out_idx=[2])
def gemm(M=512, N=512, K=512, block_M=128, block_N=128, block_K=64, num_stages=2, transpose_B=False,
         dtype=T.bfloat16, accum_dtype=T.float32):
    B_shape = (N, K) if transpose_B else (K, N)
    B_block = (block_N, block_K) if transpose_B else (block_K, block_N)

    @T.prim_func
    def gemm(A: T.Tensor((M, K), dtype), B: T.Tensor(B_shape, dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M), threads=128) as (bx, by):
            A_shared = T.alloc_shared((block_M, block_K), dtype)
            B_shared = T.alloc_shared(B_block, dtype)
            C_local = T.alloc_fragment((block_M, block_N), accum_dtype)
            T.clear(C_local)
            for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=num_stages):
                T.copy(A[by * block_M, k * block_K], A_shared)
                if transpose_B:
                    T.copy(B[bx * block_N, k * block_K], B_shared)
                else:
                    T.copy(B[k * block_K, bx * block_N], B_shared)
                T.gemm(A_shared, B_shared, C_local, transpose_B=transpose_B)
            T.copy(C_local, C[by * block_M, bx * block_N])

    return gemm


def reference(A, B, transpose_B=False):
    """`tt run` passes the factory parameters reference() names (here `transpose_B`)."""
    return A @ B.T if transpose_B else A @ B


def error_bound(A, B, transpose_B=False):
    a, b = np.abs(np.asarray(A, np.float64)), np.abs(np.asarray(B, np.float64))
    ref = np.abs(reference(np.asarray(A, np.float64), np.asarray(B, np.float64), transpose_B))
    return tt_cli.error_bound("bfloat16", float(ref.max()), k=A.shape[1], dot_scale=float(reference(a, b, transpose_B).max()))
