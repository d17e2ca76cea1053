"""Strict NoC mode (TT_EMU_NOC=strict, the default): each ordering fault injected into small
hand-written kernels, and the eager mode that lets the same kernels pass."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from conftest import bf16_round, unary_spec
from test_faults import COMPUTE, READER, WRITER, _edit, _run_fault
from test_semaphores import _mcast_spec

import tt_runtime
from tt_ir import EmulatorError

KERNELS = Path(__file__).parent / "kernels"
MCAST = (KERNELS / "mcast_reader.cpp").read_text()
FLUSH = "            noc_async_writes_flushed();  // the data must leave before the flag: NoC order is not guaranteed\n"
HINT = "set TT_EMU_NOC=eager to see whether the kernel is otherwise correct"


def _run_mcast_fault(make_artifact, reader: str, writer: str = "copy_writer.cpp", host_extra: str | None = None):
    spec = _mcast_spec(2, reader=reader)
    spec.writer.source = writer
    if host_extra is not None:
        spec.host_extra = host_extra
    with pytest.raises(EmulatorError) as info:
        tt_runtime.run(make_artifact(spec), {"A": np.ones((32, 64), np.float32)})
    return info.value


def test_push_before_read_barrier(make_artifact):
    """The reader pushes the page while its read is still in flight: the consumer would see poison."""
    reader = _edit(READER, "noc_async_read_barrier();\n        cb_push_back(cb_in, 1);",
                   "cb_push_back(cb_in, 1);\n        noc_async_read_barrier();")
    err = _run_fault(make_artifact, reader=reader)
    assert err.kind == "protocol"
    assert err.message == (
        "core (0,0) reader.cpp: cb_push_back(cb 0, 1): page 0 still has 1 noc_async_read (2048 bytes) in flight "
        "into it: push before noc_async_read_barrier (the consumer would see the bytes before they land; " + HINT + ")")


def test_pop_before_write_barrier(make_artifact):
    """The writer frees the page while its write may still be reading it."""
    writer = _edit(WRITER, "noc_async_write_barrier();\n        cb_pop_front(cb_out, 1);",
                   "cb_pop_front(cb_out, 1);\n        noc_async_write_barrier();")
    err = _run_fault(make_artifact, writer=writer)
    assert err.kind == "protocol"
    assert err.message == (
        "core (0,0) writer.cpp: cb_pop_front(cb 16, 1): page 0 is the source of a noc_async_write (2048 bytes) by "
        "writer.cpp that is not flushed: pop before noc_async_write_barrier/writes_flushed (the producer may "
        "overwrite the bytes before the NoC has read them; " + HINT + ")")


def test_flag_multicast_before_writes_flushed(make_artifact):
    """The canonical handshake without noc_async_writes_flushed: the VALID flag may overtake the data."""
    err = _run_mcast_fault(make_artifact, _edit(MCAST, FLUSH, ""))
    assert err.kind == "protocol"
    assert err.message == (
        "core (0,0) reader.cpp: noc_semaphore_set_multicast to 3 cores (1,0) (2,0) (3,0) while 1 write "
        "(noc_async_write_multicast, 2048 bytes) to the same cores is not flushed: flag before "
        "noc_async_writes_flushed (NoC ordering between data and flag is not guaranteed; the receiver may see the "
        "flag before the data; " + HINT + ")")


def test_multicast_before_read_barrier(make_artifact):
    """The sender multicasts the page its DRAM read is still filling."""
    err = _run_mcast_fault(make_artifact, _edit(MCAST, "            noc_async_read_barrier();\n", ""))
    assert err.kind == "protocol"
    assert err.message.startswith(
        "core (0,0) reader.cpp: noc_async_write_multicast: sends L1 bytes (offset 102400, 2048 bytes) that a "
        "noc_async_read (2048 bytes) is still filling: write before noc_async_read_barrier")


# The sender's reader multicasts and hands the VALID flag to its writer through a local semaphore,
# flushing only after the receivers report back: each thread's own order looks fine, but the
# receivers push pages whose bytes have not landed.
RACE_READER = """
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

constexpr uint32_t cb_in = 0;

