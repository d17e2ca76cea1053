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


@tt_cli.jit(out_idx=[1])
def masked_rows(M, N, rows, block=32):
    """TileLang's ternary: rows below `rows` copied, the rest zero, written on the tensors."""

    @T.prim_func
    def main(A: T.Tensor((M, N), T.float32), B: T.Tensor((M, N), T.float32)):
        with T.Kernel(T.ceildiv(N, block), T.ceildiv(M, block)) as (bx, by):
            for i, j in T.Parallel(block, block):
                B[by * block + i, bx * block + j] = A[by * block + i, bx * block + j] \
                    if (by * block + i) < rows else 0

    return main


def test_python_ternary_on_tensors_with_an_index_condition():
    """`x if cond else 0` over tensors (a Select) is staged and masked: rows >= `rows` are 0,
    also inside a block (rows = 48 splits the second block row)."""
    a = np.random.default_rng(1).uniform(-1, 1, (128, 64)).astype(np.float32)
    b = np.asarray(masked_rows(128, 64, 48)(a))
    np.testing.assert_array_equal(b[:48], a[:48])
    np.testing.assert_array_equal(b[48:], 0)


@tt_cli.jit(out_idx=[1, 2])
def transpose_fill_clamp(N=64):
    @T.prim_func
    def main(A: T.Tensor((N, N), T.float32), B: T.Tensor((N, N), T.float32),
             C: T.Tensor((N, N), T.float32)):
        with T.Kernel(1):
            a = T.alloc_shared((N, N), T.float32)
            t = T.alloc_fragment((N, N), T.float32)
            T.copy(A, a)
            T.transpose(a, t)
            for i, j in T.Parallel(N, N):
                t[i, j] = T.clamp(t[i, j], min_val=-0.25)
            T.copy(t, B)
            T.fill(C, -T.infinity(T.float32))

    return main


def test_transpose_clamp_keywords_and_a_filled_tensor():
    """T.transpose(src, dst), T.clamp with only min_val=, and T.fill straight on a tensor."""
    a = np.random.default_rng(2).uniform(-1, 1, (64, 64)).astype(np.float32)
    b, c = transpose_fill_clamp()(a)
    np.testing.assert_array_equal(np.asarray(b), np.maximum(a.T, np.float32(-0.25)))
    assert np.all(np.asarray(c) == -np.inf)


def test_thread_level_ops_are_refused_saying_why():
    import pytest

    from tt_ir.errors import TTError

    with pytest.raises(TTError) as err:
        @T.prim_func
        def threads(A: T.Tensor((32,), T.float32)):
            with T.Kernel(1, threads=32):
                tx = T.get_thread_binding(0)
                A[tx] = 1.0

    assert "T.get_thread_binding is thread-level: a Tenstorrent core runs its reader, compute and " \
           "writer kernels once per block" in str(err.value)


@tt_cli.jit(out_idx=[2])
def bounded_add(N=1000, block=256):
    """TileLang's 1-D elementwise idiom: a bounds check on the tensors themselves."""

    @T.prim_func
    def main(A: T.Tensor((N,), T.float32), B: T.Tensor((N,), T.float32), C: T.Tensor((N,), T.float32)):
        with T.Kernel(T.ceildiv(N, block)) as bx:
            for i in T.Parallel(block):
                if bx * block + i < N:
                    C[bx * block + i] = A[bx * block + i] + B[bx * block + i]

    return main


@tt_cli.jit(out_idx=[1])
def bounded_scale(M=100, N=80, block=32):
    @T.prim_func
    def main(A: T.Tensor((M, N), T.float32), B: T.Tensor((M, N), T.float32)):
        with T.Kernel(T.ceildiv(N, block), T.ceildiv(M, block)) as (bx, by):
            for i, j in T.Parallel(block, block):
                if by * block + i < M and bx * block + j < N:
                    B[by * block + i, bx * block + j] = A[by * block + i, bx * block + j] * 2.0

    return main


