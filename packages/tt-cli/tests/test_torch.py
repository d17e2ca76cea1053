"""torch tensors in and out (where torch is installed) and TileLang's profiler."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import tt_cli
import tt_ir.language as T

HAS_TORCH = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed here (it is "
                                 "never a dependency); the torch bridge is tested where it is")


@tt_cli.jit(out_idx=[2])
def scaled_add(M=64, N=64, dtype=T.bfloat16):
    @T.prim_func
    def main(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(1) as bx:
            A_s = T.alloc_shared((M, N), dtype)
            B_s = T.alloc_shared((M, N), dtype)
            C_l = T.alloc_fragment((M, N), dtype)
            T.copy(A[bx * M, 0], A_s)
            T.copy(B[bx * M, 0], B_s)
            for i, j in T.Parallel(M, N):
                C_l[i, j] = A_s[i, j] * 2.0 + B_s[i, j]
            T.copy(C_l, C[bx * M, 0])

    return main


@needs_torch
def test_torch_in_torch_out():
    """bfloat16 torch tensors in, a torch.bfloat16 tensor out, equal to torch's own a * 2 + b
    (both round once to bf16 after an exact fp32 product... within one bf16 ulp)."""
    import torch

    a, b = torch.randn(64, 64).bfloat16(), torch.randn(64, 64).bfloat16()
    c = scaled_add()(a, b)
    assert isinstance(c, torch.Tensor) and c.dtype == torch.bfloat16 and c.shape == (64, 64)
    ref = a.double() * 2 + b.double()
    assert float((c.double() - ref).abs().max()) <= 2 ** -8 * float(ref.abs().max())


@needs_torch
def test_torch_output_in_place():
    import torch

    a, b = torch.ones(64, 64, dtype=torch.float32), torch.full((64, 64), 0.5)
    c = torch.zeros(64, 64)
    assert scaled_add(dtype=T.float32)(a, b, c) is None
    assert torch.equal(c, torch.full((64, 64), 2.5))


@needs_torch
def test_profiler_with_a_torch_reference():
    import torch

    profiler = scaled_add().get_profiler(tensor_supply_type=tt_cli.TensorSupplyType.Normal)
    profiler.assert_allclose(lambda a, b: a * 2 + b, rtol=1e-2, atol=1e-2)
    with pytest.raises(AssertionError, match="differ by more than atol"):
        profiler.assert_allclose(lambda a, b: a * 2 - b)
    assert profiler.do_bench() > 0 and profiler.do_bench(lambda a, b: torch.add(a, b)) > 0


@pytest.mark.skipif(HAS_TORCH, reason="torch is installed: the profiler hands it torch tensors "
                    "(test_profiler_with_a_torch_reference); this checks the numpy fallback")
def test_profiler_without_torch_uses_numpy():
    profiler = scaled_add(dtype=T.float32).get_profiler()
    profiler.assert_allclose(lambda a, b: np.asarray(a) * 2 + np.asarray(b), rtol=1e-5, atol=1e-5)
    with pytest.raises(AssertionError):
        profiler.assert_allclose(lambda a, b: np.asarray(a) * 2)


@tt_cli.jit
def splitk(A, B, C, split_k=2, block=64):
    M, N, K = T.const("M, N, K")
    A: T.Tensor((M, K), T.float16)
    B: T.Tensor((K, N), T.float16)
    C: T.Tensor((M, N), T.float32)
    with T.Kernel(N // block, M // block, split_k) as (bx, by, bz):
        A_s = T.alloc_shared((block, 32), T.float16)
        B_s = T.alloc_shared((32, block), T.float16)
        acc = T.alloc_fragment((block, block), T.float32)
        T.clear(acc)
        for ko in T.Pipelined(K // split_k // 32):
            T.copy(A[by * block, bz * (K // split_k) + ko * 32], A_s)
            T.copy(B[bz * (K // split_k) + ko * 32, bx * block], B_s)
            T.gemm(A_s, B_s, acc)
        for i, j in T.Parallel(block, block):
            T.atomic_add(C[by * block + i, bx * block + j], acc[i, j])


@needs_torch
def test_torch_inout_tensor_keeps_its_values():
    """An inout torch tensor (T.atomic_add's target) is read with its values and filled in place."""
    import torch

    a, b = torch.randn(64, 128).half(), torch.randn(128, 64).half()
    c = torch.ones(64, 64)
    splitk(a, b, c)
    ref = 1.0 + a.double() @ b.double()
    assert float((c.double() - ref).abs().max()) <= 1e-3


@needs_torch
def test_dtype_as_torch():
    """`T.bfloat16.as_torch()` (TileLang tests build their inputs with it) is torch's dtype."""
    import torch

    assert (T.bfloat16.as_torch(), T.float16.as_torch(), T.float32.as_torch(), T.float.as_torch()) == \
        (torch.bfloat16, torch.float16, torch.float32, torch.float32)
