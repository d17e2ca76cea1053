"""Prefix sums (`T.cumsum`) of blocks along rows or columns, forward or reversed.

As TileLang writes it: a block (or a piece of a vector) is copied on chip, scanned in place
(or into another block) along `dim`, and copied out. Each block is scanned on its own, as TileLang's scan tests do.
No Tensix engine scans, so the compiler makes the scan a GEMM with a triangle of ones the
reader generates (`B = A @ U`, U[k, j] = 1 where k <= j, for dim 1; `L @ A` for dim 0):
the FPU's products are exact, the sums are float32 and rounded once to the block's dtype.
(Silicon's FPU takes float32 operands at reduced precision; the emulator multiplies in fp32.)

    tt run examples/scan.py --kernel cumsum
    tt run examples/scan.py --kernel cumsum --param dim=1 --param reverse=True
    tt run examples/scan.py --kernel cumsum_vector
"""

import numpy as np

import tt_cli
import tt_ir.language as T


@tt_cli.jit(out_idx=[-1])
def cumsum(M=128, N=128, block_M=64, block_N=64, dim=0, reverse=False, on="shared", dtype=T.float32):
    alloc = T.alloc_shared if on == "shared" else T.alloc_fragment

    @T.prim_func
    def scan(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            a = alloc((block_M, block_N), dtype)
            T.copy(A[by * block_M, bx * block_N], a)
            T.cumsum(a, dim=dim, reverse=reverse)
            T.copy(a, B[by * block_M, bx * block_N])

    return scan


@tt_cli.jit(out_idx=[-1])
def cumsum_vector(N=256, block=64, reverse=False, dtype=T.float32):
    """The prefix sums of each `block` elements of a vector (a vector is scanned as the rows of
    a (32, block) block it is broadcast into)."""

    @T.prim_func
    def scan(A: T.Tensor((N,), dtype), B: T.Tensor((N,), dtype)):
        with T.Kernel(T.ceildiv(N, block)) as bx:
            a = T.alloc_shared((block,), dtype)
            T.copy(A[bx * block], a)
            T.cumsum(a, reverse=reverse)
            T.copy(a, B[bx * block])

    return scan


def cumsum_vector_reference(A, block=64, reverse=False):
    """The block-wise prefix sums of a vector, in float64."""
    return reference(np.asarray(A).reshape(1, -1), block_M=1, block_N=block, dim=1, reverse=reverse).reshape(-1)


def cumsum_vector_error_bound(A, block=64, reverse=False, dtype="float32"):
    """As `error_bound`, over the vector's pieces."""
    return error_bound(np.asarray(A).reshape(1, -1), dtype, block_M=1, block_N=block, dim=1, reverse=reverse)


def reference(A, block_M=64, block_N=64, dim=0, reverse=False):
    """The block-wise prefix sums, in float64."""
    M, N = A.shape
    blocks = np.asarray(A, np.float64).reshape(M // block_M, block_M, N // block_N, block_N)
    axis = 1 if dim == 0 else 3
    if reverse:
        return np.flip(np.cumsum(np.flip(blocks, axis), axis), axis).reshape(M, N)
    return np.cumsum(blocks, axis).reshape(M, N)


def error_bound(A, dtype="float32", **how):
    """One rounding at pack to the block's dtype (the products are exact, the sums float32:
    their error is far below a bfloat16 ulp), doubled: 2 * 2^-8 * max |prefix| for bfloat16,
    float32's own summation error for float32."""
    magnitude = float(np.abs(reference(np.abs(A), **how)).max())
    length = how.get("block_M", 64) if how.get("dim", 0) == 0 else how.get("block_N", 64)
    return magnitude * (2.0 * 2.0**-8 if str(dtype) == "bfloat16" else 1e-6 * length)


if __name__ == "__main__":
    a = np.random.default_rng(0).uniform(-1, 1, (128, 128)).astype(np.float32)
    for dim in (0, 1):
        b = cumsum(dim=dim, reverse=True)(a)
        print(f"dim {dim}, reversed: max |error| {np.abs(b - reference(a, dim=dim, reverse=True)).max():.2e}")
