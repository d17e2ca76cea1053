"""Broadcast operands in T.Parallel, compiled and run on the emulator vs numpy.

A column vector (one value per row) is a (bm, 1) buffer indexed [i, 0] (or a row
reduction's (bm,) output indexed [i]); stored, like a row reduction's output, in column 0
of an (M, 32) tensor. It lowers to the FPU broadcasts `{add,sub,mul}_tiles_bcast_cols`
(BroadcastType::COL: column 0 of the vector tile across all columns). A row reduction used
in the same kernel (softmax's `x - rowmax(x)`) stays on chip in an intermediate CB
(compute -> compute). A row vector (1, bn) indexed [0, j] (row 0 of a (32, N) tensor)
lowers to `*_tiles_bcast_rows`.

Error bounds (bf16 in and out, fp32 math in DST, one rounding at pack):
- `x op v` for one FPU op: the exact fp32 result rounded once to bf16: |err| <= 2^-9 |y|
  (half an ulp, relative 2^-8 / 2). We check 2^-8 |y| + tiny.
- `x - rowmax(x)`: the max is a value of x (exact, also after its bf16 intermediate CB);
  the subtraction is one rounding: same bound.
- `exp(x - rowmax(x))`: d = x - m is one fp32 subtraction of bf16 values (relative error
  <= 2^-24, so |d| <= 4 gives an absolute error <= 2^-22, which becomes a relative error
  <= 2^-22 of exp(d)); exp is evaluated in fp32 (emulator: libm, ~2^-23 relative) and
  rounded once to bf16 (2^-9 relative). Total < 2^-9 + 2^-21: checked at 2^-8 |y| + 2^-20.
- `relu(x + bias)`: one FPU add, one rounding (relu is exact): 2^-8 |y|.
"""

from __future__ import annotations

import numpy as np
import pytest

import tt_cli
import tt_ir.language as T


def bf16(x: np.ndarray) -> np.ndarray:
    u = np.ascontiguousarray(x, np.float32).view(np.uint32)
    u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
    return u.view(np.float32)


def data(shape, lo=-1.0, hi=1.0, seed=0):
    return bf16(np.random.default_rng(seed).uniform(lo, hi, shape).astype(np.float32))


def check(got, want):
    got = np.asarray(got).astype(np.float64)
    tol = 2.0 ** -8 * np.abs(want) + 2.0 ** -20
    err = np.abs(got - want)
    assert np.all(err <= tol), float(err.max())


def scale_rows(op="mul", M=128, N=128, bm=64, bn=64):
    """C = A op S[:, 0] (S: (M, 32), the column-vector storage convention)."""

    @T.prim_func
    def scale_rows(A: T.Tensor((M, N), T.bfloat16), S: T.Tensor((M, 32), T.bfloat16),
                   C: T.Tensor((M, N), T.bfloat16)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm), threads=128) as (bx, by):
            A_s = T.alloc_shared((bm, bn), T.bfloat16)
            S_s = T.alloc_shared((bm, 1), T.bfloat16)
            C_l = T.alloc_fragment((bm, bn), T.bfloat16)
            T.copy(A[by * bm, bx * bn], A_s)
            T.copy(S[by * bm, 0], S_s)
            for i, j in T.Parallel(bm, bn):
                if op == "mul":
                    C_l[i, j] = A_s[i, j] * S_s[i, 0]
                elif op == "add":
                    C_l[i, j] = S_s[i, 0] + A_s[i, j]
                else:
                    C_l[i, j] = A_s[i, j] - S_s[i, 0]
            T.copy(C_l, C[by * bm, bx * bn])
    return scale_rows


def softmax_num(M=128, N=128, bm=64, expo=True):
    """C = exp(A - rowmax(A)) (or without exp): the numerator of a row softmax."""

    @T.prim_func
    def softmax_num(A: T.Tensor((M, N), T.bfloat16), C: T.Tensor((M, N), T.bfloat16)):
        with T.Kernel(T.ceildiv(M, bm), threads=128) as bx:
            A_l = T.alloc_fragment((bm, N), T.bfloat16)
            M_l = T.alloc_fragment((bm,), T.bfloat16)
            C_l = T.alloc_fragment((bm, N), T.bfloat16)
            T.copy(A[bx * bm, 0], A_l)
            T.reduce_max(A_l, M_l, dim=1)
            for i, j in T.Parallel(bm, N):
                if expo:
                    C_l[i, j] = T.exp(A_l[i, j] - M_l[i])
                else:
                    C_l[i, j] = A_l[i, j] - M_l[i]
            T.copy(C_l, C[bx * bm, 0])
    return softmax_num


