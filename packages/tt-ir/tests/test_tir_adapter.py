"""tt_ir.tir: the adapter over apache-tvm 0.27's moving API."""

from __future__ import annotations

import dataclasses
import importlib
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import kernels

import tt_ir.language as T
from tt_ir import tir


@pytest.fixture(scope="module")
def gemm():
    return kernels.matmul_relu(M=256, N=256, K=256, block_M=64, block_N=64, block_K=32)


def _small():
    @T.prim_func
    def small(A: T.Tensor((64,), "float32"), n: T.int32):
        for i in T.serial(16):
            A[i] = A[i + n] + T.float32(1)
            T.evaluate(T.call_extern("void", "noc_async_read_barrier"))

    return small


def test_walk_visits_post_order():
    """walk() reports children before parents; types= filters."""
    f = _small()
    kinds = []
    tir.walk(f.body, lambda x: kinds.append(type(x).__name__), types=(tir.For, tir.Evaluate))
    assert kinds == ["Evaluate", "For"]
    externs = tir.collect(f.body, tir.Call, lambda c: tir.extern_name(c) is not None)
    assert [tir.extern_name(c) for c in externs] == ["noc_async_read_barrier"]


def test_find_stops_at_first_match(gemm):
    """find() returns the first node (pre-order) satisfying the predicate."""
    hit = tir.find(gemm.body, lambda c: tir.is_call(c, "tl.tileop.copy"), types=tir.Call)
    assert tir.decode_region(hit.args[0]).buffer.name == "A"
    assert tir.find(gemm.body, lambda c: False, types=tir.Call) is None


def test_rewrite_replaces_bottom_up():
    """rewrite() swaps a call_extern callee; the rest of the body is untouched."""
    f = _small()

    def swap(c):
        if tir.extern_name(c) == "noc_async_read_barrier":
            return tir.call_extern("void", "noc_async_write_barrier")
        return c

    body = tir.rewrite(f.body, swap, types=tir.Call)
    names = [tir.extern_name(c) for c in tir.collect(body, tir.Call) if tir.extern_name(c)]
    assert names == ["noc_async_write_barrier"]
    assert not tir.structural_equal(body, f.body)


def test_substitute_replaces_uses_only():
    """substitute() replaces a parameter's uses, not its definition."""
    f = _small()
    n = f.params[1]
    body = tir.substitute(f.body, {n: 3})
    stores = tir.collect(body, tir.BufferStore)
    assert "A[i + 3]" in str(stores[0].value)
    assert tir.find(body, lambda v: v.same_as(n), types=tir.Var) is None


def test_op_construction():
    """const/call_extern/call_intrin build the expected nodes."""
    assert tir.dtype_of(tir.const(1.5)) == "float32"
    assert tir.dtype_of(tir.const(True)) == "bool"
    assert tir.as_int(tir.const(7)) == 7
    c = tir.call_extern("void", "cb_push_back", 0, 1)
    assert tir.extern_name(c) == "cb_push_back" and tir.op_name(c) == "tirx.call_extern"
    r = tir.make_region(tir.make_buffer((32, 32), "bfloat16", "X", "shared.dyn"), [0, 0], [32, 32], "r")
    d = tir.decode_region(r)
    assert (d.buffer.name, d.access, d.static_extents) == ("X", 1, [32, 32])
    assert tir.is_buffer(d.buffer) and not tir.is_buffer(tir.make_var("x"))


def test_expression_constructors_print_as_tvmscript():
    """floordiv/floormod/cast/logical_and/eq build the named node, unsimplified."""
    x, y = tir.make_var("x"), tir.make_var("y")
    cases = [
        (tir.floordiv(x, 4), tir.FloorDiv, "x // 4"),
        (tir.floormod(x, 4), tir.FloorMod, "x % 4"),
        (tir.cast("uint32", x), tir.Cast, 'T.Cast("uint32", x)'),
        (tir.logical_and(x < 1, y > 2), tir.And, "x < 1 and y > 2"),
        (tir.eq(x, y), tir.EQ, "x == y"),
        (tir.floordiv(tir.const(8), tir.const(4)), tir.FloorDiv, "T.FloorDiv(8, 4)"),
    ]
    for node, cls, text in cases:
        assert isinstance(node, cls) and str(node) == text
    assert tir.dtype_of(tir.cast("uint32", x)) == "uint32"


