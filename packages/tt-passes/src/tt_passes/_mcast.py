"""The multicast reuse schedule (`Options.reuse="mcast"`): decisions and reader code.

TileLang's GEMM schedule reads the A row-block and the B column-block of every output
block from DRAM on every K step, so a row of output blocks reads the same A blocks once
per block. The mcast schedule puts the logical block grid on a 2-D core grid in lockstep
(work order "tiled": core (x, y) owns the tile (x, y) of [tx, ty] blocks, so all cores of
a core row walk the same `by` sequence and all cores of a core column the same `bx`
sequence). A block copy whose tensor coordinates depend on `by` only ("row" sharing: the
GEMM's A) is read from DRAM by the core in grid column 0 and multicast along the row; one
that depends on `bx` only ("col" sharing: B) is read by the core in grid row 0 and
multicast down the column. A kernel that shares along both axes spreads its senders instead
(`spread_senders`: row y's at x = y mod cx, column x's at y = (x + 1) mod cy), which then
multicast to the whole row / column with loopback, so no core reads and sends both the A and
the B blocks. The multicast lands at the same CB L1 address on every core
(CBs are allocated at the same address on every core and every core runs the same
reserve/push sequence on them).

Handshake per block and shared CB (two semaphores per CB: the sender's "ready" counter
and each receiver's "valid" flag; reference §1.6, tt-metal matmul_multicore_reuse_mcast):

    cb_reserve_back; l1 = get_write_ptr
    if sender:   read the block from DRAM; noc_async_read_barrier
                 noc_semaphore_wait(ready, num_dests); noc_semaphore_set(ready, 0)
                 noc_async_write_multicast(l1 -> rectangle, bytes, num_dests)
                 noc_async_writes_flushed   (Blackhole needs it; harmless on Wormhole)
                 noc_semaphore_set_multicast(valid (== VALID on the sender) -> rectangle)
    else:        noc_semaphore_set(valid, INVALID)
                 noc_semaphore_inc(sender's ready, 1)
                 noc_semaphore_wait(valid, VALID)
    cb_push_back

Roles and NoC coordinates come from per-core runtime args (one reader source for all
cores): `<cb>_sender` (value 0/1), and the NoC coordinates of the sender and of the
multicast rectangle (`noc_x` / `noc_y` args: the plan carries logical coordinates, main.cpp
resolves them with `worker_core_from_logical_core`). The reader runs on NOC_1, which
multicasts from the far corner: the rectangle's start is the corner with the larger
coordinates (as in tt-metal's examples); on NOC_0 it would be the smaller one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir import tir
from tt_passes import _build as B

VALID, INVALID = 1, 0
AXES = ("row", "col")


# --- decide: the core tiling -----------------------------------------------------------
@dataclass(frozen=True)
class Tiling:
    """Core grid (cx, cy) over the block grid (gx, gy); each core owns tx * ty blocks."""

    cx: int
    cy: int
    tx: int
    ty: int


def tiling(grid: list, core_grid: tuple) -> Tiling | None:
    """The lockstep tiling of a 2-D block grid, or None when it is not worth it.

    tx is the smallest divisor of gx with gx / tx <= the core grid's width (same for y),
    so every core owns the same number of blocks. None (fall back to the row-major
    schedule) when the grid has a z extent, when no multicast group would have a
    receiver, or when the tiling keeps fewer than half the cores busy that the
    row-major split would.
    """
    gx, gy, gz = grid
    if gz != 1:
        return None
    tx = next(t for t in range(1, gx + 1) if gx % t == 0 and gx // t <= core_grid[0])
    ty = next(t for t in range(1, gy + 1) if gy % t == 0 and gy // t <= core_grid[1])
    cx, cy = gx // tx, gy // ty
    busy_row_major = min(gx * gy, core_grid[0] * core_grid[1])
    if cx * cy == 1 or 2 * cx * cy < busy_row_major:
        return None
    return Tiling(cx, cy, tx, ty)


def tiled_cores(t: Tiling) -> list:
    """work.cores of the "tiled" order: core (x, y) owns tile (x, y)."""
    n = t.tx * t.ty
    return [{"core": [x, y], "start": (y * t.cx + x) * n, "count": n}
            for y in range(t.cy) for x in range(t.cx)]


def _div(e: Any, d: int) -> Any:
    if d == 1 or tir.as_int(e) == 0:
        return e
    return e // B.u32(d)


def _mod(e: Any, m: int) -> Any:
    if m == 1 or tir.as_int(e) == 0:
        return B.u32(0)
    return e % B.u32(m)


def tiled_block_exprs(linear: Any, grid: list, tile: list) -> list:
    """[bx, by, bz] of a linear block id under the "tiled" order (uint32 exprs)."""
    gx, gy, _ = grid
    tx, ty = tile
    n = tx * ty
    tile_id, inner = _div(linear, n), _mod(linear, n)
    cx = gx // tx
    bx = B.add(B.mul(_mod(tile_id, cx), tx), _mod(inner, tx))
    by = B.add(B.mul(_div(tile_id, cx), ty), _div(inner, tx) if ty > 1 else 0)
    return [bx if gx > 1 else B.u32(0), by if gy > 1 else B.u32(0), B.u32(0)]


# --- decide: which copies are shared ------------------------------------------------
def shared_axis(copy_args: list, allowed: set, block: dict) -> str | None:
    """"row" if the copy's tensor coordinates use the block index `by` (and lockstep loop
    vars) only, "col" if they use `bx` only (or no block var), None otherwise. `block` maps
    the axes to their Vars (grid_to_core_grid.block_vars)."""
    used = B.vars_used(copy_args[2:4])
    bx, by = block.get("bx"), block.get("by")
    uses = {axis for axis, v in (("bx", bx), ("by", by)) if v is not None and v in used}
    rest = used - allowed - {v for v in (bx, by) if v is not None}
    if rest or uses == {"bx", "by"}:
        return None
    return "row" if uses == {"by"} else "col"


def lockstep_loop_vars(body: Any, persistent: Any) -> set:
    """Vars of the loops with constant extents (the same trips on every core) and of the
    persistent loop over a core's blocks (`persistent`, grid_to_core_grid's)."""
    out = {persistent.loop_var} if persistent is not None else set()
    for loop in tir.collect(body, tir.For):
        if tir.as_int(loop.extent) is not None:
            out.add(loop.loop_var)
    return out


def under_branch(body: Any, target: Any) -> bool:
    """Whether `target` sits inside an IfThenElse of `body` (role-dependent trips)."""
    return any(tir.find(branch, lambda s: s.same_as(target), types=tir.Evaluate) is not None
               for branch in tir.collect(body, tir.IfThenElse))


# --- runtime args -------------------------------------------------------------------
def arg_kinds(cb: str, axis: str) -> dict:
    """{arg name: kind} of one shared CB, in schema order."""
    if axis == "row":
        return {f"{cb}_sender": "value", f"{cb}_sender_x": "noc_x", f"{cb}_noc_y": "noc_y",
                f"{cb}_start_x": "noc_x", f"{cb}_end_x": "noc_x"}
    return {f"{cb}_sender": "value", f"{cb}_noc_x": "noc_x", f"{cb}_sender_y": "noc_y",
            f"{cb}_start_y": "noc_y", f"{cb}_end_y": "noc_y"}


def spread_senders(cx: int, cy: int) -> bool:
    """Whether the senders of a kernel that shares blocks along both axes can be spread so
    that no core sends both: row y's sender at x = y % cx, column x's at y = (x + 1) % cy
    (a diagonal and the one beside it). Otherwise core (0, 0) reads and multicasts both the
    GEMM's A and B, twice the NoC work of any other core."""
    return cx > 1 and cy > 1 and not any(y % cx == x and (x + 1) % cy == y
                                         for x in range(cx) for y in range(cy))


