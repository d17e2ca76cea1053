"""Each protocol fault and the deadlock detector, injected into small hand-written kernels."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from conftest import unary_spec

import tt_runtime
from tt_ir import EmulatorError, KernelBuildError

KERNELS = Path(__file__).parent / "kernels"
READER = (KERNELS / "copy_reader.cpp").read_text()
COMPUTE = (KERNELS / "copy_compute.cpp").read_text()
WRITER = (KERNELS / "copy_writer.cpp").read_text()


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _run_fault(make_artifact, *, reader=READER, compute=COMPUTE, writer=WRITER, cores=((0, 0),), rows=32, cols=128,
               host_extra="", cb_pages=(2, 2), edit_main=None):
    spec = unary_spec(rows, cols, compute, list(cores), host_extra=host_extra, cb_pages=cb_pages,
                      reader_source=reader, writer_source=writer)
    art = make_artifact(spec)
    if edit_main:
        main = art / "main.cpp"
        main.write_text(edit_main(main.read_text()))
    a = np.ones((rows, cols), np.float32)
    with pytest.raises(EmulatorError) as info:
        tt_runtime.run(art, {"A": a})
    return info.value


def test_deadlock_reports_every_blocked_thread_grouped(make_artifact):
    """Compute waits for 2 pages per step but the reader pushes 1 per tile and stops: deadlock."""
    compute = _edit(COMPUTE, "cb_wait_front(cb_in, 1);", "cb_wait_front(cb_in, 2);")
    err = _run_fault(make_artifact, compute=compute, cores=((0, 0), (1, 0)), cols=96)
    assert err.kind == "deadlock"
    msg = err.message
    assert msg.startswith("deadlock: no kernel thread can make progress (4 blocked, 2 finished)")
    # Cores (0,0) and (1,0) have 2 and 1 tiles: different stories, each named with its numbers.
    assert "compute.cpp blocked in cb_wait_front(cb 0, 2): wants 2 filled pages, 1 available (capacity 2, received 1, acked 0)" in msg
    assert "writer.cpp blocked in cb_wait_front(cb 16, 1): wants 1 filled pages, 0 available" in msg
    assert "2 cores: reader.cpp finished" in msg


def test_deadlock_groups_cores_with_the_same_story(make_artifact):
    """Four cores stuck the same way appear on one line."""
    compute = _edit(COMPUTE, "cb_wait_front(cb_in, 1);", "cb_wait_front(cb_in, 2);")
    err = _run_fault(make_artifact, compute=compute, cores=((0, 0), (1, 0), (2, 0), (3, 0)), cols=128)
    assert ("4 cores (0,0) (1,0) (2,0) (3,0): compute.cpp blocked in cb_wait_front(cb 0, 2): wants 2 filled pages, "
            "1 available (capacity 2, received 1, acked 0)") in err.message
    assert "4 cores (0,0) (1,0) (2,0) (3,0): writer.cpp blocked in cb_wait_front(cb 16, 1)" in err.message


def test_deadlock_on_reserve_with_no_consumer(make_artifact):
    """The writer never pops: compute blocks in cb_reserve_back once the output CB is full."""
    writer = _edit(WRITER, "cb_pop_front(cb_out, 1);", "")
    err = _run_fault(make_artifact, writer=writer, cols=256)
    assert err.kind == "deadlock"
    assert ("core (0,0): compute.cpp blocked in cb_reserve_back(cb 16, 1): wants 1 free pages, 0 available "
            "(capacity 2, received 2, acked 0)") in err.message
    assert ("core (0,0): reader.cpp blocked in cb_reserve_back(cb 0, 1): wants 1 free pages, 0 available "
            "(capacity 2, received 4, acked 2)") in err.message
    assert "1 core: writer.cpp finished" in err.message


def test_wait_for_more_pages_than_the_cb_holds(make_artifact):
    """Waiting for more pages than the ring has can never succeed: a protocol error at the call."""
    writer = _edit(WRITER, "cb_wait_front(cb_out, 1);", "cb_wait_front(cb_out, 3);")
    err = _run_fault(make_artifact, writer=writer)
    assert err.message == ("core (0,0) writer.cpp: cb_wait_front(cb 16, 3): waits for more pages than the CB holds (2)")


def test_push_more_than_reserved(make_artifact):
    reader = _edit(READER, "cb_push_back(cb_in, 1);", "cb_push_back(cb_in, 2);")
    err = _run_fault(make_artifact, reader=reader)
    assert err.kind == "protocol"
    assert err.message == ("core (0,0) reader.cpp: cb_push_back(cb 0, 2): pushes 2 pages but only 1 are reserved "
                           "(cb_reserve_back)")


def test_pop_more_than_waited(make_artifact):
    writer = _edit(WRITER, "cb_pop_front(cb_out, 1);", "cb_pop_front(cb_out, 2);")
    err = _run_fault(make_artifact, writer=writer)
    assert err.message == ("core (0,0) writer.cpp: cb_pop_front(cb 16, 2): pops 2 pages but only 1 were waited for "
                           "(cb_wait_front)")


def test_push_straddling_the_ring_end(make_artifact):
    """Pushes of 2 pages into a 3-page CB: the second push crosses the end of the ring."""
    reader = READER.replace("cb_reserve_back(cb_in, 1);", "cb_reserve_back(cb_in, 2);")
    reader = reader.replace("cb_push_back(cb_in, 1);", "cb_push_back(cb_in, 2);")
    reader = reader.replace("t < count; ++t", "t < count; t += 2")
    compute = COMPUTE.replace("cb_wait_front(cb_in, 1);", "cb_wait_front(cb_in, 2);").replace(
        "cb_pop_front(cb_in, 1);", "cb_pop_front(cb_in, 2);").replace("t < count; ++t", "t < count; t += 2")
    err = _run_fault(make_artifact, reader=reader, compute=compute, cb_pages=(3, 2), cols=256)
    assert err.message == ("core (0,0) reader.cpp: cb_push_back(cb 0, 2): the push straddles the end of the ring "
                           "(write pointer at page 2 of 3); pushes must divide the CB's page count")


def test_get_write_ptr_outside_reserve(make_artifact):
    reader = _edit(READER, "cb_reserve_back(cb_in, 1);\n        uint32_t l1 = get_write_ptr(cb_in);",
                   "uint32_t l1 = get_write_ptr(cb_in);\n        cb_reserve_back(cb_in, 1);")
    err = _run_fault(make_artifact, reader=reader)
    assert err.message == ("core (0,0) reader.cpp: get_write_ptr(cb 0): called outside cb_reserve_back ... "
                           "cb_push_back (no pages are reserved)")


def test_dst_index_over_capacity(make_artifact):
    compute = _edit(COMPUTE, "copy_tile(cb_in, 0, 0);", "copy_tile(cb_in, 0, 8);")
    err = _run_fault(make_artifact, compute=compute)
    assert err.message == ("core (0,0) compute.cpp: copy_tile: DST index 8 is over capacity (8 tiles: 16-bit DST, "
                           "half sync; knobs: ComputeConfig fp32_dest_acc_en / dst_full_sync_en)")


def test_cb_regions_overlapping(make_artifact):
    """Growing CB 0 in place makes it overlap CB 16, which was placed right after it."""
    err = _run_fault(make_artifact, host_extra="UpdateCircularBufferTotalSize(program, cb_0, 4 * 2048);")
    assert err.message == ("UpdateCircularBufferTotalSize: CB 16 [106496, 110592) overlaps CB 0 [102400, 110592) "
                           "in the L1 of core (0,0)")


def test_cb_over_l1(make_artifact):
    extra = ("CircularBufferConfig big(690 * 2048, {{tt::CBIndex::c_2, tt::DataFormat::Float16_b}});"
             " big.set_page_size(tt::CBIndex::c_2, 2048); CreateCircularBuffer(program, cores, big);")
    err = _run_fault(make_artifact, host_extra=extra)
    assert err.message == ("CreateCircularBuffer: CB 2 on core (0,0) occupies L1 [110592, 1523712), beyond L1 "
                           "(1499136 bytes; CBs start at 102400)")


def test_noc_access_outside_any_buffer(make_artifact):
    reader = _edit(READER, "noc_async_read_page(start + t, A_acc, l1);", "noc_async_read_page(start + t + 100, A_acc, l1);")
    err = _run_fault(make_artifact, reader=reader)
    assert re.fullmatch(r"core \(0,0\) reader.cpp: noc_async_read: NoC access to DRAM bank 4 address 0x\w+ "
                        r"\(2048 bytes\) is outside every DRAM buffer", err.message), err.message


def test_too_many_runtime_args(make_artifact):
    def add_args(main: str) -> str:
        extra = ", 0" * 339
        line = "SetRuntimeArgs(program, reader, CoreCoord(0, 0), std::vector<uint32_t>{A_addr, 0, 4});"
        assert line in main
        return main.replace(line, line.replace("4}", "4" + extra + "}"))

    err = _run_fault(make_artifact, edit_main=add_args)
    assert err.message == ("SetRuntimeArgs: 342 runtime args (+ 0 common) for reader.cpp on core (0,0) exceed the "
                           "limit of 341 per kernel per core (max_runtime_args)")


def test_kernel_returns_with_pages_reserved(make_artifact):
    reader = _edit(READER, "        cb_push_back(cb_in, 1);\n    }\n", "        cb_push_back(cb_in, 1);\n    }\n    cb_reserve_back(cb_in, 1);\n")
    err = _run_fault(make_artifact, reader=reader)
    assert err.message == ("core (0,0) reader.cpp: kernel returned with 1 pages of cb 0 reserved and never pushed "
                           "(cb_reserve_back without cb_push_back)")


def test_pages_pushed_that_nobody_consumed(make_artifact):
    reader = _edit(READER, "        cb_push_back(cb_in, 1);\n    }\n",
                   "        cb_push_back(cb_in, 1);\n    }\n    cb_reserve_back(cb_in, 1);\n    cb_push_back(cb_in, 1);\n")
    err = _run_fault(make_artifact, reader=reader, cores=((0, 0), (1, 0)))
    assert err.message == ("program ended with pages pushed that nobody consumed (cb_push_back without a matching "
                           "cb_pop_front)\n  2 cores (0,0) (1,0): cb 0: 1 pages pushed (received 3, acked 2) that "
                           "nobody consumed")


def test_bad_l1_pointer_is_a_crash_with_core_and_kernel(make_artifact):
    """A kernel writing through a wild pointer is reported with its core and kernel."""
    writer = _edit(WRITER, "cb_pop_front(cb_out, 1);", "cb_pop_front(cb_out, 1);\n        *reinterpret_cast<volatile uint32_t*>(16) = 1;")
    err = _run_fault(make_artifact, writer=writer)
    assert err.kind == "crash"
    assert err.message.startswith("crash: SIGSEGV in core (0,0) writer.cpp")


def test_kernel_compile_error_carries_its_repro(make_artifact):
    spec = unary_spec(32, 64, COMPUTE.replace("copy_tile(cb_in, 0, 0);", "copy_tile(cb_in, 0);"), [(0, 0)],
                      reader_source=READER, writer_source=WRITER)
    art = make_artifact(spec)
    with pytest.raises(KernelBuildError) as info:
        tt_runtime.run(art, {"A": np.zeros((32, 64), np.float32)})
    err = info.value
    assert err.returncode == 1
    assert err.source_path == str(art / "compute.cpp")
    assert err.command[0] == "g++" and "-DKERNEL_COMPILE_TIME_ARGS=" in err.command
    assert "compute.cpp:" in err.stderr and "error:" in err.stderr
    assert "copy_tile" in err.stderr
