"""tt_ir.importer: TileLang's printed frontend IR -> the same canonical IR that T builds."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import kernels

import tt_ir.language as T
from tt_ir import tir
from tt_ir.errors import TTError
from tt_ir.importer import import_tilelang

HERE = os.path.join(os.path.dirname(__file__), "tilelang_ir")


def _text(name):
    with open(os.path.join(HERE, name)) as fh:
        return fh.read()


def test_quickstart_gemm_equals_t_built():
    """TileLang's printed quickstart GEMM imports structurally equal to kernels.matmul_relu()."""
    imported = import_tilelang(_text("matmul_relu.py.txt"))
    built = kernels.matmul_relu()
    tir.assert_structural_equal(tir.strip_source_lines(imported), tir.strip_source_lines(built))
    assert tir.get_attr(imported, "tl.launch_threads") == [128, 1, 1]


def test_imported_source_lines_point_into_the_text():
    """Each tile op is located at its line in the imported text."""
    text = _text("matmul_relu.py.txt")
    imported = import_tilelang(text, source_name="mm.tl")
    lines = text.splitlines()
    for call, where in tir.tile_op_sites(imported):
        name, lineno = where.split(":")
        assert name == "mm.tl"
        short = tir.op_name(call).rsplit(".", 1)[-1]
        assert lines[int(lineno) - 1].strip().startswith(f"T.{short}(")


def test_imported_ir_roundtrips():
    """The imported function prints and re-parses structurally equal."""
    imported = import_tilelang(_text("matmul_relu.py.txt"))
    tir.assert_structural_equal(imported, tir.parse(tir.script(imported)))


def test_swizzle_attr_none_becomes_zero():
    """`T.attr(None, "threadblock_swizzle_pattern", ...)` imports like T.use_swizzle(10)."""
    imported = import_tilelang(_text("elementwise_add_swizzle.py.txt"))

    @T.prim_func
    def elementwise_add(A: T.Tensor((1024, 1024), T.bfloat16), B: T.Tensor((1024, 1024), T.bfloat16),
                        C: T.Tensor((1024, 1024), T.bfloat16)):
        with T.Kernel(32, 32, threads=128) as (bx, by):
            A_shared = T.alloc_shared((32, 32), T.bfloat16)
            B_shared = T.alloc_shared((32, 32), T.bfloat16)
            C_local = T.alloc_fragment((32, 32), T.bfloat16)
            T.use_swizzle(10)
            T.copy(A[by * 32, bx * 32], A_shared)
            T.copy(B[by * 32, bx * 32], B_shared)
            for i, j in T.Parallel(32, 32):
                C_local[i, j] = A_shared[i, j] + B_shared[i, j]
            T.copy(C_local, C[by * 32, bx * 32])

    tir.assert_structural_equal(tir.strip_source_lines(imported), tir.strip_source_lines(elementwise_add))
    swizzle = tir.collect(imported.body, tir.AttrStmt,
                          lambda s: s.attr_key == "threadblock_swizzle_pattern")
    assert len(swizzle) == 1 and tir.as_int(swizzle[0].node) == 0


def test_head_gemm_with_strides_is_reduced_to_13_slots():
    """A 19-argument gemm (TileLang HEAD: strides, offsets, k_pack, wg_wait) drops to T's form."""
    text = _text("matmul_relu.py.txt").replace(
        "128, 128, 32, 0, T.bool(False), 0, 0, 0)",
        "128, 128, 32, 0, T.bool(False), 32, 128, 0, 0, 1, 0, 0, 0, 0)")
    imported = import_tilelang(text)
    tir.assert_structural_equal(tir.strip_source_lines(imported),
                                tir.strip_source_lines(kernels.matmul_relu()))


def test_thread_index_use_is_rejected():
    """A kernel body that reads a thread index cannot be imported."""
    text = _text("matmul_relu.py.txt").replace(
        "C_local[i, j] = T.max(C_local[i, j], T.float32(0.0))",
        "C_local[i, j] = T.max(C_local[i, j], T.Cast(\"float32\", tx))")
    with pytest.raises(TTError, match="thread index 'tx'"):
        import_tilelang(text)


def test_threadidx_binding_is_rejected():
    """Only blockIdx bindings map to cores."""
    text = _text("matmul_relu.py.txt").replace('thread="blockIdx.y"', 'thread="threadIdx.x"')
    with pytest.raises(TTError, match="'threadIdx.x' is not a blockIdx"):
        import_tilelang(text)


def test_layout_metadata_is_rejected():
    """Layouts printed as metadata[...] (T.annotate_layout, or IR after LayoutInference) are
    refused, saying where they come from and what to do."""
    with pytest.raises(TTError, match="remove T.annotate_layout from the kernel and print its "
                                      "frontend IR, before LayoutInference"):
        import_tilelang('T.sblock_attr({"layout_map": {A: metadata["tl.Layout"][0]}})')


def test_unknown_op_is_tterror():
    """An op without a shim gives a TTError, not a raw parser traceback."""
    text = _text("matmul_relu.py.txt").replace("T.fill(", "T.atomic_add(")
    with pytest.raises(TTError, match="TVMScript rejected"):
        import_tilelang(text)