def sender_of(axis: str, core: list, cx: int, cy: int, spread: bool) -> int:
    """The sender's logical x (row sharing) or y (column sharing) for `core`'s row / column."""
    x, y = core
    if not spread:
        return 0
    return y % cx if axis == "row" else (x + 1) % cy


def arg_values(cb: str, axis: str, core: list, cx: int, cy: int, noc: str,
               spread: bool = False) -> dict:
    """Per-core values (logical coordinates for noc_* args) of one shared CB's args. Spread
    senders multicast to their whole row / column, themselves included (loopback); a sender
    at the edge to the rest of it."""
    x, y = core
    last = (cx if axis == "row" else cy) - 1
    first = 0 if spread else 1
    start, end = (last, first) if noc == "NOC_1" else (first, last)
    s = sender_of(axis, core, cx, cy, spread)
    if axis == "row":
        return {f"{cb}_sender": int(x == s), f"{cb}_sender_x": s, f"{cb}_noc_y": y,
                f"{cb}_start_x": start, f"{cb}_end_x": end}
    return {f"{cb}_sender": int(y == s), f"{cb}_noc_x": x, f"{cb}_sender_y": s,
            f"{cb}_start_y": start, f"{cb}_end_y": end}


# --- rewrite: the reader's statements -------------------------------------------------
def _sem_ptr(addr: Any) -> Any:
    return B.call("reinterpret_cast<volatile tt_l1_ptr uint32_t*>", addr, ret="handle")