void kernel_main() {
    uint32_t A_addr = get_arg_val<uint32_t>(0);
    constexpr auto A_acc_args = TensorAccessorArgs<0>();
    const auto A_acc = TensorAccessor(A_acc_args, A_addr, 2048);
    uint32_t x0 = my_x[noc_index] - get_absolute_logical_x();
    uint32_t y = my_y[noc_index];
    // a multicast starts at the corner its NoC leaves from: NOC_1 runs toward smaller x
    uint32_t xs = noc_index == 1 ? x0 + 3 : x0 + 1, xe = noc_index == 1 ? x0 + 1 : x0 + 3;
    volatile tt_l1_ptr uint32_t* ready = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_semaphore(0));
    volatile tt_l1_ptr uint32_t* valid = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_semaphore(1));
    volatile tt_l1_ptr uint32_t* go = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_semaphore(2));
    volatile tt_l1_ptr uint32_t* done = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_semaphore(3));
    uint32_t count = get_arg_val<uint32_t>(2);
    for (uint32_t t = 0; t < count; ++t) {
        cb_reserve_back(cb_in, 1);
        uint32_t l1 = get_write_ptr(cb_in);
        if (get_absolute_logical_x() == 0) {
            noc_async_read_page(t, A_acc, l1);
            noc_async_read_barrier();
            noc_semaphore_wait(ready, 3);
            noc_semaphore_set(ready, 0);
            noc_async_write_multicast(l1, get_noc_multicast_addr(xs, y, xe, y, l1), 2048, 3);
            noc_semaphore_set(go, 1);      // the writer sends the flag; this thread has not flushed
            noc_semaphore_wait(done, 3);
            noc_semaphore_set(done, 0);
            noc_async_writes_flushed();
        } else {
            noc_semaphore_set(valid, INVALID);
            noc_semaphore_inc(get_noc_addr(x0, y, get_semaphore(0)), 1);
            noc_semaphore_wait(valid, VALID);
            noc_semaphore_inc(get_noc_addr(x0, y, get_semaphore(3)), 1);
        }
        cb_push_back(cb_in, 1);
    }
}
"""

RACE_WRITER = """
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

constexpr uint32_t cb_out = 16;

void kernel_main() {
    uint32_t C_addr = get_arg_val<uint32_t>(0);
    uint32_t start = get_arg_val<uint32_t>(1);
    uint32_t count = get_arg_val<uint32_t>(2);
    constexpr auto C_acc_args = TensorAccessorArgs<0>();
    const auto C_acc = TensorAccessor(C_acc_args, C_addr, 2048);
    if (get_absolute_logical_x() == 0) {
        volatile tt_l1_ptr uint32_t* valid = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_semaphore(1));
        volatile tt_l1_ptr uint32_t* go = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_semaphore(2));
        uint32_t x0 = my_x[noc_index];
        uint32_t y = my_y[noc_index];
        uint32_t xs = noc_index == 1 ? x0 + 3 : x0 + 1, xe = noc_index == 1 ? x0 + 1 : x0 + 3;
        noc_semaphore_wait(go, 1);
        noc_semaphore_set(valid, VALID);
        noc_semaphore_set_multicast(get_semaphore(1), get_noc_multicast_addr(xs, y, xe, y, get_semaphore(1)), 3);
    }
    for (uint32_t t = 0; t < count; ++t) {
        cb_wait_front(cb_out, 1);
        uint32_t l1 = get_read_ptr(cb_out);
        noc_async_write_page(start + t, C_acc, l1);
        noc_async_write_barrier();
        cb_pop_front(cb_out, 1);
    }
}
"""

FOUR_SEMAPHORES = " ".join(["CreateSemaphore(program, cores, 0);"] * 4)


def test_receiver_push_of_undelivered_multicast_is_a_data_race(make_artifact):
    """A flag from another thread of the sender core: the receiver's push finds the multicast not landed."""
    err = _run_mcast_fault(make_artifact, RACE_READER, RACE_WRITER, FOUR_SEMAPHORES)
    assert err.kind == "protocol"
    assert re.fullmatch(
        r"core \([123],0\) reader\.cpp: cb_push_back\(cb 0, 1\): data race: page 0 is the destination of a "
        r"noc_async_write_multicast \(2048 bytes\) from core \(0,0\) reader\.cpp that has not landed \(its issuer has "
        r"not reached noc_async_writes_flushed/noc_async_write_barrier\); the consumer would read the bytes before "
        r"they arrive \(" + re.escape(HINT) + r"\)", err.message), err.message


