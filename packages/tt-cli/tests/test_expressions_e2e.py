"""Elementwise expression trees in T.Parallel, compiled and run on the emulator vs numpy.

Error bound. Inputs are rounded to the tensor dtype on the host (the reference starts
from the same rounded values, so that rounding costs nothing). Every op of the chain
may then round its result once more: in bf16 DST (8 significant bits) by at most one
ulp, 2^-7 of its magnitude (truncating SFPU stores), and the final pack by half an
ulp. With n ops and every intermediate bounded by R (the largest |value| the
reference passes through), |got - want| <= (n + 1) * 2^-7 * R; we allow twice that:
2 * (n + 1) ulp of R. fp32 tensors: the same with 2^-23 (plus the SFPU's transcendental
error, also covered by the factor 2 on the emulator, which is exact in fp32).
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

import tt_cli
import tt_ir.language as T
from tt_passes._tileops import SFPU_UNARY

BF16_ULP, FP32_ULP = 2.0 ** -7, 2.0 ** -23


def bf16(x: np.ndarray) -> np.ndarray:
    """Round float32 to bf16 (nearest even), as the host does for bf16 tensors."""
    u = np.ascontiguousarray(x, np.float32).view(np.uint32)
    u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
    return u.view(np.float32)


def check(got: np.ndarray, want: np.ndarray, n_ops: int, biggest: float, ulp: float = BF16_ULP):
    bound = 2 * (n_ops + 1) * ulp * biggest
    err = float(np.abs(got.astype(np.float64) - want).max())
    assert err <= bound, f"max |error| {err} over the bound {bound} ({n_ops} ops, R={biggest})"


def eltwise(expr, n_in, M=128, N=128, bm=64, bn=64, dtype=T.bfloat16):
    """C = expr(X0, ..., X{n_in-1}) of 2-D tiles, block bm x bn."""
    if n_in == 1:
        @T.prim_func
        def unary(A: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
            with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm), threads=128) as (bx, by):
                A_s = T.alloc_shared((bm, bn), dtype)
                C_l = T.alloc_fragment((bm, bn), dtype)
                T.copy(A[by * bm, bx * bn], A_s)
                for i, j in T.Parallel(bm, bn):
                    C_l[i, j] = expr(A_s[i, j])
                T.copy(C_l, C[by * bm, bx * bn])
        return unary
    if n_in == 2:
        @T.prim_func
        def binary(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype),
                   C: T.Tensor((M, N), dtype)):
            with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm), threads=128) as (bx, by):
                A_s = T.alloc_shared((bm, bn), dtype)
                B_s = T.alloc_shared((bm, bn), dtype)
                C_l = T.alloc_fragment((bm, bn), dtype)
                T.copy(A[by * bm, bx * bn], A_s)
                T.copy(B[by * bm, bx * bn], B_s)
                for i, j in T.Parallel(bm, bn):
                    C_l[i, j] = expr(A_s[i, j], B_s[i, j])
                T.copy(C_l, C[by * bm, bx * bn])
        return binary

    @T.prim_func
    def ternary(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype),
                D: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm), threads=128) as (bx, by):
            A_s = T.alloc_shared((bm, bn), dtype)
            B_s = T.alloc_shared((bm, bn), dtype)
            D_s = T.alloc_shared((bm, bn), dtype)
            C_l = T.alloc_fragment((bm, bn), dtype)
            T.copy(A[by * bm, bx * bn], A_s)
            T.copy(B[by * bm, bx * bn], B_s)
            T.copy(D[by * bm, bx * bn], D_s)
            for i, j in T.Parallel(bm, bn):
                C_l[i, j] = expr(A_s[i, j], B_s[i, j], D_s[i, j])
            T.copy(C_l, C[by * bm, bx * bn])
    return ternary


def gemm_bias_relu(M=128, N=128, K=128, bm=64, bn=64, bk=32, dtype=T.bfloat16,
                   accum=T.float32):
    """C = relu(A @ B + Bias): the bias-add + relu epilogue on the gemm accumulator."""
    @T.prim_func
    def gemm_bias_relu(A: T.Tensor((M, K), dtype), B: T.Tensor((K, N), dtype),
                       Bias: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm), threads=128) as (bx, by):
            A_s = T.alloc_shared((bm, bk), dtype)
            B_s = T.alloc_shared((bk, bn), dtype)
            Bias_s = T.alloc_shared((bm, bn), dtype)
            C_l = T.alloc_fragment((bm, bn), accum)
            T.clear(C_l)
            for k in T.Pipelined(T.ceildiv(K, bk), num_stages=2):
                T.copy(A[by * bm, k * bk], A_s)
                T.copy(B[k * bk, bx * bn], B_s)
                T.gemm(A_s, B_s, C_l)
            T.copy(Bias[by * bm, bx * bn], Bias_s)
            for i, j in T.Parallel(bm, bn):
                C_l[i, j] = T.max(C_l[i, j] + Bias_s[i, j], 0)
            T.copy(C_l, C[by * bm, bx * bn])
    return gemm_bias_relu


def inputs(n, shape=(128, 128), lo=-1.0, hi=1.0, seed=0):
    rng = np.random.default_rng(seed)
    return [bf16(rng.uniform(lo, hi, shape).astype(np.float32)) for _ in range(n)]


def test_mul_add_chain():
    """a*b + c: FPU mul from the CBs, then copy c and add_binary_tile (3 DST slots/tile)."""
    kernel = tt_cli.compile(eltwise(lambda a, b, c: a * b + c, 3))
    a, b, c = inputs(3)
    want = a.astype(np.float64) * b + c
    check(kernel(a, b, c), want, 2, 2.0)
    assert "mul_tiles(" in kernel.get_kernel_source("compute") and "add_binary_tile(" in kernel.get_kernel_source("compute")


def test_relu_of_sum():
    """relu(a + b): FPU add into DST, relu in place."""
    kernel = tt_cli.compile(eltwise(lambda a, b: T.max(a + b, 0), 2))
    a, b = inputs(2)
    check(kernel(a, b), np.maximum(a.astype(np.float64) + b, 0), 2, 2.0)


def test_difference_times_scalar():
    """(a - b) * 0.5: FPU sub, then mul_unary_tile with 0.5's fp32 bits."""
    kernel = tt_cli.compile(eltwise(lambda a, b: (a - b) * 0.5, 2))
    a, b = inputs(2)
    check(kernel(a, b), (a.astype(np.float64) - b) * 0.5, 2, 2.0)
    assert "mul_unary_tile(" in kernel.get_kernel_source("compute")


