"""layout_aware_work_partition: which core computes which blocks of the launch grid.

Requires: a kernel launched with `T.Kernel` (blockIdx.x/y/z `thread_extent` attrs).
Rewrites: nothing in the body.
Guarantees: module attribute `tt.work` = `WorkInfo`: the logical grid [gx, gy, gz],
the number of blocks (block id = (bz*gy + by)*gx + bx, row-major) and, for every core
that gets work, a contiguous range [start, start + count). Cores are taken in
row-major logical order over the chosen core grid; the first `num_blocks % ncores`
cores get one block more; cores beyond `num_blocks` get nothing (and no kernels).
With reuse="mcast" and a kernel that copies a block depending on only one of
bx / by from a global tensor (the GEMM's A and B), the partition is instead the
"tiled" order of `_mcast.tiling`: core (x, y) owns the tile (x, y) of tx * ty blocks,
every core the same count, so the cores of a core row / column run in lockstep
(what the reader's multicast needs). When the tiling does not pay (see
`_mcast.tiling`) the row-major split is kept.
When a loop's trip count depends on bx (causal attention: later query blocks see more keys)
the order is "zigzag": bx runs 0, gx-1, 1, gx-2, ... within each grid row, so a core's
consecutive blocks pair a short and a long one.
A grid of runtime sizes (`T.dynamic`: extents that are monomials of units) is split when the
host knows the sizes: `cores` stays empty and the order is row-major (or zigzag); the split
rule is `tt_ir.sizes.split_blocks`, the one used here.
Layout awareness: every tensor is DRAM interleaved, so any core may own any block;
owner-computes for sharded outputs is not implemented (sharded layouts are refused
by `infer_tt_layout`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir import get_arch, sizes, tir
from tt_passes import _mcast, _meta, _sizes
from tt_passes._base import TTPass, kernel_func

AXES = ("blockIdx.x", "blockIdx.y", "blockIdx.z")


# --- collect ---------------------------------------------------------------------
def launch_extents(body: Any) -> dict:
    """{"blockIdx.x": extent, ...} from the launch attrs."""
    out: dict = {}

    def visit(attr: Any) -> None:
        if str(attr.attr_key) == "thread_extent":
            tag = str(attr.node.thread_tag)
            if tag in AXES:
                out[tag] = tir.as_int(attr.value)
                if out[tag] is None:  # runtime sizes: a monomial of units, or None
                    m = _sizes.of_expr(attr.value)
                    out[tag] = None if m is None else _sizes.plan_value(m)

    tir.walk(body, visit, types=tir.AttrStmt)
    return out


def grid_of(body: Any) -> list:
    ext = launch_extents(body)
    return [ext.get(axis, 1) for axis in AXES]


def has_shared_copy(body: Any) -> bool:
    """Whether some read of a global tensor region depends on only one of bx / by."""
    block = {}

    def on_attr(attr: Any) -> None:
        if str(attr.attr_key) == "thread_extent" and str(attr.node.thread_tag) in AXES[:2]:
            block[attr.node.var] = str(attr.node.thread_tag)

    tir.walk(body, on_attr, types=tir.AttrStmt)
    found = []

    def on_call(call: Any) -> None:
        if not tir.is_call(call, "tl.region"):
            return
        region = tir.decode_region(call)
        if tir.scope_of(region.buffer) != "global" or region.access != 1:
            return
        used = {v for v in block if any(v in vars_of(m) for m in region.mins)}
        found.append(len(used) < 2)

    tir.walk(body, on_call, types=tir.Call)
    return any(found)


def work_grows_with_bx(body: Any) -> bool:
    """Whether a serial loop's trip count depends on bx (causal attention's
    `T.min(..., T.ceildiv((bx + 1) * bm, bn))`): blocks then do unequal work."""
    bx = [a.node.var for a in tir.collect(body, tir.AttrStmt)
          if str(a.attr_key) == "thread_extent" and str(a.node.thread_tag) == "blockIdx.x"]
    return bool(bx) and any(tir.as_int(f.extent) is None and bx[0] in vars_of(f.extent)
                            for f in tir.collect(body, tir.For))


def vars_of(expr: Any) -> set:
    out: set = set()
    tir.walk(expr, out.add, types=tir.Var)
    return out


# --- decide ----------------------------------------------------------------------
split_blocks = sizes.split_blocks  # the host of a runtime-size kernel splits the same way


# --- pass ------------------------------------------------------------------------
@dataclass
class LayoutAwareWorkPartition(TTPass):
    name = "layout_aware_work_partition"
    arch: str = "wormhole_b0"
    grid: tuple | None = None
    reuse: str = "auto"
    order: str = "auto"

    def reuse_mode(self, body: Any) -> str:
        """The reuse schedule asked for, "auto" resolved: "mcast" for a kernel with a T.gemm
        (its A and B blocks are shared along core rows and columns) unless the work order is
        asked for or the work grows with bx (causal attention keeps its zigzag balance)."""
        if self.reuse != "auto":
            return self.reuse
        gemm = any(tir.is_call(c, "tl.tileop.gemm") for c in tir.collect(body, tir.Call))
        return "mcast" if gemm and self.order == "auto" and not work_grows_with_bx(body) else "none"

    def run(self, mod: Any) -> Any:
        _, func = kernel_func(mod)
        grid = grid_of(func.body)
        if any(g is None for g in grid):
            raise self.error("the launch grid must be static or a product of runtime sizes "
                             "over block sizes", obj="T.Kernel", numbers={"grid": grid},
                             hint="launch T.ceildiv(M, block_M) blocks for a T.dynamic size M")
        core_grid = get_arch(self.arch, self.grid).grid
        if any(not isinstance(g, int) for g in grid):  # runtime sizes: the host splits the
            order = self.order                          # blocks when it knows them
            if order == "auto":
                order = "zigzag" if work_grows_with_bx(func.body) else "row_major"
            if order not in ("row_major", "zigzag"):
                raise self.error(f"work order '{order}' needs a static launch grid",
                                 obj="T.Kernel", numbers={"grid": grid},
                                 hint="use order='row_major', or T.const sizes")
            work = _meta.WorkInfo(grid=grid, num_blocks=_sizes.plan_value(_sizes.mul(*grid)),
                                  order=order, cores=[])
            return _meta.put(mod, _meta.WORK, work)
        num_blocks = grid[0] * grid[1] * grid[2]
        tiles = None
        if self.reuse_mode(func.body) == "mcast" and has_shared_copy(func.body):
            tiles = _mcast.tiling(grid, core_grid)
        if tiles is not None:
            work = _meta.WorkInfo(grid=grid, num_blocks=num_blocks, order="tiled",
                                  tile=[tiles.tx, tiles.ty], cores=_mcast.tiled_cores(tiles))
            return _meta.put(mod, _meta.WORK, work)
        order = self.order
        if order == "auto":
            order = "zigzag" if grid[0] > 2 and work_grows_with_bx(func.body) else "row_major"
        work = _meta.WorkInfo(grid=grid, num_blocks=num_blocks, order=order,
                              cores=split_blocks(num_blocks, core_grid))
        return _meta.put(mod, _meta.WORK, work)


def layout_aware_work_partition(**options: Any) -> Any:
    """The `layout_aware_work_partition` pass as a TVM pass (options: arch, grid, reuse, order)."""
    return LayoutAwareWorkPartition(**options).as_tvm_pass()
