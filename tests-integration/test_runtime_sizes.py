"""T.dynamic sizes as runtime arguments: one compiled kernel serves every shape whose sizes are
multiples of their granules; the kernels read the sizes (in granule units) with get_arg_val
and main.cpp reads them from the inputs' .npy headers and splits the blocks over the cores."""

import ml_dtypes
import numpy as np
import pytest
from corpus import load_example

import tt_cli
import tt_ir.language as T
from tt_ir.sizes import SizeError

BF16 = ml_dtypes.bfloat16


def gemm_kernel():
    """examples/dynamic_gemm.py: M, N, K dynamic, blocks (64, 64, 32)."""
    return load_example("dynamic_gemm.py").dynamic_gemm.factory()


def softmax_kernel(N=128, block_M=32):
    M = T.symbolic("rows")  # TileLang's older name of T.dynamic

    @T.prim_func
    def softmax(X: T.Tensor((M, N), T.float32), Y: T.Tensor((M, N), T.float32)):
        with T.Kernel(T.ceildiv(M, block_M)) as bx:
            x = T.alloc_fragment((block_M, N), T.float32)
            mx = T.alloc_fragment((block_M,), T.float32)
            s = T.alloc_fragment((block_M,), T.float32)
            T.copy(X[bx * block_M, 0], x)
            T.reduce_max(x, mx, dim=1)
            for i, j in T.Parallel(block_M, N):
                x[i, j] = T.exp(x[i, j] - mx[i])
            T.reduce_sum(x, s, dim=1)
            for i, j in T.Parallel(block_M, N):
                x[i, j] = x[i, j] / s[i]
            T.copy(x, Y[bx * block_M, 0])

    return softmax


@tt_cli.jit
def scaled_add(A, B, block_M: int = 32, block_N: int = 64):
    M, N = T.dynamic("m"), T.dynamic("n")
    A: T.Tensor((M, N), T.float32)
    B: T.Tensor((M, N), T.float32)
    C = T.empty((M, N), T.float32)

    with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
        for i, j in T.Parallel(block_M, block_N):
            C[by * block_M + i, bx * block_N + j] = A[by * block_M + i, bx * block_N + j] * 2.0 \
                + B[by * block_M + i, bx * block_N + j]

    return C


def _bf16(x):
    return x.astype(BF16).astype(np.float64)


@pytest.mark.parametrize("arch", ["wormhole_b0", "blackhole"])
def test_one_gemm_kernel_serves_several_shapes(arch):
    """Compiled once; (M, N, K) from one block to several per core and more blocks than cores
    (Wormhole 8x8 = 64 cores: 18 x 4 = 72 blocks). Bound: bf16 output rounding (2^-8 of the
    largest |C|) plus bf16 inputs accumulated in float32."""
    kernel = tt_cli.compile(gemm_kernel(), out_idx=[2], arch=arch)
    rng = np.random.default_rng(7)
    for m, n, k in [(64, 64, 32), (192, 128, 96), (1152, 256, 64)]:
        a = rng.standard_normal((m, k)).astype(np.float32)
        b = rng.standard_normal((k, n)).astype(np.float32)
        c = np.asarray(kernel(a, b), np.float64)
        ref = _bf16(a) @ _bf16(b)
        assert c.shape == (m, n)
        assert np.abs(c - ref).max() <= 2.0 ** -8 * np.abs(ref).max() + 1e-3 * k ** 0.5, (m, n, k)
    reader = kernel.get_kernel_source("reader")
    assert "uint32_t k_div32 = get_arg_val<uint32_t>(" in reader  # K / block_K at run time
    assert "% n_div64;" in reader                                   # the grid width too
    assert "tt_fill_zeros" not in reader  # no edge guards: no size puts a block past an edge
    main = kernel.get_kernel_source("main")
    assert 'm_div64 = size_units("m", A_shape, "A", 0, 64);' in main


def test_sizes_that_do_not_fit_are_refused_with_the_granule():
    kernel = tt_cli.compile(gemm_kernel(), out_idx=[2])
    with pytest.raises(SizeError) as err:
        kernel(np.ones((100, 32), np.float32), np.ones((32, 64), np.float32))
    assert str(err.value) == (
        "kernel 'gemm' was compiled for runtime sizes; size 'm' = 100 is not a positive multiple "
        "of 64 (its granule: the tile and the block extents that tile it)\n"
        "  hint: pad 'm' to a multiple of 64 (128), or compile for this shape (a T.const size, or "
        "call the jit kernel, which compiles such shapes on their own)")


def test_reductions_with_runtime_rows():
    """Row softmax over a runtime number of rows: max 1e-5 relative to numpy (float32)."""
    kernel = tt_cli.compile(softmax_kernel(), out_idx=[1])
    rng = np.random.default_rng(3)
    for rows in (32, 96, 2080):  # 2080 / 32 = 65 blocks: one core gets two
        x = rng.standard_normal((rows, 128)).astype(np.float32)
        e = np.exp(x - x.max(1, keepdims=True))
        np.testing.assert_allclose(kernel(x), e / e.sum(1, keepdims=True), rtol=1e-5, atol=1e-6)


