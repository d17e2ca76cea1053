"""lower_shared_to_cb: shared buffers become circular buffers, fragments DST + CBs.

Requires: `propagate_tt_layout` (`tt.cbs`, `tt.compute_config`), `grid_to_core_grid`.
Rewrites: each on-chip `AllocBuffer` gets the annotation `{"tt.cb": index}`; a gemm
accumulator fragment also gets `"tt.dst": 1` (its values live in DST registers and
reach L1 only when packed). When the accumulator's block has more tiles than DST
holds *and* the K loop has more than one trip, the partial sums of a sub-block
cannot stay in DST across K. Option `spill`:
- "restream" (default): mark the accumulator CB `restream = unit` (its DST
  sub-block); lower_tt_tile_intrinsics then computes the block sub-block by
  sub-block, each over the whole K loop in DST (exact fp32 sums, no extra CB; A rows
  and B columns are re-read once per sub-block column/row).
- "partials": add an intermediate CB `<acc>_partials` (float32 with fp32
  accumulation, else the fragment's dtype; one block deep), allocated as a new
  annotated `AllocBuffer`; insert_dst_management spills/reloads through it.
- "off": refuse (DST overflow).
Two or more accumulators built over one K loop (their gemms share the innermost static
loop) always spill through partials CBs ("off" refuses): each gets DST for one K trip
at a time, so no two accumulators hold DST across the loop at once.
Guarantees: every CB in `tt.cbs` has a unique index < the arch's CB count; by
convention inputs from c_0, outputs from c_16, intermediates from c_24 (a range that
runs full spills into the next free index).
Refuses: more CBs than the arch has.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tt_ir import dtypes, get_arch, tir
from tt_passes import _meta, _sizes
from tt_passes._base import TTPass, kernel_func, with_kernel_body

BASE_INDEX = {"input": 0, "output": 16, "intermediate": 24, "scratch": 8}


# --- collect ---------------------------------------------------------------------
def _clears(loop: Any, name: str) -> bool:
    """Whether `loop`'s body fills `name` (a T.clear inside it restarts the sum every trip)."""
    return any(tir.is_call(c, "tl.tileop.fill") and str(tir.decode_region(c.args[0]).buffer.name)
               == name for c in tir.collect(loop.body, tir.Call))


def _accumulating_loops(body: Any, units: frozenset = frozenset()) -> dict:
    """{accumulator name: [the static loops its gemms accumulate over]}: the loops around a
    gemm, inside out, up to the first one that clears the accumulator in its body (attention's
    `S = Q @ K^T` is cleared every trip of its loop and accumulates over none)."""
    found: dict = {}
    stack: list = []

    def on_for(loop: Any, m: Any) -> Any:
        stack.append(loop)
        m.default_mutate(loop)
        stack.pop()
        return loop

    def on_call(call: Any, m: Any) -> Any:
        if tir.is_call(call, "tl.tileop.gemm"):
            name = str(tir.decode_gemm(call).C.buffer.name)
            loops = []
            for loop in reversed(stack):
                if _clears(loop, name):
                    break
                if tir.as_int(loop.extent) is not None or _size_trips(loop, units):
                    loops.append(loop)
            found.setdefault(name, []).append(loops)
        return call

    tir.mutate(body, [(tir.For, on_for), (tir.Call, on_call)])
    return found


def _size_trips(loop: Any, units: frozenset) -> bool:
    """Whether `loop` runs a trip count of runtime sizes (`K / block_K` units)."""
    m = _sizes.of_expr(loop.extent) if tir.as_int(loop.extent) is None else None
    return m is not None and bool(m[1]) and set(m[1]) <= units


def gemm_k_trips(body: Any, units: frozenset = frozenset()) -> dict:
    """{accumulator name: trips of the static loops its gemms accumulate over}; a trip count
    of runtime sizes counts as 2 (it may be more than one: partial sums must be kept)."""
    trips = {}
    for name, sites in _accumulating_loops(body, units).items():
        trips[name] = sum(math.prod(2 if tir.as_int(loop.extent) is None
                                    else tir.as_int(loop.extent) for loop in loops)
                          for loops in sites)
    return trips