def test_eager_mode_completes_transfers_at_issue(make_artifact, monkeypatch):
    """TT_EMU_NOC=eager is the old model: the unflushed handshake and the early push both pass."""
    monkeypatch.setenv("TT_EMU_NOC", "eager")
    rng = np.random.default_rng(7)
    a = rng.standard_normal((32, 32 * 3), dtype=np.float32)
    result = tt_runtime.run(make_artifact(_mcast_spec(3, reader=_edit(MCAST, FLUSH, ""))), {"A": a})
    np.testing.assert_array_equal(result.outputs["C"].astype(np.float32), np.vstack([bf16_round(a)] * 4))


def test_strict_mode_runs_the_flushed_handshake(make_artifact, monkeypatch):
    """Explicit TT_EMU_NOC=strict is the default: the correct handshake lands every byte."""
    monkeypatch.setenv("TT_EMU_NOC", "strict")
    rng = np.random.default_rng(8)
    a = rng.standard_normal((32, 32 * 3), dtype=np.float32)
    result = tt_runtime.run(make_artifact(_mcast_spec(3)), {"A": a})
    np.testing.assert_array_equal(result.outputs["C"].astype(np.float32), np.vstack([bf16_round(a)] * 4))


def test_unknown_noc_mode_is_a_usage_error(make_artifact, monkeypatch):
    monkeypatch.setenv("TT_EMU_NOC", "lazy")
    with pytest.raises(EmulatorError) as info:
        tt_runtime.run(make_artifact(_mcast_spec(1)), {"A": np.ones((32, 32), np.float32)})
    assert info.value.kind == "usage"
    assert "TT_EMU_NOC=lazy: unknown NoC mode (valid: strict, eager)" in info.value.message


def test_bytes_read_before_the_barrier_are_poison(make_artifact, monkeypatch):
    """A raw L1 load before the read barrier sees 0xFF bytes (NaN), not the DRAM data; eager hides it."""
    reader = _edit(READER, "noc_async_read_barrier();",
                   "uint32_t early = *reinterpret_cast<volatile uint32_t*>(l1);\n"
                   "        noc_async_read_barrier();\n"
                   "        *reinterpret_cast<volatile uint32_t*>(l1) = early;")
    spec = unary_spec(32, 64, COMPUTE, [(0, 0)], reader_source=reader, writer_source=WRITER)
    art = make_artifact(spec)
    a = np.arange(32 * 64, dtype=np.float32).reshape(32, 64)
    c = tt_runtime.run(art, {"A": a}).outputs["C"].astype(np.float32)
    assert np.isnan(c[0, :2]).all() and np.isnan(c[0, 32:34]).all()  # the first word of each tile
    np.testing.assert_array_equal(c[1:], bf16_round(a)[1:])
    monkeypatch.setenv("TT_EMU_NOC", "eager")
    c = tt_runtime.run(art, {"A": a}).outputs["C"].astype(np.float32)
    np.testing.assert_array_equal(c, bf16_round(a))


def test_multicast_rectangle_must_start_where_its_noc_leaves_from(make_artifact):
    """A multicast on NOC_1 (the reader's) written start-small, end-large, as NOC_0 wants it:
    silicon's NOC_1 runs toward smaller coordinates, so the rectangle is a fault naming the NoC,
    both corners and the fix."""
    reader = _edit(MCAST, "uint32_t xs = noc_index == 1 ? x0 + 3 : x0 + 1, xe = noc_index == 1 ? x0 + 1 : x0 + 3;",
                   "uint32_t xs = noc_index == 1 ? x0 + 1 : x0 + 3, xe = noc_index == 1 ? x0 + 3 : x0 + 1;")
    err = _run_mcast_fault(make_artifact, reader)
    assert err.kind == "protocol"
    assert re.fullmatch(
        r"core \(0,0\) reader\.cpp: noc_async_write_multicast on NOC_1: multicast rectangle starts at \(19,18\) "
        r"and ends at \(21,18\); on NOC_1 it must start at its larger corner \(swap start and end\)", err.message), \
        err.message