def test_bounds_checked_stores_on_tensors():
    """`if bx * block + i < N: C[...] = ...` over tensors whose size is not a multiple of the
    block (1-D and 2-D): the staged block is stored whole and the writer drops what lies past
    the tensor's edge (the check used to be refused as a select with the old value)."""
    rng = np.random.default_rng(4)
    a, b = (rng.standard_normal(1000).astype(np.float32) for _ in range(2))
    np.testing.assert_array_equal(np.asarray(bounded_add()(a, b)), a + b)
    x = rng.standard_normal((100, 80)).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(bounded_scale()(x)), x * 2.0)


@tt_cli.jit(out_idx=[2])
def banded_scale(M=128, N=96, block=32, lo=16, hi=80):
    """An if / else storing one element in both branches, its condition differing within the
    block, with scalar locals for the indices (as TileLang's if-range test writes it)."""

    @T.prim_func
    def main(A: T.Tensor((M, N), T.float32), W: T.Tensor((M, N), T.float32),
             B: T.Tensor((M, N), T.float32)):
        with T.Kernel(T.ceildiv(N, block), T.ceildiv(M, block)) as (bx, by):
            for i, j in T.Parallel(block, block):
                row = by * block + i
                col = bx * block + j
                if lo < row < hi:
                    B[row, col] = A[row, col] * 2.0
                else:
                    B[row, col] = A[row, col] - W[row, col]

    return main


def test_if_else_stores_of_one_element_are_a_select():
    """Rows lo < r < hi get 2a, the others a - w: a select of two values on a mask the reader
    generates (the if / else used to be refused as "one element assignment")."""
    rng = np.random.default_rng(6)
    a, w = (rng.standard_normal((128, 96)).astype(np.float32) for _ in range(2))
    rows = np.arange(128)[:, None]
    ref = np.where((16 < rows) & (rows < 80), a * 2.0, a - w)
    np.testing.assert_allclose(np.asarray(banded_scale()(a, w)), ref, rtol=1e-6, atol=1e-6)


@tt_cli.jit(out_idx=[1])
def reshaped_add_one(B=2, S=48, D=64, bm=32):
    @T.prim_func
    def main(X: T.Tensor((B, S, D), T.float32), Y: T.Tensor((B * S, D), T.float32)):
        with T.Kernel(T.ceildiv(B * S, bm)) as by:
            flat = T.reshape(X, [B * S, D])
            s = T.alloc_shared((bm, D), T.float32)
            y = T.alloc_fragment((bm, D), T.float32)
            T.copy(flat[by * bm, 0], s)
            for i, j in T.Parallel(bm, D):
                y[i, j] = s[i, j] + 1.0
            T.copy(y, Y[by * bm, 0])

    return main


def test_reshape_of_a_tensor():
    """T.reshape(X, [B * S, D]) of a (B, S, D) tensor with S = 48 (not whole tiles per
    matrix: the tensor is used only folded) reads the folded rows."""
    x = np.random.default_rng(5).standard_normal((2, 48, 64)).astype(np.float32)
    np.testing.assert_array_equal(np.asarray(reshaped_add_one()(x)), x.reshape(96, 64) + 1.0)


def _swizzled(M=64, N=64, on="shared"):
    @T.prim_func
    def main(A: T.Tensor((M, N), T.float32), B: T.Tensor((M, N), T.float32)):
        with T.Kernel(T.ceildiv(M, 32)) as bx:
            A_s = T.alloc_shared((32, N), T.float32)
            T.annotate_layout({A_s if on == "shared" else A: tt_cli.layout.make_swizzled_layout(A_s)})
            T.copy(A[bx * 32, 0], A_s)
            T.copy(A_s, B[bx * 32, 0])

    return main


