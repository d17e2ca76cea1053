"""TileLang's older Python surface: bare `@tt_cli.jit`, `T.Tensor[shape, dtype]`, `T.clamp`."""

from __future__ import annotations

import ml_dtypes
import numpy as np

import tt_cli
import tt_ir.language as T


@tt_cli.jit
def clamped_add(M, N, lo=-0.5, hi=0.75, block=64):
    @T.prim_func
    def main(A: T.Tensor[(M, N), T.bfloat16], B: T.Tensor[(M, N), T.bfloat16],
             C: T.Tensor[(M, N), T.bfloat16]):
        with T.Kernel(T.ceildiv(N, block), T.ceildiv(M, block)) as (bx, by):
            A_s = T.alloc_shared((block, block), "bfloat16")
            B_s = T.alloc_shared((block, block), "bfloat16")
            C_l = T.alloc_fragment((block, block), "bfloat16")
            T.copy(A[by * block, bx * block], A_s)
            T.copy(B[by * block, bx * block], B_s)
            for i, j in T.Parallel(block, block):
                C_l[i, j] = T.clamp(A_s[i, j] + B_s[i, j], lo, hi)
            T.copy(C_l, C[by * block, bx * block])

    return main


def test_bare_jit_subscript_annotations_and_clamp():
    """The kernel's written tensor is its output (no out_idx); C = clamp(A + B) to within the
    bf16 rounding of the sum (one rounding at pack: 2^-8 relative)."""
    rng = np.random.default_rng(0)
    a, b = (rng.uniform(-1, 1, (128, 128)).astype(ml_dtypes.bfloat16) for _ in range(2))
    kernel = clamped_add(128, 128)
    assert isinstance(clamped_add, tt_cli.JitKernel) and kernel.out_idx == [2]
    c = np.asarray(kernel(a, b), np.float64)
    ref = np.clip(a.astype(np.float64) + b.astype(np.float64), -0.5, 0.75)
    assert np.abs(c - ref).max() <= 2 ** -8 * 2
    assert c.min() == -0.5 and c.max() == 0.75
