"""T.reduce_sum / T.reduce_max compiled and run on the emulator vs numpy.

Storage convention of a reduced output in global memory (tiles are 32x32, tensor dims
multiples of 32): a row reduction (dim=1) of a (bm, bn) block is declared (bm, 1) and
copied to column 0 of an (M, 32) tensor, `T.copy(S_l, S[by * bm, 0])`; a column
reduction (dim=0) is declared (bn,) or (1, bn) and copied to row 0 of a (32, N)
tensor, `T.copy(S_l, S[0, bx * bn])`. The other 31 columns / rows are written as zero
(reduce_init's packer masks).

Error bound. Inputs are rounded to the tensor dtype on the host; the reference starts
from the rounded values. A sum accumulates in DST and is rounded once at pack (half an
ulp of the result): we allow 2^-7 (bf16) / 2^-20 (fp32) of sum |x| over the reduced
row / column. A max is a value of the input: exact.
"""

from __future__ import annotations

import numpy as np
import pytest

import tt_cli
import tt_ir.language as T
from tt_ir import TTCompileError


def bf16(x: np.ndarray) -> np.ndarray:
    u = np.ascontiguousarray(x, np.float32).view(np.uint32)
    u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
    return u.view(np.float32)


def row_reduce(kind, M=128, N=128, bm=64, dtype=T.bfloat16):
    """S[:, 0] = reduce over each row of A (a block holds whole rows: bn = N)."""
    op = {"sum": T.reduce_sum, "max": T.reduce_max, "min": T.reduce_min}[kind]

    @T.prim_func
    def row_reduce(A: T.Tensor((M, N), dtype), S: T.Tensor((M, 32), dtype)):
        with T.Kernel(T.ceildiv(M, bm), threads=128) as bx:
            A_l = T.alloc_fragment((bm, N), dtype)
            S_l = T.alloc_fragment((bm, 1), dtype)
            T.copy(A[bx * bm, 0], A_l)
            op(A_l, S_l, dim=1)
            T.copy(S_l, S[bx * bm, 0])
    return row_reduce


def col_reduce(kind, M=64, N=256, bn=64, dtype=T.bfloat16):
    """S[0, :] = reduce over each column of A (a block holds whole columns: bm = M)."""
    op = {"sum": T.reduce_sum, "max": T.reduce_max}[kind]

    @T.prim_func
    def col_reduce(A: T.Tensor((M, N), dtype), S: T.Tensor((32, N), dtype)):
        with T.Kernel(T.ceildiv(N, bn), threads=128) as bx:
            A_l = T.alloc_fragment((M, bn), dtype)
            S_l = T.alloc_fragment((bn,), dtype)
            T.copy(A[0, bx * bn], A_l)
            op(A_l, S_l, dim=0)
            T.copy(S_l, S[0, bx * bn])
    return col_reduce


def data(shape, lo=-1.0, hi=1.0, seed=0, dtype=T.bfloat16):
    x = np.random.default_rng(seed).uniform(lo, hi, shape).astype(np.float32)
    return bf16(x) if dtype == T.bfloat16 else x


def check(got, want, absrow, dtype):
    got = np.asarray(got).astype(np.float64)
    tol = (2.0 ** -7 if dtype == T.bfloat16 else 2.0 ** -20) * absrow + 1e-30
    assert np.all(np.abs(got - want) <= tol), float(np.abs(got - want).max())


DTYPES = [pytest.param(T.bfloat16, id="bf16"), pytest.param(T.float32, id="fp32")]


@pytest.mark.parametrize("dtype", DTYPES)
def test_row_sum(dtype):
    a = data((128, 128), dtype=dtype)
    k = tt_cli.compile(row_reduce("sum", dtype=dtype))
    out = np.asarray(k(a)).astype(np.float64)
    check(out[:, 0], a.astype(np.float64).sum(1), np.abs(a).sum(1), dtype)
    assert not out[:, 1:].any()
    src = k.get_kernel_source("compute")
    assert "reduce_tile<PoolType::SUM, ReduceDim::REDUCE_ROW>(" in src and "reduce_uninit(" in src


