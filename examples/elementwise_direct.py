"""Elementwise C = A * alpha + B written straight on the tensors, TileLang's elementwise idiom.

The T.Parallel nest indexes the global tensors itself (`C[y, x] = A[y, x] ...`, with the
block origin in scalar locals); the compiler stages each tensor through an on-chip block
(canonicalize_tile_program), exactly as if the kernel had copied it.

    tt run examples/elementwise_direct.py
    tt run examples/elementwise_direct.py --param M=1024 --param N=512 --param block_M=64
"""

import tt_cli
import tt_ir.language as T


@tt_cli.jit(out_idx=[-1])
def elementwise_direct(M=512, N=1024, block_M=32, block_N=64, alpha=2.0, dtype=T.float32):

    @T.prim_func
    def axpy(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M), threads=128) as (bx, by):
            row0 = by * block_M
            col0 = bx * block_N
            for local_y, local_x in T.Parallel(block_M, block_N):
                y = row0 + local_y
                x = col0 + local_x
                C[y, x] = A[y, x] * alpha + B[y, x]

    return axpy


def reference(A, B, alpha=2.0):
    return A * alpha + B
