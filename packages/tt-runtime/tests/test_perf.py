"""The performance model (`tt_runtime.perf`) on synthetic counters and plans, and on one real run."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

import tt_runtime
from tt_ir import TTError, get_arch, validate_plan
from tt_runtime import RunResult, perf
from tt_runtime import _perf_hw as hw

GOLDEN = Path(__file__).parent / "golden" / "eltwise_add"
GOLDEN_PLAN = json.loads((GOLDEN / "tt.plan.json").read_text())
UNPACK_BF16_PAIR = 2 * 2048 / hw.UNPACK_BYTES_PER_CYCLE  # two bf16 operands through the unpacker: 51.2


def plan(fidelity: str = "HiFi4", pages: int = 16, block: int | None = None):
    """The golden eltwise_add plan (bf16 CBs reader -> compute -> writer) with another
    fidelity/depth, and `block` pages per transfer (None: no block_pages, as older plans)."""
    doc = copy.deepcopy(GOLDEN_PLAN)
    doc["compute_config"]["math_fidelity"] = fidelity
    for cb in doc["circular_buffers"]:
        cb["num_pages"] = pages
        cb.pop("block_pages", None)
        if block is not None:
            cb["block_pages"] = block
    doc["l1"]["cbs"] = [{"index": cb["index"], "bytes": pages * cb["page_size"]} for cb in doc["circular_buffers"]]
    doc["l1"]["per_core_bytes"] = sum(entry["bytes"] for entry in doc["l1"]["cbs"])
    return validate_plan(doc, json_schema=False)


def result(cores: dict[str, dict], arch: str = "wormhole_b0") -> RunResult:
    return RunResult(outputs={}, counters=cores, arch=arch)


def grid(counters: dict, n: int = 64) -> dict[str, dict]:
    """The same counters on n cores."""
    return {f"{i % 8},{i // 8}": copy.deepcopy(counters) for i in range(n)}


def est(cores, p=None, arch="wormhole_b0", **kw):
    return perf.estimate(result(cores, arch), p or plan(), launch_us=0.0, **kw)


def test_matmul_hifi4_is_64_cycles_per_tile():
    """A core that only multiplies: tiles x 64 cycles at HiFi4 (the unpacker, 51.2/tile, keeps up)."""
    e = est({"0,0": {"tile_ops": {"matmul": 1000}}})
    assert e.compute_threads == {"unpack": 1000 * UNPACK_BF16_PAIR, "math": 64000, "pack": 0}
    assert e.device_cycles == e.core_cycles == e.roles["compute"] == 64000
    assert e.time_us == pytest.approx(64.0)
    assert e.bound == "compute"


def test_matmul_lofi_math_is_a_quarter_and_bf16_is_unpack_bound():
    """LoFi math is a quarter of HiFi4; with bf16 operands the unpacker (2 x 2 KB at 80 B/cycle) bounds compute."""
    hifi4 = est({"0,0": {"tile_ops": {"matmul": 1000}}})
    lofi = est({"0,0": {"tile_ops": {"matmul": 1000}}}, plan("LoFi"))
    assert lofi.compute_threads["math"] == hifi4.compute_threads["math"] / 4 == 16000
    assert lofi.roles["compute"] == pytest.approx(1000 * UNPACK_BF16_PAIR)


def test_eltwise_costs():
    """add is unpack-bound (51.2/tile); mul takes 8 cycles per fidelity phase; SFPU ops use the estimate table."""
    e = est({"0,0": {"tile_ops": {"add": 10, "mul": 10, "sfpu_exp": 10, "sfpu_relu": 10, "pack": 10}}})
    assert e.compute_threads["unpack"] == pytest.approx(20 * UNPACK_BF16_PAIR)
    assert e.compute_threads["math"] == 10 * 8 + 10 * 32 + 10 * 32 * 16 + 10 * 32 * 4
    assert e.compute_threads["pack"] == pytest.approx(10 * 2048 / hw.PACK_BYTES_PER_CYCLE)


def test_reduce_and_broadcast_costs():
    """reduce: a 16x16 face per cycle (4/tile), sum by fidelity, max not; bcast ops cost an eltwise pass."""
    e = est({"0,0": {"tile_ops": {"reduce_sum": 10, "reduce_max": 10, "bcast_cols_sub": 10, "bcast_rows_mul": 10}}})
    assert e.compute_threads["math"] == 10 * 4 * 4 + 10 * 4 + 10 * 8 + 10 * 8 * 4
    assert e.compute_threads["unpack"] == pytest.approx(40 * UNPACK_BF16_PAIR)
    assert not any("no cost estimate" in note for note in e.notes)


def test_engine_setup_calls_are_charged_to_the_threads_they_stall():
    """Inits and reconfigs (the emulator's "setup" counters) cost their thread time: an FPU init
    the unpacker and math, an SFPU init math, a pack reconfig the packer. The same tile work
    re-initialized per tile is slower than with one init (issue: per-sub-block re-inits)."""
    work = {"copy": 100, "pack": 100}
    once = est({"0,0": {"tile_ops": work, "setup": {"hw_startup": 1, "fpu_init": 1}}})
    every = est({"0,0": {"tile_ops": work, "setup": {"hw_startup": 1, "fpu_init": 100, "sfpu_init": 100,
                                                       "pack_reconfig": 100}}})
    for thread in ("unpack", "math", "pack"):
        assert every.compute_threads[thread] > once.compute_threads[thread], thread
    bare = est({"0,0": {"tile_ops": work}})
    assert once.compute_threads["math"] > bare.compute_threads["math"]


def test_a_run_counts_each_engine_setup_call(make_artifact):
    """The copy kernel sets up once (hw_startup, copy_init); with copy_init moved into its tile
    loop the emulator counts one init per tile, and the model's estimate grows."""
    from conftest import unary_spec

    kernels = Path(__file__).parent / "kernels"
    hoisted = (kernels / "copy_compute.cpp").read_text()
    per_tile = hoisted.replace("    copy_init(cb_in);\n", "").replace(
        "        cb_wait_front(cb_in, 1);\n", "        cb_wait_front(cb_in, 1);\n        copy_init(cb_in);\n")
    assert per_tile.count("copy_init(cb_in);") == 1 and per_tile != hoisted
    a = np.ones((32, 32 * 12), np.float32)
    runs = {}
    for name, source in (("hoisted", hoisted), ("per_tile", per_tile)):
        art = make_artifact(unary_spec(32, 32 * 12, source, [(0, 0)], name=name))
        runs[name] = tt_runtime.run(art, {"A": a})
        assert (runs[name].outputs["C"] == 1.0).all()
    assert runs["hoisted"].counters["0,0"]["setup"] == {"hw_startup": 1, "fpu_init": 1}
    assert runs["per_tile"].counters["0,0"]["setup"] == {"hw_startup": 1, "fpu_init": 12}
    p = plan()
    slow, fast = (perf.estimate(runs[k], p, launch_us=0.0) for k in ("per_tile", "hoisted"))
    assert slow.compute_threads["math"] > fast.compute_threads["math"]


def test_unknown_ops_get_a_default_and_a_note():
    """A tile op without an estimate costs the default and is named in the notes."""
    e = est({"0,0": {"tile_ops": {"sfpu_erfinv": 10, "sfpu_binary_div": 10}}})
    assert e.compute_threads["math"] == 10 * 32 * hw.SFPU_DEFAULT_INSTRUCTIONS + 10 * 32 * 20
    assert any("sfpu_erfinv" in note and "binary_div" not in note for note in e.notes)


def test_dram_reader_on_a_full_grid_is_bytes_over_chip_bandwidth():
    """64 cores streaming from DRAM: time = all bytes / 288 GB/s, and the achieved rate is that bandwidth."""
    nbytes = 1 << 20
    e = est(grid({"noc_read_bytes": {"dram": nbytes}}))
    assert e.bound == "dram"
    assert e.dram_cycles == e.device_cycles == pytest.approx(64 * nbytes / 288.0)
    assert e.dram_gbps == pytest.approx(288.0)


def test_single_dram_reader_is_noc_bound():
    """One core alone: its NoC rate (2 KB pages: NIU 28.1 B/cycle) plus one read latency per CB block."""
    nbytes = 1 << 20
    e = est({"0,0": {"noc_read_bytes": {"dram": nbytes}}}, kernels_dir=GOLDEN)
    blocks = nbytes // (8 * 2048)  # the golden reader reserves 8 pages per CB
    assert e.bound == "noc"
    assert e.roles["reader"] == pytest.approx(nbytes / 28.1 + blocks * 270)


def test_multicast_sender_injects_what_it_read():
    """A reader that multicasts its 1 MB to 7 cores (7 MB counted) sends 1 MB once; the writer does not carry it."""
    nbytes = 1 << 20
    e = est({"0,0": {"noc_read_bytes": {"dram": nbytes}, "noc_write_bytes": {"l1_mcast": 7 * nbytes}}},
            kernels_dir=GOLDEN)
    blocks = nbytes // (8 * 2048)
    wh = perf.ARCH_PERF["wormhole_b0"]
    assert e.roles["reader"] == pytest.approx(2 * nbytes / 28.1 + blocks * (wh.read_latency + wh.write_latency))
    assert e.roles["writer"] == 0
    assert any("multicast" in note for note in e.notes)


def test_bound_switches_from_compute_to_dram_as_bytes_grow():
    """Same matmul work per core; more DRAM bytes per core move the bound to DRAM."""
    bounds = [est(grid({"tile_ops": {"matmul": 512}, "noc_read_bytes": {"dram": n}})).bound for n in (1 << 12, 1 << 22)]
    assert bounds == ["compute", "dram"]


def test_ideal_workload_has_full_utilization():
    """Pure matmul spread evenly over the full 8x8 grid: utilization 1.0 and the HiFi4 peak of 65.5 TFLOP/s."""
    e = est(grid({"tile_ops": {"matmul": 4096}}))
    assert e.utilization == pytest.approx(1.0)
    assert e.tflops == pytest.approx(e.peak_tflops) == pytest.approx(4096 * 64 * 1.0 / 4 / 1e3)


def test_blackhole_runs_the_same_cycles_at_its_clock():
    """Compute-bound cycles are the same per core; Blackhole's 1.35 GHz shortens the time."""
    counters = grid({"tile_ops": {"matmul": 1000}})
    wh, bh = est(counters), est(counters, arch="blackhole")
    assert bh.device_cycles == wh.device_cycles
    assert bh.time_us == pytest.approx(wh.time_us / 1.35)
    assert (wh.clock_ghz, bh.clock_ghz) == (1.0, 1.35)


def test_single_buffered_cbs_serialize_the_roles():
    """With CBs of one block (block_pages = num_pages) the reader, compute and writer take
    turns; with two blocks they overlap. The block size comes from the plan, not the C++."""
    counters = {"0,0": {"tile_ops": {"matmul": 100}, "noc_read_bytes": {"dram": 1 << 16},
                        "noc_write_bytes": {"dram": 1 << 15}}}
    one = est(counters, plan(pages=16, block=16))
    two = est(counters, plan(pages=32, block=16))
    assert one.overlap == {"reader_compute": False, "compute_writer": False}
    assert one.core_cycles == pytest.approx(sum(one.roles.values()))
    assert two.overlap == {"reader_compute": True, "compute_writer": True}
    assert two.core_cycles == pytest.approx(max(two.roles.values()))


def test_without_block_pages_blocks_are_assumed_and_said():
    """A plan without block_pages: each CB is taken as two blocks, and the estimate notes it."""
    e = est({"0,0": {"tile_ops": {"matmul": 1}}})
    assert e.overlap == {"reader_compute": True, "compute_writer": True}
    assert any("the plan has no block_pages" in note for note in e.notes)


def test_json_round_trip():
    """to_json / from_json give back an equal estimate."""
    e = est(grid({"tile_ops": {"matmul": 64}, "noc_read_bytes": {"dram": 1 << 16}}))
    assert perf.PerfEstimate.from_json(e.to_json()) == e


def test_noc_table_and_arch_numbers():
    """The tt-npe table interpolates and is capped by the NIU; clocks and banks agree with tt_ir's arch table."""
    wh, bh = perf.ARCH_PERF["wormhole_b0"], perf.ARCH_PERF["blackhole"]
    assert wh.noc_bytes_per_cycle(2048) == 28.1
    assert wh.noc_bytes_per_cycle(128) == 5.5
    assert bh.noc_bytes_per_cycle(4096) == 58.7
    assert 57.7 < bh.noc_bytes_per_cycle(3072) < 58.7
    for name, numbers in perf.ARCH_PERF.items():
        arch = get_arch(name)
        assert (numbers.clock_ghz, numbers.num_dram_banks) == (arch.clock_ghz, arch.num_dram_banks)


def test_public_names():
    """tt_runtime.perf exports what its __all__ says; the package re-exports estimate and PerfEstimate."""
    assert all(hasattr(perf, name) for name in perf.__all__)
    assert tt_runtime.estimate is perf.estimate and tt_runtime.PerfEstimate is perf.PerfEstimate


def test_golden_eltwise_add_run_estimates():
    """A real run of the golden artifact gives a complete, positive estimate and a readable report."""
    a = np.ones((256, 256), np.float32)
    e = tt_runtime.estimate(tt_runtime.run(GOLDEN, [a, a]), GOLDEN)
    assert e.bound in perf.BOUNDS
    assert e.time_us > e.launch_us > 0
    assert e.active_cores == 8 and e.grid_cores == 64
    assert e.critical_core in e.per_core
    assert all(v > 0 for v in e.roles.values())
    assert e.dram_bytes == 8 * 24 * 2048
    assert e.utilization is None and e.tflops == 0
    assert e.notes == []
    assert "us," in str(e) and "slowest core" in str(e)


def test_trace_schedule_of_the_model():
    """The modeled trace's per-trip schedule: double-buffered CBs let the reader run ahead, so
    compute runs back to back after the first read (span = one read + all compute + the last
    write); one-block CBs make reader and compute take turns."""
    from tt_runtime._trace import schedule

    cyc = {"reader": 40.0, "compute": 80.0, "writer": 10.0}
    lanes = schedule(cyc, 4, 2, True, True)
    assert [round(a) for a, _ in lanes["compute"]] == [10, 30, 50, 70]
    assert lanes["writer"][-1] == (90.0, 95.0)
    turns = schedule(cyc, 4, 2, False, True)
    assert [round(a) for a, _ in turns["reader"]] == [0, 30, 60, 90]  # waits for compute to free the block
    assert turns["writer"][-1][1] == 125.0


def test_trace_of_a_run_is_a_perfetto_trace(tmp_path):
    """A lane per core and role with each trip a slice; its span covers the estimate's core time."""
    art = Path(__file__).parent / "golden" / "eltwise_add"
    a = np.ones((256, 256), np.float32)
    result = tt_runtime.run(art, [a, a])
    data = tt_runtime.trace(result, art)
    json.dumps(data)  # serializable
    meta = data["otherData"]
    assert meta["generator"] == "tilelang-tt modeled trace" and meta["kernel"] == "eltwise_add"
    assert meta["schedule_span_us"] >= meta["estimate_core_us"] * 0.999
    threads = {(e["pid"], e["args"]["name"]) for e in data["traceEvents"] if e["name"] == "thread_name"}
    cores = {e["pid"] for e in data["traceEvents"] if e["name"] == "process_name" and "core" in e["args"]["name"]}
    assert threads == {(pid, role) for pid in cores for role in ("reader", "compute", "writer")}
    assert len(cores) == len(result.counters)
    user = tmp_path / "mine.json"
    user.write_text('{"mine": 1}')
    with pytest.raises(TTError, match="the file exists and is not a tilelang-tt trace; it is left as it is"):
        tt_runtime.write_trace(data, user)
    assert user.read_text() == '{"mine": 1}'
    tt_runtime.write_trace(data, tmp_path / "t.json")
    tt_runtime.write_trace(data, tmp_path / "t.json")  # an earlier trace is replaced
    assert json.loads((tmp_path / "t.json").read_text())["otherData"] == meta
