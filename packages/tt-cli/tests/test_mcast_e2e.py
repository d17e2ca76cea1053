"""reuse="mcast" end to end: tt-passes -> tt-codegen -> emulator, against numpy.

The multicast schedule must give the same numbers as numpy (and as reuse="none") for
GEMMs of several shapes, block sizes and stage counts on both arches, including partial
blocks, several blocks per core (lockstep) and transpose_B; and it must move fewer DRAM
bytes (the emulator's counters). A grid it cannot tile keeps the row-major schedule.
"""

import json

import ml_dtypes
import numpy as np
import pytest

import tt_codegen
import tt_ir.language as T
import tt_passes
import tt_runtime
from tt_ir import SchemaError


def matmul(M, N, K, bm, bn, bk, stages=2, tb=False, relu=False):
    @T.prim_func
    def matmul(A: T.Tensor((M, K), T.bfloat16), B: T.Tensor(((N, K) if tb else (K, N)), T.bfloat16),
               C: T.Tensor((M, N), T.bfloat16)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm), threads=128) as (bx, by):
            A_shared = T.alloc_shared((bm, bk), T.bfloat16)
            B_shared = T.alloc_shared(((bn, bk) if tb else (bk, bn)), T.bfloat16)
            C_local = T.alloc_fragment((bm, bn), T.float32)
            T.clear(C_local)
            for k in T.Pipelined(T.ceildiv(K, bk), num_stages=stages):
                T.copy(A[by * bm, k * bk], A_shared)
                if tb:
                    T.copy(B[bx * bn, k * bk], B_shared)
                else:
                    T.copy(B[k * bk, bx * bn], B_shared)
                T.gemm(A_shared, B_shared, C_local, transpose_B=tb)
            if relu:
                for i, j in T.Parallel(bm, bn):
                    C_local[i, j] = T.max(C_local[i, j], 0)
            T.copy(C_local, C[by * bm, bx * bn])
    return matmul


def build(tmp_path, name, kernel, **options):
    out = tmp_path / name
    tt_codegen.emit(tt_passes.lower(kernel, **options)).write(out)
    return out, json.loads((out / "tt.plan.json").read_text())


def run(out, M, N, K, arch, tb=False, relu=False):
    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, (M, K)).astype(ml_dtypes.bfloat16)
    b = rng.uniform(-1, 1, ((N, K) if tb else (K, N))).astype(ml_dtypes.bfloat16)
    result = tt_runtime.run(out, {"A": a, "B": b}, arch=arch)
    bf = b.astype(np.float64)
    ref = a.astype(np.float64) @ (bf.T if tb else bf)
    if relu:
        ref = np.maximum(ref, 0)
    # bf16 output of a K-long fp32-accumulated dot product of values in [-1, 1]
    bound = 2.0 ** -8 * np.abs(ref).max() + K * 2.0 ** -20 + 1e-6
    got = result.outputs["C"].astype(np.float64)
    assert np.abs(got - ref).max() <= bound
    return result


def dram_read(result):
    return int(result.totals()["noc_read_bytes"].get("dram", 0))


CASES = [
    # (arch, grid, M, N, K, bm, bn, bk, stages, tb, relu, tile): tile = blocks per core
    ("wormhole_b0", (2, 2), 256, 256, 256, 64, 64, 32, 2, False, False, [2, 2]),
    ("wormhole_b0", None, 320, 288, 160, 64, 64, 64, 3, False, True, [1, 1]),
    ("wormhole_b0", (4, 2), 256, 512, 128, 64, 64, 32, 1, True, False, [2, 2]),
    ("blackhole", None, 512, 384, 256, 64, 128, 64, 3, False, False, [1, 1]),
    ("blackhole", (3, 2), 128, 384, 192, 32, 64, 64, 2, True, True, [2, 2]),
]


@pytest.mark.parametrize(("arch", "grid", "M", "N", "K", "bm", "bn", "bk", "stages", "tb", "relu", "tile"),
                         CASES)
def test_mcast_matches_numpy(tmp_path, arch, grid, M, N, K, bm, bn, bk, stages, tb, relu, tile):
    """The multicast schedule computes the GEMM (lockstep tiles, partial blocks, transpose_B)."""
    kernel = matmul(M, N, K, bm, bn, bk, stages, tb, relu)
    out, plan = build(tmp_path, "mcast", kernel, arch=arch, grid=grid, reuse="mcast")
    assert plan["work"]["order"] == "tiled" and plan["work"]["tile"] == tile
    assert [s["id"] for s in plan["semaphores"]] == [0, 1, 2, 3]
    reader = (out / "reader.cpp").read_text()
    # A and B: spread senders (no core sends both) multicast to their whole row / column
    assert reader.count("noc_async_write_multicast_loopback_src(") == 2
    assert reader.count("noc_semaphore_set_multicast_loopback_src(") == 2
    assert "noc_async_writes_flushed();" in reader      # Blackhole needs it before the flag
    run(out, M, N, K, arch, tb, relu)


def test_mcast_moves_at_most_half_the_dram_bytes(tmp_path):
    """1024^3, 128/128/128 on 8x8 Wormhole cores: mcast reads A and B from DRAM once."""
    kernel = matmul(1024, 1024, 1024, 128, 128, 128, 2)
    none_dir, _ = build(tmp_path, "none", kernel, reuse="none")
    mcast_dir, _ = build(tmp_path, "mcast", kernel, reuse="mcast")
    none = dram_read(run(none_dir, 1024, 1024, 1024, "wormhole_b0"))
    mcast = dram_read(run(mcast_dir, 1024, 1024, 1024, "wormhole_b0"))
    compulsory = 2 * 1024 * 1024 * 2        # A and B, bf16, read once
    assert mcast <= none // 2
    assert mcast == compulsory and none == 8 * compulsory


def test_untileable_grid_keeps_the_row_major_schedule(tmp_path):
    """13 column blocks on an 8-wide grid tile as 1x1 cores: no multicast, still correct."""
    kernel = matmul(64, 13 * 32, 64, 32, 32, 32, 2)
    out, plan = build(tmp_path, "fallback", kernel, reuse="mcast")
    assert plan["work"]["order"] == "row_major" and plan["semaphores"] == []
    assert "multicast" not in (out / "reader.cpp").read_text()
    run(out, 64, 13 * 32, 64, "wormhole_b0")


def test_unknown_reuse_mode_is_refused():
    with pytest.raises(SchemaError, match="reuse: 'always' is not one of auto, none, mcast"):
        tt_passes.Options(reuse="always")