def test_exp():
    """exp(a), a in [-1, 1]: copy_tile + exp_tile."""
    kernel = tt_cli.compile(eltwise(T.exp, 1))
    (a,) = inputs(1)
    check(kernel(a), np.exp(a.astype(np.float64)), 1, np.e)


@pytest.mark.parametrize(("op", "ref", "lo", "hi", "biggest"), [
    (T.exp2, np.exp2, -1.0, 1.0, 2.0),            # exp2_tile: declared in api/compute/compute_kernel_api.h
    (T.log, np.log, 0.25, 4.0, 4.0),               # log_tile
    (T.rsqrt, lambda x: 1 / np.sqrt(x), 0.25, 4.0, 4.0),  # rsqrt_tile
], ids=["exp2", "log", "rsqrt"])
def test_unary_sfpu_op(op, ref, lo, hi, biggest):
    """Each unary op the README lists builds on the emulator and matches numpy to 2 * 2 ulp of R
    (one op: the bound of the module docstring with n = 1, R = the largest |value| on the way)."""
    kernel = tt_cli.compile(eltwise(op, 1))
    (a,) = inputs(1, lo=lo, hi=hi)
    check(kernel(a), ref(a.astype(np.float64)), 1, biggest)


def test_sigmoid():
    """sigmoid(a), a in [-4, 4]."""
    kernel = tt_cli.compile(eltwise(T.sigmoid, 1))
    (a,) = inputs(1, lo=-4, hi=4)
    check(kernel(a), 1 / (1 + np.exp(-a.astype(np.float64))), 1, 1.0)


@pytest.mark.parametrize("block, options", [
    (64, {}),                        # 2x2 tiles held across K: restreamed to make room
    (128, {}),                       # 4x4 tiles, partial sums spilled (the default)
    (128, {"spill": "restream"}),    # 4x4 tiles, restreamed: Bias read per sub-block
], ids=["fits-dst", "partials", "restream"])
def test_gemm_bias_relu_epilogue(block, options):
    """relu(A @ B + Bias): the accumulator stays in DST, bias copied beside it, added, relu."""
    kernel = tt_cli.compile(gemm_bias_relu(M=256, N=256, bm=block, bn=block), **options)
    a = inputs(1, (256, 128), seed=1)[0]
    b = inputs(1, (128, 256), seed=3)[0]
    (bias,) = inputs(1, (256, 256), seed=2)
    acc = a.astype(np.float64) @ b
    want = np.maximum(acc + bias, 0)
    # the K-sum is exact in fp32 DST; the epilogue adds 2 ops on values up to max|acc + bias|
    check(kernel(a, b, bias), want, 2, float(np.abs(acc).max()) + 1)
    src = kernel.get_kernel_source("compute")
    assert "add_binary_tile(" in src and "relu_tile(" in src


def test_fp32_chain():
    """fp32: sqrt(abs(a) * 2.0 + b*b) - 1.0 in fp32 DST (4 tiles: block chunked)."""
    kernel = tt_cli.compile(eltwise(lambda a, b: T.sqrt(T.abs(a) * 2.0 + b * b) - 1.0, 2,
                                    dtype=T.float32))
    a, b = [x.astype(np.float32) for x in inputs(2, seed=5)]
    want = np.sqrt(np.abs(a.astype(np.float64)) * 2.0 + b.astype(np.float64) ** 2) - 1.0
    check(kernel(a, b), want, 6, 3.0, ulp=FP32_ULP * 4)


