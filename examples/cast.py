"""Format conversion between tensors: bfloat16, float16 and float32, either way.

Two ways TileLang kernels write a cast: a `T.copy` straight from one tensor to another of a
different dtype, a block per core (the compiler stages the block on chip; packing into the
output's CB converts it), and a rank-1 tensor moved through fragments with an elementwise
`T.Parallel` over a vector in between. Both round to nearest even, as numpy's `astype` does.

bfloat16 and float16 tiles do not meet in one program: tt-metal builds it only when its tiles
agree on the exponent width (bfloat16's 8 bits, float16's 5). Between the two, the compiler
reads the input into a float32 CB and the reader widens each tile there (exact), so the
program holds float32 and the output's format only.

    tt run examples/cast.py --kernel cast_copy
    tt run examples/cast.py --kernel cast_vector --param src=float32 --param dst=bfloat16
"""

import ml_dtypes
import numpy as np

import tt_cli
import tt_ir.language as T


@tt_cli.jit(out_idx=[-1])
def cast_copy(M=256, N=512, block_M=64, block_N=128, src=T.float32, dst=T.bfloat16):

    @T.prim_func
    def convert(A: T.Tensor((M, N), src), B: T.Tensor((M, N), dst)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            T.copy(A[by * block_M:(by + 1) * block_M, bx * block_N:(bx + 1) * block_N],
                   B[by * block_M:(by + 1) * block_M, bx * block_N:(bx + 1) * block_N])

    return convert


@tt_cli.jit(out_idx=[-1])
def cast_vector(M=512, src=T.float16, dst=T.float32):

    @T.prim_func
    def convert(A: T.Tensor[(M,), src], B: T.Tensor[(M,), dst]):
        with T.Kernel(1):
            a = T.alloc_fragment((M,), src)
            b = T.alloc_fragment((M,), dst)
            T.copy(A, a)
            for i in T.Parallel(M):
                b[i] = a[i]
            T.copy(b, B)

    return convert


def reference(A, dst):
    """A in the output's dtype (numpy rounds to nearest even, as the packer does)."""
    host = {"bfloat16": ml_dtypes.bfloat16, "float16": np.float16, "float32": np.float32}
    return np.asarray(A).astype(host[str(dst)])
