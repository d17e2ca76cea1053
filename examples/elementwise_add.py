"""Elementwise C = A (+|-|*) B over blocks of shared tiles.

    tt run examples/elementwise_add.py
    tt run examples/elementwise_add.py --param M=4096 --param N=4096 --param block_M=256 --param op='"mul"'
"""

import operator

import tt_cli
import tt_ir.language as T

OPS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul}


@tt_cli.jit(out_idx=[2])
def elementwise_add(M=1024, N=1024, block_M=64, block_N=128, op="add", dtype=T.bfloat16):
    combine = OPS[op]

    @T.prim_func
    def elementwise(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M), threads=128) as (bx, by):
            A_shared = T.alloc_shared((block_M, block_N), dtype)
            B_shared = T.alloc_shared((block_M, block_N), dtype)
            C_local = T.alloc_fragment((block_M, block_N), dtype)
            T.copy(A[by * block_M, bx * block_N], A_shared)
            T.copy(B[by * block_M, bx * block_N], B_shared)
            for i, j in T.Parallel(block_M, block_N):
                C_local[i, j] = combine(A_shared[i, j], B_shared[i, j])
            T.copy(C_local, C[by * block_M, bx * block_N])

    return elementwise


def reference(A, B, op="add"):
    """`tt run` passes the factory parameters that reference() names (here `op`)."""
    return OPS[op](A, B)
