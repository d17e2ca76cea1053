"""TileLang's eager style: `@tt_cli.jit` on a function whose body is the kernel."""

from __future__ import annotations

import inspect

import ml_dtypes
import numpy as np
import pytest

import tt_cli
import tt_ir.language as T
from tt_ir.errors import TTError


@tt_cli.jit
def gemm(A, B, block_M, block_N, block_K=32, dtype=T.bfloat16):
    M, N, K = T.const("M, N, K")
    accum = T.float32
    A: T.Tensor((M, K), dtype)
    B: T.Tensor((K, N), dtype)
    C = T.empty((M, N), dtype)

    with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
        A_s = T.alloc_shared((block_M, block_K), dtype)
        B_s = T.alloc_shared((block_K, block_N), dtype)
        C_l = T.alloc_fragment((block_M, block_N), accum)
        T.clear(C_l)
        for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=2):
            T.copy(A[by * block_M, k * block_K], A_s)
            T.copy(B[k * block_K, bx * block_N], B_s)
            T.gemm(A_s, B_s, C_l)
        T.copy(C_l, C[by * block_M, bx * block_N])
    return C


@tt_cli.jit
def bad_copy(X, block=64):
    N = T.const("N")
    X: T.Tensor((N, N), T.bfloat16)
    Y = T.empty((N, N), T.bfloat16)
    with T.Kernel(N // block) as bx:
        X_s = T.alloc_shared((block, block), T.bfloat16)
        T.copy(X[bx * block, 0:32], X_s)
        T.copy(X_s, Y[bx * block, 0])
    return Y


def _bound(a, b):
    """tt_cli's GEMM bound: bf16 output of an fp32 sum over K."""
    dot = float((np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64))).max())
    return tt_cli.error_bound("bfloat16", dot, k=a.shape[1])


def _ab(m, n, k):
    rng = np.random.default_rng(0)
    return (rng.uniform(-1, 1, (m, k)).astype(ml_dtypes.bfloat16),
            rng.uniform(-1, 1, (k, n)).astype(ml_dtypes.bfloat16))


def test_compile_with_sizes_then_call():
    """`gemm.compile(M=..., ...)` is a compiled kernel taking A, B and returning C."""
    a, b = _ab(128, 64, 96)
    kernel = gemm.compile(M=128, N=64, K=96, block_M=64, block_N=64)
    assert kernel.out_idx == [2]
    ref = a.astype(np.float64) @ b.astype(np.float64)
    assert np.abs(np.asarray(kernel(a, b), np.float64) - ref).max() <= _bound(a, b)


def test_call_infers_sizes_from_the_tensors():
    a, b = _ab(64, 128, 64)
    c = gemm(a, b, 32, 64)
    ref = a.astype(np.float64) @ b.astype(np.float64)
    assert np.abs(np.asarray(c, np.float64) - ref).max() <= _bound(a, b)
    assert gemm(a, b, 32, 64) is not None and len(gemm._cache) >= 1


def test_sizes_must_be_given_and_agree():
    with pytest.raises(TTError, match=r"give the sizes N, K \(T.const\)"):
        gemm.compile(M=64, block_M=32, block_N=32)
    a, _ = _ab(64, 64, 64)
    with pytest.raises(TTError, match="size K is 64 from one tensor and 32 from 'B'"):
        gemm(a, np.zeros((32, 64), ml_dtypes.bfloat16), 32, 32)


def test_messages_point_at_the_users_lines():
    """The kernel is rewritten into the classic form with every line in place: a bad copy is
    reported at its own line of this file."""
    line = next(i for i, text in enumerate(inspect.getsource(bad_copy.fn).splitlines())
                if "0:32" in text) + inspect.getsourcelines(bad_copy.fn)[1]
    with pytest.raises(TTError) as err:
        bad_copy.compile(N=128)
    assert f"test_eager.py:{line}" in str(err.value)