@pytest.mark.parametrize("arch", ["wormhole_b0", "blackhole"])
def test_expression_on_both_arches(arch):
    """A deep chain (4 DST slots per tile) on both arches: sub-blocks shrink to fit DST."""
    expr = lambda a, b, c: T.min(T.exp(a - b), c * c + 0.25) - T.tanh(a) * (b + c)  # noqa: E731
    kernel = tt_cli.compile(eltwise(expr, 3), arch=arch)
    a, b, c = inputs(3, seed=7)
    x, y, z = (v.astype(np.float64) for v in (a, b, c))
    want = np.minimum(np.exp(x - y), z * z + 0.25) - np.tanh(x) * (y + z)
    check(kernel(a, b, c), want, 9, 8.0)


def test_floor_and_ceil():
    """floor(a * 4) + ceil(a * 3) in float32, a in [-3, 3): the SFPU's rounding ops, exact on
    the emulator (the products are exact in float32)."""
    kernel = tt_cli.compile(eltwise(lambda x: T.floor(x * 4.0) + T.ceil(x * 3.0), 1, dtype=T.float32))
    (a,) = inputs(1, lo=-3, hi=3)  # bf16 values: their products by 4 and 3 are exact in float32
    want = np.floor(a * np.float32(4)) + np.ceil(a * np.float32(3))
    np.testing.assert_array_equal(kernel(a), want)


# Every SFPU function of the tile-op registry that a TileLang call lowers to, run on its own:
# a row added to tt_passes._tileops.SFPU_UNARY is tested here once its numpy reference and
# domain are named below (a missing reference fails the test, by design).
_NUMPY = {"exp": np.exp, "exp2": np.exp2, "log": np.log, "log1p": np.log1p, "sqrt": np.sqrt,
          "rsqrt": lambda x: 1.0 / np.sqrt(x), "fabs": np.abs, "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
          "tanh": np.tanh, "sin": np.sin, "cos": np.cos, "tan": np.tan, "floor": np.floor, "ceil": np.ceil}
_DOMAIN = {"log": (0.05, 4.0), "sqrt": (0.0, 4.0), "rsqrt": (0.05, 4.0), "log1p": (-0.9, 4.0),
           "floor": (-3.0, 3.0), "ceil": (-3.0, 3.0), "tan": (-1.4, 1.4)}
_TIR_CALLS = sorted(t for u in SFPU_UNARY.values() for t in u.tir)


@pytest.mark.parametrize("name", _TIR_CALLS)
def test_each_sfpu_function_of_the_registry(name):
    """T.<fn>(x) in float32 against numpy: the emulator computes each function exactly in fp32,
    so the bound is 4 ulp of the largest result (the host rounds the input to fp32 first)."""
    fn = getattr(T, "abs" if name == "fabs" else name)
    kernel = tt_cli.compile(eltwise(lambda x: fn(x), 1, M=64, N=64, bm=32, bn=64, dtype=T.float32))
    lo, hi = _DOMAIN.get(name, (-2.0, 2.0))
    a = np.random.default_rng(3).uniform(lo, hi, (64, 64)).astype(np.float32)
    want = _NUMPY[name](a.astype(np.float64))
    check(kernel(a), want, 1, float(np.abs(want).max()), ulp=FP32_ULP)


@pytest.mark.parametrize("arch", ["wormhole_b0", "blackhole"])
@pytest.mark.parametrize("dtype", [T.float32, T.bfloat16])
def test_selects_keep_and_make_infinities(arch, dtype):
    """where_tile picks a branch, nothing is multiplied by a mask: a select replaces -inf
    inputs exactly (FlashAttention's check_inf, `x == -inf`: the sign of x + FLT_MAX) and
    writes -inf (a mask on values); both were NaN as x * m + y * (1 - m)."""
    x = np.random.default_rng(12).uniform(-1, 1, (128, 128)).astype(np.float32)
    x[::7, ::5] = -np.inf
    x = bf16(x) if dtype == T.bfloat16 else x
    kernel = tt_cli.compile(eltwise(lambda a: T.if_then_else(a == -T.infinity(dtype), 0.0, a)
                                    + T.if_then_else(a > 0.5, -T.infinity(dtype), 0.0), 1,
                                    dtype=dtype), out_idx=[1], arch=arch)
    got = np.asarray(kernel(x.astype(ml_dtypes.bfloat16) if dtype == T.bfloat16 else x), np.float32)
    want = np.where(x == -np.inf, 0.0, x) + np.where(x > 0.5, -np.inf, 0.0)
    assert not np.isnan(got).any()
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
    finite = np.isfinite(want)
    np.testing.assert_array_equal(got[finite], want[finite])
    assert "where_tile<DataFormat::" in kernel.get_kernel_source("compute")
