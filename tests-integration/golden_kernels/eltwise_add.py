import tt_ir.language as T  # the golden eltwise_add kernel: its generated comments cite these line numbers


@T.prim_func
def eltwise_add(A: T.Tensor((256, 256), T.bfloat16), B: T.Tensor((256, 256), T.bfloat16), C: T.Tensor((256, 256), T.bfloat16)):
    with T.Kernel(2, 4) as (bx, by):
        A_shared = T.alloc_shared((64, 128), T.bfloat16)
        B_shared = T.alloc_shared((64, 128), T.bfloat16)
        C_local = T.alloc_fragment((64, 128), T.bfloat16)
        T.copy(A[by * 64, bx * 128], A_shared)
        T.copy(B[by * 64, bx * 128], B_shared)
        for i, j in T.Parallel(64, 128):
            C_local[i, j] = A_shared[i, j] + B_shared[i, j]
        T.copy(C_local, C[by * 64, bx * 128])