@tt_cli.jit
def scale_into(X, Y, factor=2.0, block=64):
    N = T.const("N")
    X: T.Tensor((N, N), T.float32)
    Y: T.Tensor((N, N), T.float32)
    with T.Kernel(N // block, N // block) as (bx, by):
        X_s = T.alloc_shared((block, block), T.float32)
        Y_l = T.alloc_fragment((block, block), T.float32)
        T.copy(X[by * block, bx * block], X_s)
        for i, j in T.Parallel(block, block):
            Y_l[i, j] = X_s[i, j] * factor
        T.copy(Y_l, Y[by * block, bx * block])


def test_output_parameter_written_in_place():
    """No T.empty: the parameter the kernel writes is its output, filled in place."""
    x = np.random.default_rng(3).standard_normal((128, 128)).astype(np.float32)
    y = np.zeros_like(x)
    assert scale_into(x, y) is None
    assert np.array_equal(y, x * 2.0)


@tt_cli.jit
def splitk_matmul(A, B, C, block_M, block_N, block_K, split_k):
    M, N, K = T.const("M, N, K")
    slice_k = K // split_k
    A: T.Tensor((M, K), T.bfloat16)
    B: T.Tensor((K, N), T.bfloat16)
    C: T.Tensor((M, N), T.float32)
    with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M), split_k) as (bx, by, bz):
        A_s = T.alloc_shared((block_M, block_K), T.bfloat16)
        B_s = T.alloc_shared((block_K, block_N), T.bfloat16)
        acc = T.alloc_fragment((block_M, block_N), T.float32)
        T.clear(acc)
        for ko in T.Pipelined(T.ceildiv(slice_k, block_K), num_stages=2):
            T.copy(A[by * block_M, bz * slice_k + ko * block_K], A_s)
            T.copy(B[bz * slice_k + ko * block_K, bx * block_N], B_s)
            T.gemm(A_s, B_s, acc)
        for i, j in T.Parallel(block_M, block_N):
            T.atomic_add(C[by * block_M + i, bx * block_N + j], acc[i, j])


@pytest.mark.parametrize("arch", ["wormhole_b0", "blackhole"])
def test_split_k_atomic_add(arch):
    """C += A @ B over 4 K slices: the slices run on one core in turn (the z axis becomes a
    loop) and C is read, added to and written back once ("inout"): C's starting values count.
    Bound: fp32 sums over K = 256 (2^-24 * 256 * max(|A| @ |B|), doubled) plus C's rounding."""
    rng = np.random.default_rng(6)
    a = rng.uniform(-1, 1, (128, 256)).astype(ml_dtypes.bfloat16)
    b = rng.uniform(-1, 1, (256, 64)).astype(ml_dtypes.bfloat16)
    c = rng.uniform(-1, 1, (128, 64)).astype(np.float32)
    ref = c.astype(np.float64) + a.astype(np.float64) @ b.astype(np.float64)
    kernel = splitk_matmul.compile(M=128, N=64, K=256, block_M=64, block_N=64, block_K=32,
                                   split_k=4)
    if arch != "wormhole_b0":
        kernel = tt_cli.compile(splitk_matmul._factory(64, 64, 32, 4, M=128, N=64, K=256),
                                arch=arch)
    assert [b["role"] for b in kernel.plan["buffers"]] == ["input", "input", "inout"]
    assert kernel.plan["work"]["grid"] == [1, 2, 1]
    kernel(a, b, c)
    dot = float((np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64))).max())
    assert np.abs(c - ref).max() <= 2 * (256 * 2 ** -24 * dot + 2 ** -24 * np.abs(ref).max())
    with pytest.raises(tt_cli.KernelCallError, match="C is read and written by the kernel"):
        kernel(a, b)


