"""Semaphores and multicast: the ready/valid handshake of a multicast reader, and its deadlock."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from artifacts import ArtifactSpec, KernelSpec
from conftest import bf16_round

import tt_runtime
from tt_ir import EmulatorError

KERNELS = Path(__file__).parent / "kernels"
CORES = [(0, 0), (1, 0), (2, 0), (3, 0)]
SEMAPHORES = "CreateSemaphore(program, cores, 0); CreateSemaphore(program, cores, 0);"


def _mcast_spec(n: int, reader: str = "mcast_reader.cpp") -> ArtifactSpec:
    """Core i writes its copy of A's n tiles to row block i of C (4 x 1 blocks of tiles)."""
    return ArtifactSpec(
        name="mcast",
        buffers=[("A", (32, 32 * n), "bfloat16", "input"), ("C", (4 * 32, 32 * n), "bfloat16", "output")],
        cbs=[(0, "A_shared", "bfloat16", 2, "reader", "compute"), (16, "C_local", "bfloat16", 2, "compute", "writer")],
        cores=CORES,
        reader=KernelSpec(reader, [("A_addr", "A"), ("start", None), ("count", None)],
                          {c: [0, n] for c in CORES}, accessors=["A"]),
        compute=KernelSpec("copy_compute.cpp", [("count", None)], {c: [n] for c in CORES}),
        writer=KernelSpec("copy_writer.cpp", [("C_addr", "C"), ("start", None), ("count", None)],
                          {c: [i * n, n] for i, c in enumerate(CORES)}, accessors=["C"]),
        host_extra=SEMAPHORES,
    )


def test_multicast_with_semaphore_handshake(make_artifact):
    """Every core of the row receives each tile exactly as the sender read it."""
    rng = np.random.default_rng(6)
    a = rng.standard_normal((32, 32 * 5), dtype=np.float32)
    result = tt_runtime.run(make_artifact(_mcast_spec(5)), {"A": a})
    np.testing.assert_array_equal(result.outputs["C"].astype(np.float32), np.vstack([bf16_round(a)] * 4))
    assert result.counters["0,0"]["noc_read_bytes"] == {"dram": 5 * 2048}
    assert result.counters["0,0"]["noc_write_bytes"]["l1_mcast"] == 5 * 3 * (2048 + 4)
    assert result.counters["1,0"]["noc_write_bytes"]["l1"] == 5 * 4  # one semaphore increment per tile


def test_semaphore_deadlock_names_the_semaphore(make_artifact):
    """Receivers that never signal 'ready' leave the sender waiting on semaphore 0."""
    text = (KERNELS / "mcast_reader.cpp").read_text().replace(
        "noc_semaphore_inc(get_noc_addr(x0, y, get_semaphore(0)), 1);", "")
    with pytest.raises(EmulatorError) as info:
        tt_runtime.run(make_artifact(_mcast_spec(2, reader=text)), {"A": np.ones((32, 64), np.float32)})
    msg = info.value.message
    assert info.value.kind == "deadlock"
    assert ("core (0,0): reader.cpp blocked in noc_semaphore_wait(semaphore 0, 3): wants value == 3, current value 0"
            in msg)
    assert "3 cores (1,0) (2,0) (3,0): reader.cpp blocked in noc_semaphore_wait(semaphore 1, 1): wants value == 1, current value 0" in msg
