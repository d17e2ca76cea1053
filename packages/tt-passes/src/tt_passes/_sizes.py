"""Runtime sizes (`T.dynamic`): each size becomes ``granule * unit`` (see `tt_ir.sizes`).

`runtime_sizes(func)` finds the tensor dims that are variables, gives each size its granule
(the tile, 32, along a tensor's last two dims, and every static extent of a tile copy along
a dim it sizes), and rewrites the kernel with ``m -> 64 * m_div64``: the launch grid
``ceildiv(m, 64)`` and the loop trip counts simplify to plain units, and every tile count
derived from a size is a whole multiple of units. The units are the kernels' runtime
arguments (`finalize_persistent_signature`); the host reads the sizes from the inputs.

Monomials are the `(coef, units)` pairs of `tt_ir.sizes`; `expr` builds the uint32 TIR of
one (the lowering passes multiply page indices by it), `of_expr` reads one back.
"""

from __future__ import annotations

import math
from typing import Any

from tt_ir import tir
from tt_ir.sizes import monomial, parse_monomial
from tt_passes import _build as B

TILE = 32


# --- monomials ------------------------------------------------------------------------
def mono(value: Any) -> tuple[int, tuple]:
    """(coef, units) of an int, a plan monomial string or a (coef, units) pair."""
    if isinstance(value, tuple):
        return value
    return parse_monomial(value)


def mul(*values: Any) -> tuple[int, tuple]:
    coef, units = 1, []
    for v in values:
        c, u = mono(v)
        coef *= c
        units += list(u)
    return coef, tuple(sorted(units))


def div_exact(value: Any, d: int) -> tuple[int, tuple] | None:
    """`value / d` when the coefficient divides, else None."""
    c, u = mono(value)
    return (c // d, u) if c % d == 0 else None


def plan_value(value: Any) -> Any:
    """The plan form (int or "c*u...") of a monomial."""
    c, u = mono(value)
    return monomial(c, u)


def expr(value: Any) -> Any:
    """An int for a static monomial, else its uint32 TIR (`2 * m_div64`)."""
    c, u = mono(value)
    if not u:
        return c
    out = B.var(u[0])
    for name in u[1:]:
        out = out * B.var(name)
    return B.mul(c, out)


def of_expr(e: Any) -> tuple[int, tuple] | None:
    """The monomial of a product of unit variables and constants, else None."""
    if tir.as_int(e) is not None:
        return tir.as_int(e), ()
    if isinstance(e, tir.Var):
        return 1, (str(e.name),)
    if isinstance(e, tir.Cast):
        return of_expr(e.value)
    if isinstance(e, tir.Mul):
        a, b = of_expr(e.a), of_expr(e.b)
        return mul(a, b) if a is not None and b is not None else None
    return None


# --- the rewrite ----------------------------------------------------------------------
def size_vars(func: Any) -> dict:
    """{name: Var} of the tensor dims that are variables, in signature order."""
    out: dict = {}
    for param in func.params:
        if tir.is_buffer(param):
            for d in param.shape:
                if isinstance(d, tir.Var):
                    out.setdefault(str(d.name), d)
    return out


def granules(func: Any, sizes: dict) -> dict:
    """{size name: granule}: lcm of 32 (a tensor's last two dims are tiled) and the static
    extents of the tile copies along the dims the size gives."""
    g = dict.fromkeys(sizes, 1)

    def note(shape: list, dim: int, extent: int | None) -> None:
        d = shape[dim]
        if isinstance(d, tir.Var) and extent:
            g[str(d.name)] = math.lcm(g[str(d.name)], extent)

    for param in func.params:
        if tir.is_buffer(param):
            shape = list(param.shape)
            for dim in range(max(0, len(shape) - 2), len(shape)):
                note(shape, dim, TILE)
    for call in tir.collect(func.body, tir.Call):
        if not tir.is_call(call, "tl.tileop.copy"):
            continue
        for arg in call.args[:2]:
            region = tir.decode_region(arg)
            if tir.scope_of(region.buffer) != "global":
                continue
            shape = list(region.buffer.shape)
            for dim, ext in enumerate(region.static_extents):
                if ext is not None and ext > 1:
                    note(shape, dim, ext)
    return g


def rewrite(func: Any, sizes: dict, grains: dict) -> Any:
    """`func` with each size `m` replaced by `granule * m_div<granule>` (tensor shapes,
    launch extents, loop extents, indices), the extents simplified."""
    vmap: dict = {sizes[n]: tir.const(grains[n], "int32") * tir.make_var(unit_name(n, grains[n]))
                  for n in sizes}
    params = []
    for param in func.params:
        if tir.is_buffer(param):
            shape = [tir.simplify(tir.substitute(d, vmap)) for d in param.shape]
            new = tir.make_buffer(shape, str(param.dtype), str(param.name), tir.scope_of(param))
            vmap[param] = new
            params.append(new)
        else:
            params.append(param)
    body = tir.substitute(func.body, vmap)

    def simplify(node: Any) -> Any:
        if isinstance(node, tir.For) and tir.as_int(node.extent) is None:
            return tir.For(node.loop_var, node.min, tir.simplify(node.extent), node.kind,
                           node.body, annotations=node.annotations)
        if isinstance(node, tir.AttrStmt) and str(node.attr_key) == "thread_extent":
            return tir.AttrStmt(node.node, node.attr_key, tir.simplify(node.value), node.body)
        return node

    body = tir.rewrite(body, simplify, types=(tir.For, tir.AttrStmt))
    return tir.PrimFunc(params, body, attrs=func.attrs)


def unit_name(size: str, granule: int) -> str:
    return f"{size}_div{granule}"


def misuse(func: Any, units: set) -> tuple[str, str | None] | None:
    """(what, source line) of the first use of a runtime size the kernels cannot take: the
    sizes may shape tensors, launch grids and serial trip counts and appear in tensor indices,
    but not shape an on-chip buffer or a T.Parallel nest, nor be a value (`x / n`)."""
    def uses(node: Any) -> bool:
        return tir.find(node, lambda v: str(v.name) in units, types=tir.Var) is not None

    def allowed(node: Any) -> Any:  # the allowed uses, blanked out
        if isinstance(node, tir.TensorLoad) and tir.scope_of(node.source) == "global":
            return tir.const(0, tir.dtype_of(node))
        if isinstance(node, tir.For) and node.kind != tir.ForKind.PARALLEL:
            return tir.For(node.loop_var, node.min, tir.const(1, tir.dtype_of(node.extent)),
                           node.kind, node.body, annotations=node.annotations)
        if isinstance(node, tir.AttrStmt) and str(node.attr_key) == "thread_extent":
            return node.body  # (its IterVar holds the extent too)
        return node

    body = tir.rewrite(func.body, allowed, types=(tir.TensorLoad, tir.For, tir.AttrStmt))
    if not uses(body):
        return None
    line = None
    for attr in tir.collect(body, tir.AttrStmt):  # the innermost source line around a use
        here = tir.source_line_of(attr)
        if here is not None and uses(attr.body):
            line = here
    for alloc in tir.collect(body, tir.AllocBuffer):
        if any(uses(d) for d in alloc.buffer.shape):
            return f"it sizes on-chip buffer '{alloc.buffer.name}' (on-chip blocks have static shapes)", line
    for loop in tir.collect(body, tir.For):
        if uses(loop.extent):
            return "it is the extent of a T.Parallel nest (on-chip blocks have static shapes)", line
    return "it is used as a value (the tile engines take constants, not runtime arguments)", line
