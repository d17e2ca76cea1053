"""Warm host processes (tt_runtime._serve, device/src/serve.cpp): a second run of a program
reuses its process, sees what a fresh process would, and a run that ends the process costs
only that process."""

from __future__ import annotations

import time

import numpy as np
import pytest
from conftest import unary_spec

import tt_runtime
from tt_ir import EmulatorError
from tt_runtime import _serve

KERNELS_READER = "copy_reader.cpp"


@pytest.fixture(autouse=True)
def _fresh_pool(monkeypatch):
    monkeypatch.delenv("TT_RUNTIME_WARM", raising=False)
    _serve.close_all()
    yield
    _serve.close_all()


def _pids() -> list[int]:
    return [s.proc.pid for s in _serve._idle.values()]


def _reader_without_reads() -> str:
    from artifacts import KERNELS

    text = (KERNELS / KERNELS_READER).read_text()
    line = "        noc_async_read_page(start + t, A_acc, l1);\n"
    assert line in text
    return text.replace(line, "")  # pushes whatever the CB's L1 pages hold


def test_a_second_run_reuses_the_process_and_gives_what_a_fresh_process_gives(make_artifact, monkeypatch):
    art = make_artifact(unary_spec(64, 256, "copy_compute.cpp", [(0, 0), (1, 0)]))
    a = np.random.default_rng(1).standard_normal((64, 256)).astype(np.float32)
    first = tt_runtime.run(art, {"A": a})
    pids = _pids()
    assert len(pids) == 1
    second = tt_runtime.run(art, {"A": a * 2})
    assert _pids() == pids  # the same process ran it
    monkeypatch.setenv("TT_RUNTIME_WARM", "0")
    cold = tt_runtime.run(art, {"A": a * 2})
    assert _pids() == pids  # TT_RUNTIME_WARM=0: a fresh process, the pool untouched
    np.testing.assert_array_equal(first.outputs["C"], a.astype(np.float32).astype(first.outputs["C"].dtype))
    np.testing.assert_array_equal(second.outputs["C"], cold.outputs["C"])
    # counters start from zero in every run (CB wait stalls depend on thread timing: not compared)
    strip = lambda counters: {c: {k: v for k, v in d.items() if k != "cb_wait_stalls"} for c, d in counters.items()}  # noqa: E731
    assert strip(second.counters) == strip(cold.counters)


def test_the_next_run_finds_l1_zeroed_as_a_fresh_process_does(make_artifact, monkeypatch):
    """Run 1 leaves 7.0 in the CB pages; run 2 (same host program, a reader that never reads)
    packs whatever L1 holds: zeros, as in a fresh process, not run 1's data."""
    a = np.full((32, 128), 7.0, np.float32)
    art = make_artifact(unary_spec(32, 128, "copy_compute.cpp", [(0, 0)]))
    blind = make_artifact(unary_spec(32, 128, "copy_compute.cpp", [(0, 0)], reader_source=_reader_without_reads()))
    assert (art / "main.cpp").read_text() == (blind / "main.cpp").read_text()
    assert (tt_runtime.run(art, {"A": a}).outputs["C"] == 7.0).all()
    pids = _pids()
    warm = tt_runtime.run(blind, {"A": a}).outputs["C"]
    assert _pids() == pids
    monkeypatch.setenv("TT_RUNTIME_WARM", "0")
    cold = tt_runtime.run(blind, {"A": a}).outputs["C"]
    assert (cold == 0).all()
    np.testing.assert_array_equal(warm, cold)


def test_output_pages_no_kernel_writes_read_as_nan_in_every_run(make_artifact):
    """DRAM buffers are NaN-filled before the kernels run (the host writes its inputs whole, so
    those need none): run 2, whose writer writes nothing, reads NaN, not run 1's output."""
    a = np.full((32, 128), 3.0, np.float32)
    art = make_artifact(unary_spec(32, 128, "copy_compute.cpp", [(0, 0)]))
    writer = (art / "writer.cpp").read_text()
    line = "        noc_async_write_page(start + t, C_acc, l1);\n"
    assert line in writer
    blind = make_artifact(unary_spec(32, 128, "copy_compute.cpp", [(0, 0)],
                                     writer_source=writer.replace(line, "")))
    assert (tt_runtime.run(art, {"A": a}).outputs["C"] == 3.0).all()
    pids = _pids()
    out = tt_runtime.run(blind, {"A": a}).outputs["C"]
    assert _pids() == pids
    assert np.isnan(out.astype(np.float32)).all()


def test_a_fault_ends_the_process_and_the_next_run_starts_another(make_artifact):
    a = np.ones((32, 128), np.float32)
    good = make_artifact(unary_spec(32, 128, "copy_compute.cpp", [(0, 0)]))
    stuck = make_artifact(unary_spec(32, 128, (good / "compute.cpp").read_text().replace(
        "cb_wait_front(cb_in, 1);", "cb_wait_front(cb_in, 2);"), [(0, 0)]))
    tt_runtime.run(good, {"A": a})
    before = _pids()
    with pytest.raises(EmulatorError) as info:
        tt_runtime.run(stuck, {"A": a})
    assert info.value.kind == "deadlock"
    assert "compute.cpp blocked in cb_wait_front(cb 0, 2)" in info.value.message
    assert _pids() == []  # that process is gone
    out = tt_runtime.run(good, {"A": a}).outputs["C"]
    assert (out == 1.0).all()
    assert len(_pids()) == 1 and _pids() != before


def test_an_idle_process_ends_on_its_own_and_the_next_run_starts_another(make_artifact, monkeypatch):
    monkeypatch.setenv("TT_EMU_SERVE_IDLE", "0.2")
    art = make_artifact(unary_spec(32, 64, "copy_compute.cpp", [(0, 0)]))
    a = np.ones((32, 64), np.float32)
    tt_runtime.run(art, {"A": a})
    (server,) = _serve._idle.values()
    deadline = time.monotonic() + 10
    while server.alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not server.alive()
    assert (tt_runtime.run(art, {"A": a}).outputs["C"] == 1.0).all()
    assert _pids() != [server.proc.pid]


def test_at_most_keep_processes_stay(make_artifact):
    for i in range(_serve.KEEP + 2):  # other sizes: other host programs
        art = make_artifact(unary_spec(32, 32 * (i + 1), "copy_compute.cpp", [(0, 0)], name=f"copy{i}"))
        tt_runtime.run(art, {"A": np.ones((32, 32 * (i + 1)), np.float32)})
    assert len(_serve._idle) == _serve.KEEP