def reader_vars(cb_name: str, axis: str) -> dict:
    """The reader's Vars of one shared CB: its runtime args and semaphore addresses."""
    names = [*arg_kinds(cb_name, axis), f"{cb_name}_ready_sem", f"{cb_name}_valid_sem"]
    return {n[len(cb_name) + 1:]: B.var(n) for n in names}


def mcast_block(cb: Any, axis: str, v: dict, num_dests: int, dram_reads: Any,
                l1: Any, ntiles: int, spread: bool = False) -> Any:
    """The handshake around one block of a shared CB (see the module docstring). `num_dests`
    receivers; spread senders (`spread_senders`) sit inside their rectangle and multicast with
    loopback, to num_dests + 1 cores, themselves included."""
    ready, valid = v["ready_sem"], v["valid_sem"]
    if axis == "row":
        rect = [v["start_x"], v["noc_y"], v["end_x"], v["noc_y"]]
        sender = [v["sender_x"], v["noc_y"]]
    else:
        rect = [v["noc_x"], v["start_y"], v["noc_x"], v["end_y"]]
        sender = [v["noc_x"], v["sender_y"]]
    nbytes = ntiles * cb.page_size
    loop, dests = ("_loopback_src", num_dests + 1) if spread else ("", num_dests)
    send = B.seq(
        dram_reads, B.extern("noc_async_read_barrier"),
        B.extern("noc_semaphore_wait", _sem_ptr(ready), num_dests),
        B.extern("noc_semaphore_set", _sem_ptr(ready), 0),
        B.extern(f"noc_async_write_multicast{loop}", l1,
                 B.call("get_noc_multicast_addr", *rect, l1, ret="uint64"), nbytes, dests),
        B.extern("noc_async_writes_flushed"),
        B.extern(f"noc_semaphore_set_multicast{loop}", valid,
                 B.call("get_noc_multicast_addr", *rect, valid, ret="uint64"), dests))
    receive = B.seq(
        B.extern("noc_semaphore_set", _sem_ptr(valid), INVALID),
        B.extern("noc_semaphore_inc", B.call("get_noc_addr", *sender, ready, ret="uint64"), 1),
        B.extern("noc_semaphore_wait", _sem_ptr(valid), VALID))
    return B.if_(tir.NE(v["sender"], B.u32(0)), send, receive)


def prologue(cb_name: str, axis: str, sems: list, v: dict) -> list:
    """Bind the runtime args and semaphore addresses; a sender's own valid flag is
    VALID (it is the source of the flag multicast)."""
    from tt_passes.grid_to_core_grid import runtime_arg

    binds = [tir.Bind(v[n[len(cb_name) + 1:]], runtime_arg(n)) for n in arg_kinds(cb_name, axis)]
    binds += [tir.Bind(v["ready_sem"], B.call("get_semaphore", sems[0], ret=B.U32)),
              tir.Bind(v["valid_sem"], B.call("get_semaphore", sems[1], ret=B.U32))]
    flag = B.extern("noc_semaphore_set", _sem_ptr(v["valid_sem"]), VALID)
    note = (f"{cb_name} is multicast along the core {axis}; a sender's valid flag is the "
            "source of the VALID multicast")
    return [*binds, B.comment(note, B.if_(tir.NE(v["sender"], B.u32(0)), flag))]


def epilogue() -> list:
    """Multicasts and semaphore increments complete before the kernel exits."""
    return [B.extern("noc_async_write_barrier"), B.extern("noc_async_atomic_barrier")]