@pytest.mark.parametrize("dtype", DTYPES)
def test_row_max_of_negative_rows(dtype):
    """All-negative rows: the max starts from -inf in DST (not from the zeroed DST)."""
    a = data((128, 128), lo=-3.0, hi=-0.5, seed=1, dtype=dtype)
    a[5] += 10.0  # one positive row too
    a = bf16(a) if dtype == T.bfloat16 else a
    out = np.asarray(tt_cli.compile(row_reduce("max", dtype=dtype))(a)).astype(np.float32)
    np.testing.assert_array_equal(out[:, 0], a.max(1))
    assert not out[:, 1:].any()


@pytest.mark.parametrize("dtype", DTYPES)
def test_col_sum(dtype):
    a = data((64, 256), seed=2, dtype=dtype)
    out = np.asarray(tt_cli.compile(col_reduce("sum", dtype=dtype))(a)).astype(np.float64)
    check(out[0], a.astype(np.float64).sum(0), np.abs(a).sum(0), dtype)
    assert not out[1:].any()


def test_col_max_bf16():
    a = data((64, 256), lo=-2.0, hi=-1.0, seed=3)
    out = np.asarray(tt_cli.compile(col_reduce("max"))(a)).astype(np.float32)
    np.testing.assert_array_equal(out[0], a.max(0))


@pytest.mark.parametrize("dtype", DTYPES)
def test_row_sum_dst_sub_blocks(dtype):
    """bm = 256: 8 output tiles per block, over DST (4 tiles with fp32): sub-blocks."""
    a = data((512, 96), seed=4, dtype=dtype)
    k = tt_cli.compile(row_reduce("sum", M=512, N=96, bm=256, dtype=dtype))
    out = np.asarray(k(a)).astype(np.float64)
    check(out[:, 0], a.astype(np.float64).sum(1), np.abs(a).sum(1), dtype)


# --- refused ------------------------------------------------------------------------
def refused(func) -> str:
    with pytest.raises(TTCompileError) as e:
        tt_cli.compile(func)
    return str(e.value)


@pytest.mark.parametrize("dtype", DTYPES)
def test_row_min(dtype):
    """T.reduce_min = -max(-x): exact, like max."""
    a = data((128, 128), seed=6, dtype=dtype)
    out = np.asarray(tt_cli.compile(row_reduce("min", dtype=dtype))(a)).astype(np.float32)
    np.testing.assert_array_equal(out[:, 0], a.min(1))
    assert not out[:, 1:].any()


def test_reduction_both_stored_and_used_on_chip():
    """A max copied to a tensor and also used on chip (x - max): compute copies it into a
    CB of its own for the writer (S_l_out). S is exact (a max of bf16 values); C = A - S is
    one FPU subtraction rounded once to bf16: 2^-8 of |C|."""
    M, N = 64, 64

    @T.prim_func
    def sub_max(A: T.Tensor((M, N), T.bfloat16), S: T.Tensor((M, 32), T.bfloat16),
                C: T.Tensor((M, N), T.bfloat16)):
        with T.Kernel(1, threads=128) as bx:
            A_l = T.alloc_fragment((M, N), T.bfloat16)
            S_l = T.alloc_fragment((M, 1), T.bfloat16)
            C_l = T.alloc_fragment((M, N), T.bfloat16)
            T.copy(A[bx * M, 0], A_l)
            T.reduce_max(A_l, S_l, dim=1)
            for i, j in T.Parallel(M, N):
                C_l[i, j] = A_l[i, j] - S_l[i, 0]
            T.copy(C_l, C[bx * M, 0])
            T.copy(S_l, S[bx * M, 0])

    a = data((M, N), seed=4)
    s_out, c_out = tt_cli.compile(sub_max, out_idx=[1, 2])(a)
    s_out, c_out = np.asarray(s_out, np.float64), np.asarray(c_out, np.float64)
    np.testing.assert_array_equal(s_out[:, 0], a.max(1))
    assert not s_out[:, 1:].any()
    want = a.astype(np.float64) - a.max(1, keepdims=True)
    assert np.all(np.abs(c_out - want) <= 2.0 ** -8 * np.abs(want) + 1e-30)


