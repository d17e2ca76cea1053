"""Walks, rewrites and structural comparison, on `tvm_ffi.structural_*`.

apache-tvm 0.27 removed `stmt_functor` and the Python mutators; the replacement is
`tvm_ffi.structural_walk / structural_map / structural_mutate / structural_visit`.
These helpers keep the familiar shapes:

- `walk(node, fn, types=None, order="post")`: call `fn(x)` on every sub-node
  (optionally only those of `types`), post-order by default.
- `find(node, pred)`: the first sub-node (pre-order) for which `pred` is true.
- `collect(node, types, pred=None)`: all matching sub-nodes, pre-order.
- `rewrite(node, fn, types=None)`: bottom-up replacement: `fn(x)` returns `x`
  unchanged or a replacement; children are rewritten before parents.
- `substitute(node, {var: expr})`: replace use-sites of variables.
- `mutate(node, [(Type, fn(x, m))])`: callbacks that own recursion
  (`m.default_mutate(x)` / `m.mutate(child)`), for rewrites needing context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import tvm
import tvm_ffi
from tvm import ir

_ANY = object


def _entries(fn: Callable, types: Any) -> Any:
    if types is None:
        return [(_ANY, fn)]
    if isinstance(types, (list, tuple)):
        return [(tuple(types), fn)]
    return [(types, fn)]


def _is_node(x: Any) -> bool:
    return isinstance(x, tvm_ffi.Object) and not isinstance(x, (tvm_ffi.Array, tvm_ffi.Map))


def walk(node: Any, fn: Callable[[Any], Any], types: Any = None, order: str = "post") -> None:
    """Call `fn(x)` for every IR node `x` under (and including) `node`.

    Only FFI objects (Stmt, Expr, Buffer, Range, ...) are reported; containers
    (Array/Map) and plain Python values are skipped. `types` limits the callback
    to instances of a class or tuple of classes.
    """

    def visit(x: Any) -> None:
        if types is not None or _is_node(x):
            fn(x)

    tvm_ffi.structural_walk(node, _entries(visit, types), order=order)


def find(node: Any, pred: Callable[[Any], bool], types: Any = None) -> Any:
    """The first node (pre-order) with `pred(x)` true, or None."""

    def visit(x: Any) -> Any:
        if (types is not None or _is_node(x)) and pred(x):
            return tvm_ffi.VisitInterrupt(x)
        return None

    hit = tvm_ffi.structural_walk(node, _entries(visit, types), order="pre")
    return None if hit is None else hit.value


def collect(node: Any, types: Any, pred: Callable[[Any], bool] | None = None) -> list:
    """All nodes of `types` (pre-order) with `pred(x)` true (or all, if no pred)."""
    out: list = []

    def visit(x: Any) -> None:
        if pred is None or pred(x):
            out.append(x)

    tvm_ffi.structural_walk(node, _entries(visit, types), order="pre")
    return out


def rewrite(node: Any, fn: Callable[[Any], Any], types: Any = None) -> Any:
    """Bottom-up rewrite: `fn(x)` returns `x` or its replacement; children first."""

    def visit(x: Any) -> Any:
        if types is None and not _is_node(x):
            return x
        return fn(x)

    return tvm_ffi.structural_map(node, _entries(visit, types))


def mutate(node: Any, callbacks: Iterable[tuple[Any, Callable]]) -> Any:
    """`tvm_ffi.structural_mutate`: each callback `(x, m)` owns its subtree's recursion."""
    return tvm_ffi.structural_mutate(node, list(callbacks))


def substitute(node: Any, vmap: dict) -> Any:
    """Replace uses of the variables in `vmap` (keys: Var; values: Expr or int).

    Definition sites (loop vars, Bind targets, params) are left alone, as in the
    old `stmt_functor.substitute`.
    """
    if not vmap:
        return node
    table = [(k, v if isinstance(v, tvm_ffi.Object) else tvm.tirx.const(v)) for k, v in vmap.items()]

    def visit(v: Any, kind: Any) -> Any:
        if kind != tvm_ffi.DefRegionKind.NONE:
            return v
        for key, value in table:
            if v.same_as(key):
                return value
        return v

    return tvm_ffi.structural_map(node, with_def_region_kind=[(ir.Var, visit)])


def structural_equal(a: Any, b: Any, map_free_vars: bool = False) -> bool:
    """Structural equality (`tvm_ffi.structural_equal`)."""
    return bool(tvm_ffi.structural_equal(a, b, map_free_vars=map_free_vars))


def structural_hash(a: Any, map_free_vars: bool = False) -> int:
    """Structural hash (`tvm_ffi.structural_hash`)."""
    return int(tvm_ffi.structural_hash(a, map_free_vars=map_free_vars))


def assert_structural_equal(a: Any, b: Any, map_free_vars: bool = False) -> None:
    """Raise AssertionError naming the first mismatch when `a` and `b` differ."""
    ir.assert_structural_equal(a, b, map_free_vars=map_free_vars)
