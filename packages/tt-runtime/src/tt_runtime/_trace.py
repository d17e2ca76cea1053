"""A Chrome / Perfetto trace of the modeled execution: what the performance model thinks each
core's reader, compute and writer do, block trip by block trip.

Owns: the per-trip schedule. Each core's role cycles (`_perf._core`, the same numbers the
estimate uses) are spread evenly over its CB trips (the blocks the reader pushes, the blocks
the writer pops: the transfer sizes the model uses), and the trips are scheduled as the CBs
between the roles allow: with CBs of two blocks or more (the model's `overlap`), the reader may
run one block ahead of compute and compute one ahead of the writer; with one-block CBs the
roles take turns. A role that cannot start when it is free waits: that wait is a
slice of its own, named after the CB it waits on. The schedule adds what the closed-form
estimate leaves out (the pipeline's fill and drain), so its span is at least the estimate's
core time, and the trace says both.

Format: the Trace Event Format (JSON object, `traceEvents` of complete events, microseconds),
which chrome://tracing and https://ui.perfetto.dev open: one process per core, one thread
per role, a `chip DRAM` process with the transfer time of all DRAM bytes at the chip's
bandwidth when that bounds the run.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from tt_ir import TTError
from tt_runtime import _perf
from tt_runtime import _perf_hw as hw

ROLES = ("reader", "compute", "writer")
GENERATOR = "tilelang-tt modeled trace"


def _waits(plan: Any) -> dict[str, str]:
    """What each role's wait slices wait for: space in the CBs it fills, data in those it reads."""
    fills = {role: sorted(cb.name for cb in plan.circular_buffers if cb.producer == role and cb.consumer != role)
             for role in ROLES}
    reads = {role: sorted(cb.name for cb in plan.circular_buffers if cb.consumer == role and cb.producer != role)
             for role in ROLES}
    out = {}
    for role in ROLES:
        parts = ([f"data in {', '.join(reads[role])}"] if reads[role] else []) + \
                ([f"space in {', '.join(fills[role])}"] if fills[role] else [])
        out[role] = " or ".join(parts) or "its CBs"
    return out