def test_one_d_row_output_copy_is_refused_with_a_hint():
    M, N = 64, 64

    @T.prim_func
    def oned(A: T.Tensor((M, N), T.bfloat16), S: T.Tensor((M, 32), T.bfloat16)):
        with T.Kernel(1, threads=128) as bx:
            A_l = T.alloc_fragment((M, N), T.bfloat16)
            S_l = T.alloc_fragment((M,), T.bfloat16)
            T.copy(A[bx * M, 0], A_l)
            T.reduce_sum(A_l, S_l, dim=1)
            T.copy(S_l, S[bx * M, 0])
    assert "(64, 1)" in refused(oned)


def whole_tensor_reduce(kind, M=128, N=64, dtype=T.float32):
    """TileLang's reduce test form: one block, the whole tensor copied into a fragment
    (`T.copy(A, A_local)`), reduced over rows into an (M,) fragment copied to an (M,) tensor."""
    op = {"sum": T.reduce_sum, "max": T.reduce_max}[kind]

    @T.prim_func
    def whole(A: T.Tensor((M, N), dtype), B: T.Tensor((M,), dtype)):
        with T.Kernel(1, threads=32) as _:
            A_local = T.alloc_fragment((M, N), dtype)
            B_local = T.alloc_fragment((M,), dtype)
            T.copy(A, A_local)
            op(A_local, B_local, dim=1)
            T.copy(B_local, B)
    return whole


@pytest.mark.parametrize("kind", ["sum", "max"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_whole_tensor_reduction_to_a_rank_1_tensor(kind, dtype):
    """The (M,) output is a row of tiles: the row reduction's column vector is transposed on
    chip. Sum: one rounding at pack (2^-7 / 2^-20 of sum|x|); max: exact."""
    a = data((128, 64), seed=11, dtype=dtype)
    got = np.asarray(tt_cli.compile(whole_tensor_reduce(kind, dtype=dtype))(a), np.float64)
    assert got.shape == (128,)
    if kind == "max":
        np.testing.assert_array_equal(got, a.max(1))
    else:
        check(got, a.astype(np.float64).sum(1), np.abs(a).sum(1), dtype)


def gpu_controls(M=64, N=128, **controls):
    """A row max with TileLang's GPU controls of a reduction (`batch`, `annotations`)."""

    @T.prim_func
    def gpu_controls(A: T.Tensor((M, N), T.float32), S: T.Tensor((M,), T.float32)):
        with T.Kernel(1) as _:
            A_l = T.alloc_fragment((M, N), T.float32)
            S_l = T.alloc_fragment((M,), T.float32)
            T.copy(A, A_l)
            T.reduce_max(A_l, S_l, dim=1, **controls)
            T.copy(S_l, S)
    return gpu_controls


def test_gpu_reduction_controls_are_accepted_and_nan_propagation_refused():
    """`batch=4, annotations={...}` (barrier batching, CUDA switches) change nothing here;
    `nan_propagate=True` is refused, saying why."""
    a = np.random.default_rng(9).standard_normal((64, 128)).astype(np.float32)
    s = tt_cli.compile(gpu_controls(batch=4, annotations={"enable_fadd2": False}), out_idx=[1])(a)
    np.testing.assert_array_equal(np.asarray(s), a.max(axis=1))
    with pytest.raises(Exception, match=r"T.reduce_max\(nan_propagate=True\): how the Tensix max/min "
                                        r"reduction treats NaN is not modelled"):
        gpu_controls(nan_propagate=True)
    with pytest.raises(Exception, match=r"T.reduce_max: batch must be an int >= 1, got 0"):
        gpu_controls(batch=0)
