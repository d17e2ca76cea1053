"""The scheduler's fibers: kernels share a few worker threads (TT_EMU_WORKERS), a kernel that
polls a CB lets the kernels it waits for run, one worker gives the same interleaving every time,
and a kernel that overflows its stack is a crash reported with its core and kernel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import bf16_round, unary_spec

import tt_runtime
from tt_ir import EmulatorError

KERNELS = Path(__file__).parent / "kernels"
COMPUTE = (KERNELS / "copy_compute.cpp").read_text()
READER = (KERNELS / "copy_reader.cpp").read_text()

# The compute kernel polls for its input instead of waiting, a bounded number of times; if the
# poll never let the reader run (both kernels share one worker), it pops a page it never waited
# for, which is a fault.
POLLING = COMPUTE.replace(
    "        cb_wait_front(cb_in, 1);",
    "        for (uint32_t i = 0; i < 1000000 && !cb_pages_available_at_front(cb_in, 1); ++i) {\n"
    "        }\n"
    "        if (!cb_pages_available_at_front(cb_in, 1)) cb_pop_front(cb_in, 1);\n"
    "        cb_wait_front(cb_in, 1);")


def _run(make_artifact, compute=COMPUTE, reader=READER, cores=((0, 0),), cols=128):
    spec = unary_spec(32, cols, compute, list(cores), reader_source=reader)
    a = np.random.default_rng(3).standard_normal((32, cols), dtype=np.float32)
    return a, tt_runtime.run(make_artifact(spec), {"A": a})


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_polling_kernel_lets_its_producer_run(make_artifact, monkeypatch, workers):
    assert POLLING != COMPUTE
    monkeypatch.setenv("TT_EMU_WORKERS", workers)
    a, result = _run(make_artifact, compute=POLLING)
    np.testing.assert_array_equal(result.outputs["C"].astype(np.float32), bf16_round(a))


def test_one_worker_interleaves_the_same_way_every_time(make_artifact, monkeypatch):
    """Four cores on one worker: the CB stalls each kernel sees are the same run after run."""
    monkeypatch.setenv("TT_EMU_WORKERS", "1")
    cores = ((0, 0), (1, 0), (2, 0), (3, 0))
    stalls = []
    for _ in range(3):
        a, result = _run(make_artifact, cores=cores, cols=32 * 16)
        np.testing.assert_array_equal(result.outputs["C"].astype(np.float32), bf16_round(a))
        stalls.append({xy: c.get("cb_wait_stalls") for xy, c in result.counters.items()})
    assert stalls[0] == stalls[1] == stalls[2]
    assert any(stalls[0].values()), stalls[0]  # the kernels did hand pages to each other


def test_bad_worker_count_is_a_usage_error(make_artifact, monkeypatch):
    monkeypatch.setenv("TT_EMU_WORKERS", "0")
    with pytest.raises(EmulatorError) as info:
        _run(make_artifact)
    assert info.value.kind == "usage"
    assert "TT_EMU_WORKERS=0: expected a whole number >= 1" in info.value.message


def test_stack_overflow_is_a_crash_with_core_and_kernel(make_artifact):
    reader = READER.replace("void kernel_main() {", """
uint32_t deep(uint32_t n) {
    volatile uint8_t frame[4096];
    frame[0] = static_cast<uint8_t>(n);
    return deep(n + 1) + frame[0];
}

void kernel_main() {
    if (get_arg_val<uint32_t>(2) != 12345u) deep(0);""", 1)
    assert reader != READER
    with pytest.raises(EmulatorError) as info:
        _run(make_artifact, reader=reader)
    assert info.value.kind == "crash"
    assert info.value.message.startswith("crash: SIGSEGV in core (0,0) reader.cpp"), info.value.message