@pytest.mark.parametrize("op", ["mul", "add", "sub"])
def test_column_vector_broadcast(op):
    a, s = data((128, 128)), data((128, 32), seed=1)
    k = tt_cli.compile(scale_rows(op))
    got = k(a, s)
    x, v = a.astype(np.float64), s[:, :1].astype(np.float64)
    want = {"mul": x * v, "add": x + v, "sub": x - v}[op]
    check(got, want)
    assert f"{op}_tiles_bcast_cols(" in k.get_kernel_source("compute")
    assert f"{op}_bcast_cols_init(" in k.get_kernel_source("compute")


def test_x_minus_rowmax_on_chip():
    a = data((128, 128), -4.0, 4.0, seed=2)
    k = tt_cli.compile(softmax_num(expo=False))
    got = k(a)
    want = a.astype(np.float64) - a.max(1, keepdims=True)
    check(got, want)
    src = k.get_kernel_source("compute")
    assert "reduce_tile<PoolType::MAX, ReduceDim::REDUCE_ROW>(" in src
    assert "sub_tiles_bcast_cols(" in src


def test_softmax_numerator():
    a = data((128, 128), -2.0, 2.0, seed=3)
    k = tt_cli.compile(softmax_num())
    got = k(a)
    want = np.exp(a.astype(np.float64) - a.max(1, keepdims=True))
    check(got, want)
    src = k.get_kernel_source("compute")
    assert "sub_tiles_bcast_cols(" in src and "exp_tile(" in src


def bias_cols(M=128, N=256, bm=64, bn=128):
    """C = A + B[0, :] (B: (32, N), the row-vector storage convention: row 0)."""

    @T.prim_func
    def bias_cols(A: T.Tensor((M, N), T.bfloat16), B: T.Tensor((32, N), T.bfloat16),
                  C: T.Tensor((M, N), T.bfloat16)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm), threads=128) as (bx, by):
            A_s = T.alloc_shared((bm, bn), T.bfloat16)
            B_s = T.alloc_shared((1, bn), T.bfloat16)
            C_l = T.alloc_fragment((bm, bn), T.bfloat16)
            T.copy(A[by * bm, bx * bn], A_s)
            T.copy(B[0, bx * bn], B_s)
            for i, j in T.Parallel(bm, bn):
                C_l[i, j] = T.max(A_s[i, j] + B_s[0, j], 0.0)
            T.copy(C_l, C[by * bm, bx * bn])
    return bias_cols


def test_row_vector_broadcast():
    """relu(A + bias[j]): add_tiles_bcast_rows (row 0 of the bias tile down every row)."""
    a, b = data((128, 256), seed=4), data((32, 256), seed=5)
    k = tt_cli.compile(bias_cols())
    check(k(a, b), np.maximum(a.astype(np.float64) + b[:1].astype(np.float64), 0.0))
    assert "add_tiles_bcast_rows(" in k.get_kernel_source("compute")


def test_x_minus_colmax_on_chip():
    """A column max (bn,) read on chip as a row vector: sub_tiles_bcast_rows; exact for the
    max, one rounding for the subtraction."""
    M, N, bn = 64, 256, 64

    @T.prim_func
    def sub_colmax(A: T.Tensor((M, N), T.bfloat16), C: T.Tensor((M, N), T.bfloat16)):
        with T.Kernel(T.ceildiv(N, bn), threads=128) as bx:
            A_l = T.alloc_fragment((M, bn), T.bfloat16)
            S_l = T.alloc_fragment((bn,), T.bfloat16)
            C_l = T.alloc_fragment((M, bn), T.bfloat16)
            T.copy(A[0, bx * bn], A_l)
            T.reduce_max(A_l, S_l, dim=0)
            for i, j in T.Parallel(M, bn):
                C_l[i, j] = A_l[i, j] - S_l[j]
            T.copy(C_l, C[0, bx * bn])

    a = data((64, 256), -3.0, 3.0, seed=6)
    k = tt_cli.compile(sub_colmax)
    check(k(a), a.astype(np.float64) - a.max(0, keepdims=True))
    assert "sub_tiles_bcast_rows(" in k.get_kernel_source("compute")