def test_if_then_else_with_and_without_else():
    """if_then_else takes an optional else case (0.27 wants it positionally)."""
    x = tir.make_var("x")
    a = tir.evaluate(tir.call_extern("void", "a"))
    b = tir.evaluate(tir.call_extern("void", "b"))
    only = tir.if_then_else(tir.eq(x, 0), a)
    assert only.else_case is None and str(only).endswith('if x == 0:\n    T.call_extern("void", "a")')
    both = tir.if_then_else(tir.eq(x, 0), a, b)
    assert isinstance(both, tir.IfThenElse)
    assert str(both).endswith('T.call_extern("void", "a")\nelse:\n    T.call_extern("void", "b")')


def test_extern_name_pure_flag():
    """extern_name accepts call_pure_extern unless pure=False."""
    pure = tir.call_pure_extern("int32", "f", 1)
    assert tir.extern_name(pure) == "f" and tir.extern_name(pure, pure=False) is None
    assert tir.extern_name(tir.call_extern("void", "g"), pure=False) == "g"


def test_functions_by_name():
    """functions(mod) maps each function's name to it, in module order."""
    f = _small()
    mod = tir.IRModule({"reader": f, "compute": f.with_attr("tt.kernel_role", "compute")})
    funcs = tir.functions(mod)
    assert sorted(funcs) == ["compute", "reader"]
    assert tir.get_attr(funcs["compute"], "tt.kernel_role") == "compute"
    assert tir.get_attr(funcs["reader"], "tt.kernel_role") is None


def test_binary_node_classes():
    """The binary/logical node classes are the types the operators build."""
    x, y = tir.make_var("x"), tir.make_var("y")
    pairs = [(x + y, tir.Add), (x - y, tir.Sub), (x * y, tir.Mul), (x < y, tir.LT),
             (x <= y, tir.LE), (x > y, tir.GT), (x >= y, tir.GE), (x % y, tir.FloorMod), (x // y, tir.FloorDiv)]
    for node, cls in pairs:
        assert isinstance(node, cls), (str(node), cls)


def test_public_names_resolve():
    """Every name in tir.__all__ exists, once."""
    assert [n for n in tir.__all__ if not hasattr(tir, n)] == []
    assert len(tir.__all__) == len(set(tir.__all__))


def test_attrs_and_schema_attach(gemm):
    """with_attr/get_attr give plain Python; attach/read round-trip a schema object."""

    @dataclasses.dataclass
    class Grid:
        x: int
        y: int

        def to_json(self):
            return {"x": self.x, "y": self.y}

        @classmethod
        def from_json(cls, d):
            return cls(d["x"], d["y"])

    f = tir.with_attrs(gemm, {"tt.a": [1, 2], "tt.b": {"k": "v"}})
    assert tir.get_attr(f, "tt.a") == [1, 2] and tir.get_attr(f, "tt.b") == {"k": "v"}
    assert tir.get_attr(f, "tt.missing", 5) == 5
    f = tir.attach(f, "tt.grid", Grid(8, 4))
    assert tir.read(f, "tt.grid", Grid) == Grid(8, 4)
    assert tir.read(f, "tt.grid") == {"x": 8, "y": 4}
    mod = tir.with_attr(tir.IRModule({"main": f}), "tt.plan", "{}")
    assert tir.get_attr(mod, "tt.plan") == "{}"


def test_json_and_text_roundtrip(gemm):
    """save_json/load_json and script/parse both preserve the function."""
    tir.assert_structural_equal(gemm, tir.load_json(tir.save_json(gemm)))
    tir.assert_structural_equal(gemm, tir.parse(tir.script(gemm)))
    mod = tir.IRModule({"matmul_relu": gemm})
    tir.assert_structural_equal(mod, tir.parse(tir.script(mod)))


def test_register_tt_op_roundtrips_and_is_idempotent():
    """A registered tt.* op prints as T.tt.<name> and parses back; re-registering is a no-op."""
    build = tir.register_tt_op("tile_read", "handle")
    assert tir.register_tt_op("tt.tile_read") is build
    tir.register_tt_op("dst_value", None)

    @T.prim_func
    def f(A: T.Tensor((32, 32), "float32")):
        T.evaluate(T.tt.tile_read(A.data, 3))
        A[0, 0] = T.tt.dst_value("float32", 1)

    text = tir.script(f)
    assert "T.tt.tile_read(A.data, 3)" in text and 'T.tt.dst_value("float32", 1)' in text
    tir.assert_structural_equal(f, tir.parse(text))


def test_reimport_is_harmless():
    """Importing the modules again (reload) re-registers nothing and fails nothing."""
    importlib.reload(importlib.import_module("tt_ir.tir._ops"))
    importlib.reload(importlib.import_module("tt_ir.language._build"))
    f = kernels.elementwise_add(M=64, N=64)
    tir.assert_structural_equal(f, tir.parse(tir.script(f)))