def schedule(cycles: dict[str, float], trips_in: int, trips_out: int, overlap_in: bool,
             overlap_out: bool) -> dict[str, list]:
    """Per role, [(start, end)] of each CB trip (cycles). The reader fills `trips_in` blocks of the
    CBs compute reads (compute runs one trip per filled block), the writer drains `trips_out`
    blocks compute packs. Reader trip i may start once compute has freed a slot (trip i - 2 with
    double-buffered CBs, else i - 1); compute trip i once block i is read, trip i - 1 is done
    and, for the block it packs into, the writer has freed a slot; writer trip j once compute
    has packed block j."""
    n_in, n_out = max(1, trips_in), max(1, trips_out)
    per = {"reader": cycles["reader"] / n_in, "compute": cycles["compute"] / n_in, "writer": cycles["writer"] / n_out}
    out: dict[str, list] = {role: [] for role in ROLES}
    ahead_in, ahead_out = (2 if overlap_in else 1), (2 if overlap_out else 1)

    def end(role: str, j: int) -> float:
        return out[role][j][1] if 0 <= j < len(out[role]) else 0.0

    def packs_into(i: int) -> int:  # the output block compute trip i packs into
        return min(n_out - 1, i * n_out // n_in)

    def last_trip_of(j: int) -> int:  # the compute trip that completes output block j
        return min(n_in - 1, ((j + 1) * n_in + n_out - 1) // n_out - 1)

    done_out = 0
    for i in range(n_in):
        r0 = max(end("reader", i - 1), end("compute", i - ahead_in))
        out["reader"].append((r0, r0 + per["reader"]))
        c0 = max(end("reader", i), end("compute", i - 1), end("writer", packs_into(i) - ahead_out))
        out["compute"].append((c0, c0 + per["compute"]))
        while done_out < n_out and last_trip_of(done_out) <= i:  # blocks packed by now
            w0 = max(end("compute", last_trip_of(done_out)), end("writer", done_out - 1))
            out["writer"].append((w0, w0 + per["writer"]))
            done_out += 1
    return out


def trace(result: Any, plan: Any, *, launch_us: float = hw.LAUNCH_OVERHEAD_US) -> dict:
    """The modeled trace of `result` (a RunResult) under `plan` (as `tt_runtime.estimate` takes it)."""
    loaded, _ = _perf._load(result.plan if result.plan is not None else plan, None)
    arch = hw.ARCH_PERF[result.arch]
    facts = _perf._plan_facts(loaded, {cb.name: cb.block_pages for cb in loaded.circular_buffers if cb.block_pages})
    waits = _waits(loaded)
    us = 1.0 / (arch.clock_ghz * 1e3)  # microseconds per cycle
    events: list[dict] = []
    spans = {}
    for pid, (name, counters) in enumerate(sorted(result.counters.items()), start=1):
        core = _perf._core(counters, facts, arch)
        reads, writes = counters.get("noc_read_bytes", {}), counters.get("noc_write_bytes", {})
        trips_in = math.ceil(sum(reads.values()) / facts.read_block) if reads else 1
        trips_out = math.ceil((sum(writes.values()) - writes.get("l1_mcast", 0)) / facts.write_block) if writes else 1
        lanes = schedule(core, trips_in, trips_out, facts.overlap_in, facts.overlap_out)
        spans[name] = max(lanes["writer"][-1][1], lanes["compute"][-1][1], lanes["reader"][-1][1])
        events.append({"ph": "M", "name": "process_name", "pid": pid, "args": {"name": f"core ({name})"}})
        events.append({"ph": "M", "name": "process_sort_index", "pid": pid, "args": {"sort_index": pid}})
        for tid, role in enumerate(ROLES, start=1):
            events.append({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": role}})
            free = 0.0
            for i, (start, stop) in enumerate(lanes[role]):
                if start > free + 1e-9:
                    events.append({"ph": "X", "name": f"wait for {waits[role]}", "cat": "cb_wait", "pid": pid, "tid": tid,
                                   "ts": free * us, "dur": (start - free) * us})
                what = {"reader": "NoC read", "compute": "compute", "writer": "NoC write"}[role]
                events.append({"ph": "X", "name": f"{what} {i}", "cat": role, "pid": pid, "tid": tid,
                               "ts": start * us, "dur": (stop - start) * us,
                               "args": {"cycles": round(stop - start, 1)}})
                free = stop
    dram_bytes = sum(c.get("noc_read_bytes", {}).get("dram", 0) + c.get("noc_write_bytes", {}).get("dram", 0)
                     for c in result.counters.values())
    dram_cycles = dram_bytes / arch.dram_bytes_per_cycle
    if dram_bytes:
        pid = len(result.counters) + 1
        events.append({"ph": "M", "name": "process_name", "pid": pid, "args": {"name": "chip DRAM"}})
        events.append({"ph": "X", "name": f"{dram_bytes / 1e6:.2f} MB at {arch.dram_bytes_per_cycle:.0f} B/cycle",
                       "cat": "dram", "pid": pid, "tid": 1, "ts": 0.0, "dur": dram_cycles * us})
    estimate = _perf.estimate(result, loaded, launch_us=launch_us)
    return {
        "traceEvents": events,
        "displayTimeUnit": "ns",
        "otherData": {
            "generator": GENERATOR,
            "arch": result.arch,
            "kernel": loaded.kernel_name,
            "note": "the performance model's schedule, not a measurement: role cycles spread evenly over each "
                    "core's CB trips; the span adds pipeline fill and drain to the estimate's core time",
            "estimate_core_us": estimate.core_cycles * us,
            "schedule_span_us": max(spans.values(), default=0.0) * us,
            "dram_us": dram_cycles * us,
            "launch_us": launch_us,
        },
    }


def write_trace(data: dict, path: Any) -> None:
    """Writes a trace as JSON to `path`, whole or not at all; an existing file is replaced only
    when it is a trace this function wrote (a file of the user's is refused, untouched)."""
    path = check_trace_target(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def check_trace_target(path: Any) -> Any:
    """`path` as a Path, if a trace may be written there: a new file, or an earlier trace."""
    path = Path(path)
    if path.is_dir():
        raise TTError(f"--trace {path}: is a directory; give a file name such as {path / 'trace.json'}")
    if path.exists():
        try:
            ours = json.loads(path.read_text(encoding="utf-8")).get("otherData", {}).get("generator") == GENERATOR
        except (OSError, ValueError, AttributeError):
            ours = False
        if not ours:
            raise TTError(f"--trace {path}: the file exists and is not a tilelang-tt trace; it is left as it is. "
                          "Give a new file name, or remove that file first")
    if not path.parent.is_dir():
        raise TTError(f"--trace {path}: the directory {path.parent} does not exist")
    return path