def shared_k_loops(body: Any, in_dst: set, units: frozenset = frozenset()) -> set:
    """Accumulators held in DST whose gemm accumulates over a loop that other compute work
    needs DST in too: another accumulator's gemm (two GEMMs over one K loop, e.g. `S = Q@K^T`
    and `O = Q@V` side by side), or an on-chip op (a transposed A operand, an elementwise
    nest, a reduction, an on-chip copy)."""
    loops: dict = {}
    busy: set = set()
    for name, sites in _accumulating_loops(body, units).items():
        for site in sites:
            if site and name in in_dst:
                loops.setdefault(id(site[0]), set()).add(name)
                if _other_compute(site[0], name):
                    busy.add(name)
    return busy | {name for names in loops.values() if len(names) > 1 for name in names}


def _other_compute(loop: Any, acc: str) -> bool:
    """Whether `loop` runs compute work besides its gemms into `acc` and tensor copies."""
    if any(tir.scope_of(x.buffer) != "global" for x in tir.collect(loop.body, tir.BufferStore)):
        return True
    for call in tir.collect(loop.body, tir.Call):
        if tir.is_call(call, "tl.tileop.reduce"):
            return True
        if tir.is_call(call, "tl.tileop.copy"):
            src, dst = (tir.decode_region(a).buffer for a in call.args[:2])
            if tir.scope_of(src) != "global" and tir.scope_of(dst) != "global":
                return True
        if tir.is_call(call, "tl.tileop.fill") and \
                str(tir.decode_region(call.args[0]).buffer.name) != acc:
            return True
    return False


# --- decide ----------------------------------------------------------------------
def needs_spill(cb: Any, dst_tiles: int, k_trips: int, shares_k: bool = False) -> bool:
    """Partial sums must leave DST: K has several blocks and the block exceeds DST, or
    another accumulator is built over the same K loop (each gets DST per K trip)."""
    return cb.accumulator and k_trips > 1 and (cb.block_tiles > dst_tiles or shares_k)


def assign_indices(cbs: list, num_cbs: int) -> list | None:
    """CB indices by role convention; None when there are not enough CBs."""
    used: set = set()
    out = []
    for cb in cbs:
        base = BASE_INDEX[cb.role]
        free = [i for i in list(range(base, num_cbs)) + list(range(base)) if i not in used]
        if not free:
            return None
        used.add(free[0])
        out.append(_meta.replace(cb, index=free[0]))
    return out


def partials_cb(acc: Any, fragment_dtype: str, fp32: bool) -> Any:
    dtype = "float32" if fp32 else fragment_dtype
    fmt = dtypes.data_format(dtype)
    return _meta.CBInfo(name=f"{acc.name}_partials", role="intermediate", dtype=dtype,
                        data_format=fmt, page_size=dtypes.tile_bytes(fmt), block=acc.block,
                        unit=acc.unit, num_pages=acc.block_tiles, accumulator=True,
                        source_line=acc.source_line, of=acc.name)


# --- rewrite ---------------------------------------------------------------------
def annotate_allocs(body: Any, cbs: dict) -> Any:
    def visit(alloc: Any) -> Any:
        cb = cbs.get(str(alloc.buffer.name))
        if cb is None:
            return alloc
        ann = {"tt.cb": cb.index}
        if cb.accumulator:
            ann["tt.dst"] = 1
        return tir.AllocBuffer(alloc.buffer, annotations=ann)

    return tir.rewrite(body, visit, types=tir.AllocBuffer)


def add_partials_alloc(body: Any, cb: Any) -> Any:
    """Allocate the partials CB as an annotated buffer at the top of the block loop."""
    buf = tir.make_buffer([cb.block[0] * 32, cb.block[1] * 32], cb.dtype, cb.name,
                          scope="shared.dyn")
    alloc = tir.AllocBuffer(buf, annotations={"tt.cb": cb.index})
    loop = tir.find(body, lambda x: isinstance(x, tir.For), types=tir.For)
    if loop is None:
        return tir.seq(alloc, body)

    def visit(f: Any) -> Any:
        if not f.same_as(loop):
            return f
        return tir.For(f.loop_var, f.min, f.extent, f.kind, tir.seq(alloc, f.body))

    return tir.rewrite(body, visit, types=tir.For)


