"""Compiling twice gives the same bytes; bad programs end with their TTCompileError."""

import pytest
from corpus import CORPUS, build

import tt_cli
import tt_ir.language as T
from tt_ir import TTCompileError


@pytest.mark.parametrize("case", [c for c in CORPUS if c.id in ("gemm-rect-256x512x128", "quickstart-256", "eltwise-add-256-64x128")], ids=lambda c: c.id)
def test_compiling_twice_is_byte_identical(case):
    func, out_idx, _ = build(case)
    first = tt_cli.compile(func, out_idx=out_idx).artifacts
    func, out_idx, _ = build(case)
    second = tt_cli.compile(func, out_idx=out_idx).artifacts
    assert sorted(first) == ["compute.cpp", "main.cpp", "reader.cpp", "tt.plan.json", "writer.cpp"]
    for name in first:
        assert first[name] == second[name], f"{name} differs between two compilations"


def _copy_kernel(M, N, bm, bn, dtype=T.bfloat16):
    @T.prim_func
    def copy(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm)) as (bx, by):
            S = T.alloc_shared((bm, bn), dtype)
            T.copy(A[by * bm, bx * bn], S)
            T.copy(S, B[by * bm, bx * bn])

    return copy


def test_block_not_multiple_of_32():
    with pytest.raises(TTCompileError, match=r"(?s)48.*multiple of 32"):
        tt_cli.compile(_copy_kernel(96, 96, 48, 32), out_idx=[1])


def test_l1_overflow_prints_a_cb_table():
    """512x512 bf16 blocks: three 512 KiB CBs do not fit Wormhole's 1.36 MiB of usable L1."""
    from corpus import load_example

    add = load_example("elementwise_add.py").elementwise_add
    func = add.factory(M=1024, N=1024, block_M=512, block_N=512)
    with pytest.raises(TTCompileError, match=r"(?s)L1.*A_shared.*B_shared.*C_local.*hint") as err:
        tt_cli.compile(func, out_idx=[2])
    assert "1396736" in str(err.value)


def test_unsupported_op_is_named():
    """`%` of int32 tile values has no tile lowering: the error names the op and the Parallel
    loop, with a hint about `//` / `%`. (This used T.floor and before it T.reduce_max, which
    both lower now.)"""
    @T.prim_func
    def bad(A: T.Tensor((64, 64), T.int32), B: T.Tensor((64, 64), T.int32)):
        with T.Kernel(1, 1) as (bx, by):
            S = T.alloc_shared((64, 64), T.int32)
            F = T.alloc_fragment((64, 64), T.int32)
            T.copy(A[0, 0], S)
            for i, j in T.Parallel(64, 64):
                F[i, j] = S[i, j] % 5
            T.copy(F, B[0, 0])

    with pytest.raises(TTCompileError) as err:
        tt_cli.compile(bad, out_idx=[1])
    assert err.value.pass_name == "lower_tt_tile_intrinsics"
    assert err.value.message.endswith(
        "FloorMod is not an elementwise op the TT SFPU lowering knows: `S[i, j] % 5` is not supported in T.Parallel")
    assert err.value.hint.startswith("`//` and `%` of tile values are not lowered")
    assert err.value.source_line.startswith("test_determinism_and_errors.py:")


def test_bfloat16_and_float16_outputs_of_one_kernel_are_refused():
    """Outputs of both exponent families (a bfloat16 and a float16 tensor written by one
    kernel): tt-metal's JIT would refuse the program and no reader can widen an output, so the
    compiler refuses it, naming both tensors and the way out."""
    @T.prim_func
    def two_casts(A: T.Tensor((64, 64), T.float32), B: T.Tensor((64, 64), T.bfloat16),
                  C: T.Tensor((64, 64), T.float16)):
        with T.Kernel(1, 1) as (bx, by):
            T.copy(A[0:64, 0:64], B[0:64, 0:64])
            T.copy(A[0:64, 0:64], C[0:64, 0:64])

    with pytest.raises(TTCompileError) as err:
        tt_cli.compile(two_casts, out_idx=[1, 2])
    text = str(err.value)
    assert "[tt-passes:propagate_tt_layout]" in text and "cannot share a program" in text
    assert "tensor 'C' (float16" in text and "tensor 'B' (bfloat16" in text
    assert "hint: keep float16 (or int8 tiles) and bfloat16 outputs and on-chip blocks in separate kernels" in text