def test_gpu_swizzle_annotations_are_accepted_and_ignored_once(capsys):
    """`T.annotate_layout({A_shared: tilelang.layout.make_swizzled_layout(A_shared)})`, as
    TileLang's GEMMs write it: accepted on an on-chip buffer with one notice; on a tensor, where
    a layout would mean something, refused naming T.tt_layout."""
    import pytest

    from tt_ir import TTError
    from tt_ir.language import _annotate

    _annotate._SAID.discard("swizzle")
    x = np.random.default_rng(0).uniform(-1, 1, (64, 64)).astype(np.float32)
    for _ in range(2):
        (y,) = tt_cli.compile(_swizzled(), out_idx=[-1]).run(x).outputs.values()
        np.testing.assert_array_equal(y, x)
    err = capsys.readouterr().err
    assert err.count("T.annotate_layout: TileLang's swizzled layout (of 'A_s' and any others) is a GPU "
                     "shared-memory layout; Tenstorrent CBs hold whole 32x32 tiles, so it is ignored") == 1
    with pytest.raises(TTError, match=r"the layout of A must be T.tt_layout\(...\)"):
        _swizzled(on="tensor")


@tt_cli.jit(out_idx=[1, 2])
def chained_stores(N=128, block=64):
    @T.prim_func
    def main(X: T.Tensor((N,), T.float32), A: T.Tensor((N,), T.float32), B: T.Tensor((N,), T.float32)):
        with T.Kernel(T.ceildiv(N, block)) as bx:
            for i in T.Parallel(block):
                idx = bx * block + i
                A[idx] = B[idx] = X[idx] * 3.0

    return main


def test_chained_assignment_stores_every_target():
    """`A[idx] = B[idx] = v` (TileLang's chain-equal test): both tensors get v."""
    x = np.random.default_rng(7).standard_normal(128).astype(np.float32)
    a, b = chained_stores()(x)
    np.testing.assert_array_equal(np.asarray(a), x * 3.0)
    np.testing.assert_array_equal(np.asarray(b), x * 3.0)


@tt_cli.jit(out_idx=[1, 2])
def swapped_halves(N=128, block=64):
    @T.prim_func
    def main(X: T.Tensor((N,), T.float32), A: T.Tensor((N,), T.float32), B: T.Tensor((N,), T.float32)):
        with T.Kernel(2) as bx:
            for i in T.Parallel(block):
                A[bx * block + i] = X[bx * block + i] + 1.0
                B[bx * block + i] = X[(1 - bx) * block + i] * 2.0

    return main


def test_two_blocks_of_one_tensor_stage_through_two_cbs():
    """Nests reading different blocks of X stage them through X and X_1 (one CB each)."""
    x = np.random.default_rng(8).standard_normal(128).astype(np.float32)
    a, b = swapped_halves()(x)
    np.testing.assert_array_equal(np.asarray(a), x + 1.0)
    np.testing.assert_array_equal(np.asarray(b), np.concatenate([x[64:], x[:64]]) * 2.0)


@tt_cli.jit(out_idx=[1, 2])
def nest_and_copy_of_one_tensor(N=64):
    @T.prim_func
    def main(X: T.Tensor((N, N), T.float32), A: T.Tensor((N, N), T.float32), B: T.Tensor((N, N), T.float32)):
        with T.Kernel(1) as _:
            for i, j in T.Parallel(N, N):
                A[i, j] = X[i, j] * 2.0
            T.copy(X, B)

    return main


def test_a_nest_and_a_tensor_copy_of_one_tensor_stage_through_two_cbs():
    """A T.Parallel nest on X and a tensor-to-tensor T.copy from X both stage X on chip: they
    used to name both blocks X (one CB), and the compute kernel popped pages it never waited for."""
    x = np.random.default_rng(13).standard_normal((64, 64)).astype(np.float32)
    a, b = nest_and_copy_of_one_tensor()(x)
    np.testing.assert_array_equal(np.asarray(a), x * 2.0)
    np.testing.assert_array_equal(np.asarray(b), x)