# --- pass ------------------------------------------------------------------------
@dataclass
class LowerSharedToCB(TTPass):
    name = "lower_shared_to_cb"
    arch: str = "wormhole_b0"
    spill: str = "partials"

    def run(self, mod: Any) -> Any:
        _, func = kernel_func(mod)
        arch = get_arch(self.arch)
        config = _meta.get(mod, _meta.COMPUTE)
        cbs = list(_meta.get(mod, _meta.CBS, []))
        units = frozenset(s["unit"] for s in _meta.get(mod, _meta.SIZES, []))
        trips = gemm_k_trips(func.body, units)
        fragments = {str(a.buffer.name): str(a.buffer.dtype)
                     for a in tir.collect(func.body, tir.AllocBuffer)}
        shared = shared_k_loops(func.body, {cb.name for cb in cbs if cb.accumulator}, units)
        spilled = [cb for cb in cbs if needs_spill(cb, config.dst_tiles, trips.get(cb.name, 1),
                                                   cb.name in shared)]
        if spilled and self.spill == "off":
            raise self._dst_overflow(spilled[0], config, trips.get(spilled[0].name, 1), shared)
        if self.spill == "restream":  # restreaming narrows one accumulator's operands
            cbs = [_meta.replace(cb, restream=list(cb.unit))
                   if cb in spilled and cb.name not in shared else cb for cb in cbs]
            spilled = [cb for cb in spilled if cb.name in shared]
        extra = [partials_cb(cb, fragments[cb.name], config.fp32_dest_acc_en) for cb in spilled]
        assigned = assign_indices(cbs + extra, arch.num_cbs)
        if assigned is None:
            raise self.error(f"the kernel needs {len(cbs) + len(extra)} circular buffers, "
                             f"{arch.name} has {arch.num_cbs}", obj="CBs "
                             + ", ".join(c.name for c in cbs + extra),
                             numbers={"needed": len(cbs) + len(extra), "available": arch.num_cbs},
                             hint="use fewer shared/fragment buffers per kernel, or target "
                                  "blackhole (64 CBs)")
        body = annotate_allocs(func.body, _meta.by_name(assigned))
        for cb in assigned[len(cbs):]:
            body = add_partials_alloc(body, cb)
        mod = with_kernel_body(mod, body)
        return _meta.put(mod, _meta.CBS, assigned)

    def _dst_overflow(self, cb: Any, config: Any, trips: int, shared: set) -> Any:
        if cb.name in shared:
            others = ", ".join(sorted(shared - {cb.name}))
            return self.error(
                f"the accumulator shares its K loop ({trips} trips) with {others}; each gets "
                "DST for one K trip and its partial sums leave DST between trips, which "
                "spill=\"off\" forbids", obj=f"fragment '{cb.name}'", source_line=cb.source_line,
                numbers={"k_blocks": trips}, hint="use spill=\"partials\" (the default)")
        return self.error(
            f"the accumulator block is {cb.block[0]}x{cb.block[1]} = {cb.block_tiles} tiles, DST "
            f"holds {config.dst_tiles}, and K has {trips} blocks: sub-blocking needs partial "
            "sums to leave DST, which spill=\"off\" forbids",
            obj=f"fragment '{cb.name}'", source_line=cb.source_line,
            numbers={"block_tiles": cb.block_tiles, "dst_tiles": config.dst_tiles,
                     "k_blocks": trips},
            hint=f"use spill=\"restream\" or \"partials\", or block_M*block_N <= {config.dst_tiles} tiles "
                 "(fp32_acc=False doubles DST), or one K block (block_K = K)")


def lower_shared_to_cb(**options: Any) -> Any:
    """The `lower_shared_to_cb` pass as a TVM pass (option: arch)."""
    return LowerSharedToCB(**options).as_tvm_pass()