def test_eager_kernel_compiles_once_and_falls_back_for_other_shapes(capfd):
    rng = np.random.default_rng(5)
    for m, n in [(32, 64), (96, 192), (64, 128)]:
        a, b = (rng.standard_normal((m, n)).astype(np.float32) for _ in range(2))
        np.testing.assert_array_equal(scaled_add(a, b), a * 2.0 + b)
    assert len(scaled_add._cache) == 1  # one compiled kernel for the three shapes
    a, b = (rng.standard_normal((40, 64)).astype(np.float32) for _ in range(2))
    np.testing.assert_array_equal(scaled_add(a, b), a * 2.0 + b)  # 40 rows: its own compile
    assert len(scaled_add._cache) == 2
    assert "size 'm' = 40 is not a positive multiple of 32" in capfd.readouterr().err


def test_runtime_size_kernels_compile_against_the_sdk(tmp_path, capsys):
    """The kernels that read their sizes with get_arg_val build against the real device headers."""
    import shutil

    from tt_codegen.sdk_check import find_sdk
    from tt_codegen.sdk_check.__main__ import main as sdk_check_main

    if find_sdk() is None or shutil.which("clang++-19") is None:
        pytest.skip("no SDK cache or clang-19: run `python -m tt_codegen.sdk_check --setup`")
    tt_cli.compile(gemm_kernel(), out_idx=[2]).save(tmp_path / "gemm")
    tt_cli.compile(softmax_kernel(), out_idx=[1]).save(tmp_path / "softmax")
    assert sdk_check_main(["--arch", "wormhole_b0", str(tmp_path)]) == 0
    assert "6/6 kernel builds ok" in capsys.readouterr().out


def test_tt_run_and_inspect_take_the_sizes(tmp_path):
    """`tt run FILE --size` checks examples/dynamic_gemm.py against its reference at the sizes
    given (the others at two granules); `tt inspect DIR --size` shows the binding and the sizes;
    an unknown size is refused, naming the kernel's sizes."""
    from pathlib import Path

    from click.testing import CliRunner

    from tt_cli.cli import cli

    example = str(Path(__file__).resolve().parents[1] / "examples" / "dynamic_gemm.py")
    run = CliRunner().invoke(cli, ["run", example, "--size", "m=192", "--size", "k=96"])
    assert run.exit_code == 0, run.output
    assert "runtime sizes: m=192, k=96, n=128 (granules m: 64, k: 32, n: 64; set with --size)" in run.output
    assert "C: PASS" in run.output
    out = tmp_path / "dg"
    assert CliRunner().invoke(cli, ["compile", example, "-o", str(out)]).exit_code == 0
    shown = CliRunner().invoke(cli, ["inspect", str(out), "--size", "m=1024"])
    assert "  m: a multiple of 64, read from A dim 0; the kernels get m_div64 = m / 64" in shown.output
    assert "work: logical grid 2x16x1 = 32 blocks on 32 cores" in shown.output
    bad = CliRunner().invoke(cli, ["run", str(out), "--size", "q=64"])
    assert bad.exit_code != 0
    assert str(bad.exception) == "--size q: kernel 'gemm' has the runtime sizes m, k, n"


def test_a_runtime_k_keeps_a_static_grid_and_its_multicast_order():
    """Only K dynamic: the grid (and reuse="mcast"'s tiled order) is fixed at compile time and
    the kernels get K / block_K; right for several K (bound as in the first test)."""
    kernel = tt_cli.compile(static_mn_gemm(), out_idx=[2], reuse="mcast")
    assert kernel.plan["work"]["order"] == "tiled" and kernel.plan["work"]["cores"]
    rng = np.random.default_rng(11)
    for k in (32, 96, 256):
        a = rng.standard_normal((512, k)).astype(np.float32)
        b = rng.standard_normal((k, 512)).astype(np.float32)
        c = np.asarray(kernel(a, b), np.float64)
        ref = _bf16(a) @ _bf16(b)
        assert np.abs(c - ref).max() <= 2.0 ** -8 * np.abs(ref).max() + 1e-3 * k ** 0.5, k


def static_mn_gemm(M=512, N=512, block=64):
    K = T.dynamic("k")

    @T.prim_func
    def gemm(A: T.Tensor((M, K), T.bfloat16), B: T.Tensor((K, N), T.bfloat16),
             C: T.Tensor((M, N), T.bfloat16)):
        with T.Kernel(N // block, M // block) as (bx, by):
            A_s = T.alloc_shared((block, 32), T.bfloat16)
            B_s = T.alloc_shared((32, block), T.bfloat16)
            C_l = T.alloc_fragment((block, block), T.float32)
            T.clear(C_l)
            for k in T.Pipelined(T.ceildiv(K, 32), num_stages=2):
                T.copy(A[by * block, k * 32], A_s)
                T.copy(B[k * 32, bx * block], B_s)
                T.gemm(A_s, B_s, C_l)
            T.copy(C_l, C[by * block, bx * block])

    return gemm
