"""The performance model: device time of a run from its counters and its plan.

Owns: `estimate` (counters + plan -> `PerfEstimate`, defined in `_perf_estimate`). The
model, per work core: reader, compute and writer busy cycles from the
counters; the three overlap or take turns depending on how many blocks each CB holds; the
chip takes as long as its slowest core or as all DRAM bytes at the chip's DRAM bandwidth,
whichever is longer, plus a launch overhead. Constants and their sources: `_perf_hw`.
Does not own: running anything (the counters come from `tt_runtime.run`).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

from tt_ir import Plan, get_arch, load_plan, validate_plan
from tt_runtime import _perf_hw as hw
from tt_runtime._perf_estimate import PerfEstimate
from tt_runtime._result import RunResult

BOUNDS = ("compute", "dram", "noc")
_KNOWN_OPS = ("matmul", "add", "sub", "mul", "copy", "pack", "reduce_sum", "reduce_max", "reduce_avg",
              "transpose", "unary_bcast_rows", "unary_bcast_cols", "unary_bcast_scalar",
              *(f"bcast_{k}_{op}" for k in ("rows", "cols", "scalar") for op in ("add", "sub", "mul")))


@dataclasses.dataclass(frozen=True)
class _Facts:
    """What the model needs from the plan (and the kernels, when given)."""

    fidelity: str
    in_tile: int        # bytes unpacked per operand of matmul/add/sub/mul
    copy_tile: int      # bytes unpacked by copy_tile (the spill CB's tiles if there is one)
    out_tile: int       # bytes packed per pack_tile
    read_packet: int    # bytes per NoC read (the input buffers' page size)
    write_packet: int
    read_block: float   # bytes the reader moves between barriers
    write_block: float
    overlap_in: bool    # reader and compute overlap (every reader->compute CB holds >= 2 blocks)
    overlap_out: bool   # compute and writer overlap
    blocks_assumed: bool


def estimate(result: RunResult, plan: Plan | dict[str, Any] | str | Path, *,
             kernels_dir: str | Path | None = None, launch_us: float = hw.LAUNCH_OVERHEAD_US) -> PerfEstimate:
    """Estimate the device time of ``result`` on silicon.

    Args:
        result: A `RunResult` (its counters and arch are used).
        plan: The run's plan: a `tt_ir.Plan`, a decoded ``tt.plan.json``, the path of one, or
            an artifact directory (with runtime sizes, the result's own bound plan is used). Each CB's transfer size is its plan entry's
            ``block_pages``; a plan without them (older) is assumed to hold two blocks per CB.
        kernels_dir: Accepted for compatibility; the generated C++ is not read.
        launch_us: Fixed launch overhead added to the device time.

    Returns:
        The `PerfEstimate`.
    """
    plan, kernels_dir = _load(result.plan if result.plan is not None else plan, kernels_dir)
    arch = hw.ARCH_PERF[result.arch]
    blocks = {cb.name: cb.block_pages for cb in plan.circular_buffers if cb.block_pages}
    facts = _plan_facts(plan, blocks)
    cores = {name: _core(c, facts, arch) for name, c in result.counters.items()}
    critical = max(cores, key=lambda name: cores[name]["total"], default="")
    core_cycles = cores[critical]["total"] if critical else 0.0
    dram_bytes = sum(c["dram_bytes"] for c in cores.values())
    dram_cycles = dram_bytes / arch.dram_bytes_per_cycle
    device_cycles = max(core_cycles, dram_cycles)
    time_us = device_cycles / (arch.clock_ghz * 1e3) + launch_us
    grid_cores = _grid_cores(plan, result.arch)
    matmul_tiles = sum(c.get("tile_ops", {}).get("matmul", 0) for c in result.counters.values())
    slow = cores.get(critical, _core({}, facts, arch))
    return PerfEstimate(
        arch=result.arch, math_fidelity=facts.fidelity, clock_ghz=arch.clock_ghz, time_us=time_us,
        device_cycles=device_cycles, launch_us=launch_us,
        bound=_bound(slow, core_cycles, dram_cycles), critical_core=critical,
        roles={k: slow[k] for k in ("reader", "compute", "writer")},
        compute_threads={k: slow[k] for k in ("unpack", "math", "pack")},
        overlap={"reader_compute": facts.overlap_in, "compute_writer": facts.overlap_out},
        core_cycles=core_cycles, dram_cycles=dram_cycles, dram_bytes=dram_bytes,
        dram_gbps=dram_bytes / (time_us * 1e3),
        matmul_tiles=matmul_tiles, tflops=matmul_tiles * hw.MATMUL_TILE_FLOPS / (time_us * 1e6),
        peak_tflops=_peak_tflops(grid_cores, arch.clock_ghz, facts.fidelity),
        utilization=_utilization(matmul_tiles, facts.fidelity, grid_cores, time_us * arch.clock_ghz * 1e3),
        grid_cores=grid_cores, active_cores=len(cores),
        per_core={name: c["total"] for name, c in cores.items()}, notes=_notes(facts, result))


def _load(plan: Any, kernels_dir: Any) -> tuple[Plan, Any]:
    if isinstance(plan, Plan):
        return plan, kernels_dir
    if isinstance(plan, dict):
        return validate_plan(plan, json_schema=False), kernels_dir
    path = Path(plan)
    if path.is_dir():
        return load_plan(path / "tt.plan.json"), kernels_dir if kernels_dir is not None else path
    return load_plan(path), kernels_dir


def _plan_facts(plan: Plan, blocks: dict[str, int]) -> _Facts:
    cbs = plan.circular_buffers
    ins = [cb for cb in cbs if cb.consumer == "compute" and not cb.is_spill]
    spills = [cb for cb in cbs if cb.is_spill]
    outs = [cb for cb in cbs if cb.producer == "compute"]
    reads = [cb for cb in cbs if cb.producer == "reader"]
    writes = [cb for cb in cbs if cb.consumer == "writer"]

    def block(cb) -> int:
        return blocks.get(cb.name) or max(1, cb.num_pages // 2)

    def block_bytes(group) -> float:
        return sum(block(cb) * cb.page_size for cb in group) / len(group) if group else math.inf

    in_tile = max((cb.page_size for cb in ins), default=2048)
    return _Facts(
        fidelity=plan.compute_config.math_fidelity,
        in_tile=in_tile,
        copy_tile=spills[0].page_size if spills else in_tile,
        out_tile=max((cb.page_size for cb in outs), default=2048),
        read_packet=min((b.page_size for b in plan.buffers if b.role in ("input", "inout")), default=2048),
        write_packet=min((b.page_size for b in plan.buffers if b.role in ("output", "inout")), default=2048),
        read_block=block_bytes(reads), write_block=block_bytes(writes),
        overlap_in=all(cb.num_pages >= 2 * block(cb) for cb in reads),
        overlap_out=all(cb.num_pages >= 2 * block(cb) for cb in writes),
        blocks_assumed=not blocks,
    )


def _compute_threads(tile_ops: dict[str, int], f: _Facts, setup: dict[str, int] | None = None) -> dict[str, float]:
    """Busy cycles of the unpack, math and pack threads for these tile-op counts and engine
    set-up calls (inits and reconfigs, `hw.SETUP_CYCLES`)."""
    unpack = mth = pack = 0.0
    for kind, n in (setup or {}).items():
        u, m, p = hw.SETUP_CYCLES.get(kind, (0, 0, 0))
        unpack, mth, pack = unpack + n * u, mth + n * m, pack + n * p
    for kind, n in tile_ops.items():
        if kind == "matmul":
            unpack, mth = unpack + n * 2 * f.in_tile / hw.UNPACK_BYTES_PER_CYCLE, mth + n * hw.MATMUL_CYCLES[f.fidelity]
        elif kind in ("add", "sub", "mul"):
            phases = hw.FIDELITY_PHASES[f.fidelity] if kind == "mul" else 1
            unpack += n * 2 * f.in_tile / hw.UNPACK_BYTES_PER_CYCLE
            mth += n * hw.ELTWISE_MATH_CYCLES * phases
        elif kind.startswith("bcast_"):  # an FPU eltwise pass with one operand broadcast
            phases = hw.FIDELITY_PHASES[f.fidelity] if kind.endswith("_mul") else 1
            unpack += n * 2 * f.in_tile / hw.UNPACK_BYTES_PER_CYCLE
            mth += n * hw.ELTWISE_MATH_CYCLES * phases
        elif kind.startswith("reduce_"):  # the block tile and the scaler tile
            phases = 1 if kind == "reduce_max" else hw.FIDELITY_PHASES[f.fidelity]
            unpack += n * 2 * f.in_tile / hw.UNPACK_BYTES_PER_CYCLE
            mth += n * hw.REDUCE_MATH_CYCLES * phases
        elif kind == "copy" or kind == "transpose" or kind.startswith("unary_bcast_"):
            # a datacopy to DST: the unpacker broadcasts / transposes on the way (one tile read)
            unpack, mth = unpack + n * f.copy_tile / hw.UNPACK_BYTES_PER_CYCLE, mth + n * hw.COPY_MATH_CYCLES
        elif kind == "pack":
            pack += n * f.out_tile / hw.PACK_BYTES_PER_CYCLE
        elif kind.startswith("sfpu_"):
            mth += n * hw.sfpu_cycles(kind)
        else:
            mth += n * hw.ELTWISE_MATH_CYCLES
    return {"unpack": unpack, "math": mth, "pack": pack}


def _core(counters: dict[str, Any], f: _Facts, arch: hw.ArchPerf) -> dict[str, float]:
    """One core: role busy cycles, its time under the overlap rule, its DRAM bytes.

    Reads and multicasts are the reader's (a multicast sender injects what it read, once,
    although the counter counts it per destination); unicast writes are the writer's.
    """
    reads, writes = counters.get("noc_read_bytes", {}), counters.get("noc_write_bytes", {})
    read_bytes = sum(reads.values())
    mcast = writes.get("l1_mcast", 0)
    sent = min(mcast, read_bytes) if read_bytes else mcast
    write_bytes = sum(writes.values()) - mcast
    reader = (_transfer(read_bytes, f.read_packet, f.read_block, arch.read_latency, arch)
              + _transfer(sent, int(min(f.read_block, arch.noc_table[-1][0])), f.read_block, arch.write_latency, arch))
    writer = _transfer(write_bytes, f.write_packet, f.write_block, arch.write_latency, arch)
    threads = _compute_threads(counters.get("tile_ops", {}), f, counters.get("setup", {}))
    compute = max(threads.values())
    return {"reader": reader, "compute": compute, "writer": writer, **threads,
            "total": _pipeline(reader, compute, writer, f),
            "dram_bytes": reads.get("dram", 0) + writes.get("dram", 0)}


def _transfer(nbytes: float, packet: int, block: float, latency: float, arch: hw.ArchPerf) -> float:
    """Cycles to move ``nbytes`` in ``packet``-byte transfers, one exposed latency per block."""
    return nbytes / arch.noc_bytes_per_cycle(packet) + math.ceil(nbytes / block) * latency


def _pipeline(reader: float, compute: float, writer: float, f: _Facts) -> float:
    """Overlap rule: roles joined by CBs of >= 2 blocks run concurrently, else take turns."""
    if f.overlap_in and f.overlap_out:
        return max(reader, compute, writer)
    if f.overlap_in:
        return max(reader, compute + writer)
    if f.overlap_out:
        return max(reader + compute, writer)
    return reader + compute + writer


def _bound(core: dict[str, float], core_cycles: float, dram_cycles: float) -> str:
    if dram_cycles >= core_cycles:
        return "dram"
    return "compute" if core["compute"] >= max(core["reader"], core["writer"]) else "noc"


def _grid_cores(plan: Plan, arch: str) -> int:
    x, y = plan.core_grid if plan.arch == arch else get_arch(arch).grid
    return x * y


def _peak_tflops(cores: int, clock_ghz: float, fidelity: str) -> float:
    return hw.LOFI_FLOPS_PER_CYCLE * cores * clock_ghz / hw.FIDELITY_PHASES[fidelity] / 1e3


def _utilization(tiles: int, fidelity: str, cores: int, cycles: float) -> float | None:
    if not tiles:
        return None
    return tiles * hw.MATMUL_CYCLES[fidelity] / cores / cycles


def _notes(f: _Facts, result: RunResult) -> list[str]:
    notes = []
    if f.blocks_assumed:
        notes.append("CB block sizes unknown (the plan has no block_pages): each CB assumed to hold two blocks")
    kinds = {kind for c in result.counters.values() for kind in c.get("tile_ops", {})}
    unknown = sorted(k for k in kinds if k not in _KNOWN_OPS and k.removeprefix("sfpu_") not in hw.SFPU_INSTRUCTIONS)
    if unknown:
        notes.append(f"no cost estimate for {', '.join(unknown)}: SFPU ops taken as "
                     f"{hw.SFPU_DEFAULT_INSTRUCTIONS} instructions per iteration, others as one FPU pass")
    if any(c.get("noc_write_bytes", {}).get("l1_mcast") for c in result.counters.values()):
        notes.append("multicast: each sender is taken to inject what it read, once (the reader-multicast pattern)")
    return notes
