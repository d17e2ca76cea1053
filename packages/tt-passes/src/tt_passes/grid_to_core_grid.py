"""grid_to_core_grid: the blockIdx launch becomes a persistent loop over assigned blocks.

Requires: `layout_aware_work_partition` (`tt.work`).
Rewrites: the `blockIdx.*` (and any `threadIdx.*`) launch attrs and TileLang's
launch-only attrs are removed; the kernel body becomes

    block_start: uint32 = tt.runtime_arg("block_start")
    block_count: uint32 = tt.runtime_arg("block_count")
    for b in range(block_count):
        bx: uint32 = (block_start + b) % gx
        by: uint32 = (block_start + b) // gx      (% gy when there is a bz)
        <old body, old block vars replaced by the new uint32 ones>

`tt.runtime_arg(name)` is a placeholder that `finalize_persistent_signature` turns
into `get_arg_val<uint32_t>(i)` once each kernel's argument list is known.
With the "tiled" work order (reuse="mcast") bx / by are that order's functions of
the linear id instead (`_mcast.tiled_block_exprs`); with "zigzag", bx is the row position
p folded: p/2 + (p%2) * (gx - 1 - 2*(p/2)).
Guarantees: no launch attrs remain; every core runs blocks block_start ..
block_start + block_count - 1 of the logical grid in the order of `tt.work`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir import tir
from tt_passes import _build as B
from tt_passes import _mcast, _meta, _sizes
from tt_passes._base import TTPass, kernel_func, with_kernel_body

RUNTIME_ARG = "tt.runtime_arg"
DROP_ATTRS = ("thread_extent", "threadblock_swizzle_pattern", "tl.launch_threads")
NAMES = ("bx", "by", "bz")


def runtime_arg(name: str) -> Any:
    return B.call(RUNTIME_ARG, name, ret=B.U32)


def is_block_count(value: Any) -> bool:
    """Whether `value` is the block count's runtime-arg placeholder."""
    return tir.extern_name(value) == RUNTIME_ARG and B.string(value.args[1]) == "block_count"


def persistent_loop(body: Any, is_count: Any = is_block_count) -> Any:
    """The For this pass made over the block count (None when there is none).
    `is_count(value)` recognizes the block count's Bind: the runtime-arg placeholder until
    finalize_persistent_signature, its `get_arg_val` after."""
    counts = [b.var for b in tir.collect(body, tir.Bind) if is_count(b.value)]
    if counts:
        for loop in tir.collect(body, tir.For):
            if loop.extent.same_as(counts[0]):
                return loop
    return None


def block_vars(body: Any, is_count: Any = is_block_count) -> dict:
    """{"bx" | "by" | "bz": Var}: the block indices this pass binds, found by their position
    (the Binds that open the persistent loop), never by name elsewhere in the kernel: a
    user's own `bx` is not one of them. The keys are the axes."""
    loop = persistent_loop(body, is_count)
    out: dict = {}
    for s in B.items(loop.body) if loop is not None else []:
        if not isinstance(s, tir.Bind) or str(s.var.name) not in NAMES:
            break
        out[str(s.var.name)] = s.var
    return out


# --- collect ---------------------------------------------------------------------
def strip_launch(body: Any) -> tuple[Any, dict]:
    """(body without launch attrs, {thread tag: old Var})."""
    found: dict = {}

    def visit(attr: Any) -> Any:
        key = str(attr.attr_key)
        if key == "thread_extent":
            found[str(attr.node.thread_tag)] = attr.node.var
            return attr.body
        return attr.body if key in DROP_ATTRS else attr

    return tir.rewrite(body, visit, types=tir.AttrStmt), found


# --- decide ----------------------------------------------------------------------
def block_index_exprs(linear: Any, grid: list, zigzag: bool = False) -> list:
    """[bx, by, bz] as uint32 expressions of the linear block id (row-major; with `zigzag`,
    position p of a row is bx = p/2 + (p%2) * (gx - 1 - 2*(p/2)): 0, gx-1, 1, gx-2, ...)."""
    gx, gy, gz = (_sizes.mono(g) for g in grid)  # runtime sizes: monomials of units
    one = (1, ())

    def u(m: tuple) -> Any:
        return B.as_expr(_sizes.expr(m))

    bx = B.u32(0) if gx == one else (linear if _sizes.mul(gy, gz) == one else linear % u(gx))
    if zigzag and gx != one:
        half = bx // B.u32(2)
        last = B.u32(gx[0] - 1) if not gx[1] else u(gx) - B.u32(1)
        bx = half + (bx % B.u32(2)) * (last - half * B.u32(2))
    by_all = linear // u(gx) if gx != one else linear
    by = B.u32(0) if gy == one else (by_all if gz == one else by_all % u(gy))
    bz = B.u32(0) if gz == one else linear // u(_sizes.mul(gx, gy))
    return [bx, by, bz]


# --- pass ------------------------------------------------------------------------
@dataclass
class GridToCoreGrid(TTPass):
    name = "grid_to_core_grid"

    def run(self, mod: Any) -> Any:
        _, func = kernel_func(mod)
        work = _meta.get(mod, _meta.WORK)
        body, old = strip_launch(func.body)
        start, count, b = B.var("block_start"), B.var("block_count"), B.var("b")
        if work.order == "tiled":
            exprs = _mcast.tiled_block_exprs(start + b, work.grid, work.tile)
        else:
            exprs = block_index_exprs(start + b, work.grid, work.order == "zigzag")
        binds, vmap = [], {}
        for axis, name, expr in zip(("blockIdx.x", "blockIdx.y", "blockIdx.z"), NAMES, exprs):
            if axis not in old:
                continue
            if tir.as_int(expr) is not None:
                vmap[old[axis]] = tir.const(0, "int32")
                continue
            new = B.var(name)
            binds.append(tir.Bind(new, expr))
            vmap[old[axis]] = tir.Cast(tir.dtype_of(old[axis]), new)
        for v in old.values():
            vmap.setdefault(v, tir.const(0, tir.dtype_of(v)))
        body = tir.substitute(body, vmap)
        loop = tir.For(b, B.u32(0), count, tir.ForKind.SERIAL, B.seq(*binds, body))
        new_body = B.seq(tir.Bind(start, runtime_arg("block_start")),
                         tir.Bind(count, runtime_arg("block_count")), loop)
        return with_kernel_body(mod, new_body)


def grid_to_core_grid() -> Any:
    """The `grid_to_core_grid` pass as a TVM pass."""
    return GridToCoreGrid().as_tvm_pass()