@tt_cli.jit
def add_into(X, Y, block=64):
    N = T.const("N")
    X: T.Tensor((N, N), T.float32)
    Y: T.Tensor((N, N), T.float32)
    with T.Kernel(N // block, N // block) as (bx, by):
        X_s = T.alloc_shared((block, block), T.float32)
        T.copy(X[by * block, bx * block], X_s)
        for i, j in T.Parallel(block, block):
            T.atomic_add(Y[by * block + i, bx * block + j], X_s[i, j])


def test_atomic_add_outside_split_k_is_refused():
    with pytest.raises(TTError, match="T.atomic_add has no Tenstorrent equivalent") as err:
        add_into.compile(N=128)
    assert "hint: launch the K slices on the grid's z axis" in str(err.value)


@tt_cli.jit
def dyn_scale(
    X,
    factor,
    transposed=False,
    block=32,
):
    rows = T.dynamic("rows")
    cols = T.dynamic("cols")
    shape = (cols, rows) if transposed else (rows, cols)
    X: T.Tensor(shape, T.float32)
    Y = T.empty(shape, T.float32)
    with T.Kernel(T.ceildiv(shape[1], block), T.ceildiv(shape[0], block)) as (bx, by):
        X_s = T.alloc_shared((block, block), T.float32)
        Y_l = T.alloc_fragment((block, block), T.float32)
        T.copy(X[by * block, bx * block], X_s)
        for i, j in T.Parallel(block, block):
            Y_l[i, j] = X_s[i, j] * factor
        T.copy(Y_l, Y[by * block, bx * block])
    return Y


def test_dynamic_sizes_are_read_from_the_tensors():
    """T.dynamic sizes declared through a shape variable (and a signature over several lines):
    the call reads them from X's shape, one compiled kernel per distinct shape."""
    for shape in [(64, 96), (40, 70)]:
        x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
        y = dyn_scale(x, 3.0)
        assert np.array_equal(np.asarray(y), x * np.float32(3.0))
    assert len(dyn_scale._cache) == 2


@tt_cli.jit(verbose=True)
def scaled_sum(X, Y, Z, scale: float = 2.0, block: int = 32, dtype: T.dtype = T.float32):
    M, N = T.const("M N")  # TileLang takes the names space- or comma-separated
    X: T.Tensor[[M, N], dtype]
    Y: T.Tensor[[M, N], dtype]
    Z: T.Tensor[[M, N], dtype]
    with T.Kernel(T.ceildiv(M, block)) as bx:
        X_s = T.alloc_shared((block, N), dtype)
        Y_s = T.alloc_shared((block, N), dtype)
        Z_l = T.alloc_fragment((block, N), dtype)
        T.copy(X[bx * block, 0], X_s)
        T.copy(Y[bx * block, 0], Y_s)
        for i, j in T.Parallel(block, N):
            Z_l[i, j] = X_s[i, j] * scale + Y_s[i, j]
        T.copy(Z_l, Z[bx * block, 0])


def test_subscript_annotations_space_separated_sizes_and_verbose(capsys):
    """`T.Tensor[[M, N], dtype]` annotations, `T.const("M N")`, typed defaults, an output
    written in place (no T.empty, no return) and `verbose=True` saying what was compiled."""
    rng = np.random.default_rng(3)
    x, y = (rng.standard_normal((96, 64)).astype(np.float32) for _ in range(2))
    z = np.zeros_like(x)
    scaled_sum(x, y, z)
    np.testing.assert_allclose(z, x * 2.0 + y, rtol=1e-6, atol=1e-6)
    assert "tt_cli: compiled 'scaled_sum' for wormhole_b0: reader, compute, writer kernels on 3 cores" \
        in capsys.readouterr().err


def test_tilelang_jit_object_spellings():
    """`get_tir`, `compile` and `get_kernel_source` on a @jit factory and on an eager kernel,
    as TileLang's JIT objects have them."""
    from tt_ir import tir

    @tt_cli.jit(out_idx=[1])
    def twice(N=64):
        @T.prim_func
        def main(A: T.Tensor((N, N), T.float32), B: T.Tensor((N, N), T.float32)):
            with T.Kernel(1) as _:
                for i, j in T.Parallel(N, N):
                    B[i, j] = A[i, j] * 2.0
        return main

    assert isinstance(twice.get_tir(N=32), tir.PrimFunc)
    assert twice.compile(N=32) is twice(N=32)
    assert "mul_unary_tile" in twice.get_kernel_source(N=32)
    assert isinstance(scaled_sum.get_tir(M=32, N=32), tir.PrimFunc)
    assert "add_binary_tile(0, 1, 0);" in scaled_sum.get_kernel_source(M=32, N=32)
