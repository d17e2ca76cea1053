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
