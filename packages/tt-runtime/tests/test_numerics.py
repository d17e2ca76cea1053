"""Hand-written kernels in the shape codegen emits, through the generated-style main.cpp, vs numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import bf16_round, gemm_spec, unary_spec

import tt_runtime


def _gemm_reference(a, b):
    return bf16_round(bf16_round(a) @ bf16_round(b))


def _assert_bf16_close(got, want):
    got = got.astype(np.float32)
    # fp32 accumulation in a different order may flip the last bf16 bit.
    np.testing.assert_allclose(got, want, rtol=2 ** -7, atol=1e-6 * float(np.abs(want).max()))


def test_gemm_single_core_with_k_accumulation(make_artifact):
    """One core, two 64x64 output blocks, K = 256 in four steps of 64 accumulated in DST."""
    rng = np.random.default_rng(2)
    a = rng.standard_normal((64, 256), dtype=np.float32)
    b = rng.standard_normal((256, 128), dtype=np.float32)
    art = make_artifact(gemm_spec(64, 128, 256, 64, 64, 64, [(0, 0)]))
    result = tt_runtime.run(art, {"A": a, "B": b})
    _assert_bf16_close(result.outputs["C"], _gemm_reference(a, b))
    assert result.counters["0,0"]["tile_ops"] == {"matmul": 2 * 4 * 8, "pack": 8}


def test_gemm_multi_core_fp32_accumulation(make_artifact):
    """Four cores, fp32 DST (4 tiles), K accumulated over 8 tiles: fp32 sums, one bf16 rounding."""
    rng = np.random.default_rng(3)
    a = rng.standard_normal((128, 256), dtype=np.float32)
    b = rng.standard_normal((256, 128), dtype=np.float32)
    cores = [(0, 0), (1, 0), (0, 1), (1, 1)]
    art = make_artifact(gemm_spec(128, 128, 256, 64, 64, 64, cores, fp32_acc=True))
    result = tt_runtime.run(art, [a, b])
    _assert_bf16_close(result.outputs["C"], _gemm_reference(a, b))
    assert sorted(result.counters) == ["0,0", "0,1", "1,0", "1,1"]
    assert all(c["tile_ops"]["matmul"] == 4 * 8 for c in result.counters.values())


def test_gemm_sum_is_fp32_not_bf16(make_artifact):
    """Accumulating 1 + 2^-9 * 1024 terms: fp32 accumulation keeps what bf16 accumulation would lose."""
    a = np.ones((32, 1024), np.float32)
    b = np.full((1024, 32), 2.0 ** -9, np.float32)
    b[0, :] = 1.0
    art = make_artifact(gemm_spec(32, 32, 1024, 32, 32, 32, [(0, 0)]))
    c = tt_runtime.run(art, {"A": a, "B": b}).outputs["C"].astype(np.float32)
    np.testing.assert_array_equal(c, bf16_round(np.full((32, 32), 1.0 + 1023 * 2.0 ** -9, np.float32)))
    assert c[0, 0] == 3.0  # a bf16 accumulator would have stayed at 1.0


def test_sfpu_exp(make_artifact):
    """exp on the SFPU: C = bf16(exp(bf16(A))), within one bf16 ulp."""
    rng = np.random.default_rng(4)
    a = rng.uniform(-4, 4, (64, 128)).astype(np.float32)
    art = make_artifact(unary_spec(64, 128, "exp_compute.cpp", [(0, 0), (1, 0)]))
    result = tt_runtime.run(art, {"A": a})
    want = bf16_round(np.exp(bf16_round(a)))
    np.testing.assert_allclose(result.outputs["C"].astype(np.float32), want, rtol=2 ** -7)
    assert result.counters["0,0"]["tile_ops"] == {"copy": 4, "sfpu_exp": 4, "pack": 4}


def test_sfpu_relu_exact(make_artifact):
    """relu on the SFPU is exact in bf16."""
    rng = np.random.default_rng(5)
    a = rng.standard_normal((32, 256), dtype=np.float32)
    art = make_artifact(unary_spec(32, 256, "relu_compute.cpp", [(0, 0), (1, 0), (2, 0)]))
    c = tt_runtime.run(art, {"A": a}).outputs["C"].astype(np.float32)
    np.testing.assert_array_equal(c, np.maximum(bf16_round(a), 0))


def test_gemm_on_blackhole_far_corner(make_artifact):
    """Blackhole: 13x10 grid, 8 DRAM banks, 64-byte DRAM alignment; cores at the far corner work."""
    rng = np.random.default_rng(7)
    a = rng.standard_normal((64, 96), dtype=np.float32)
    b = rng.standard_normal((96, 64), dtype=np.float32)
    art = make_artifact(gemm_spec(64, 64, 96, 32, 64, 32, [(12, 9), (11, 9)], arch="blackhole"))
    result = tt_runtime.run(art, {"A": a, "B": b})
    assert result.arch == "blackhole"
    _assert_bf16_close(result.outputs["C"], _gemm_reference(a, b))
    assert sorted(result.counters) == ["11,9", "12,9"]


def test_gemm_in_older_spellings(make_artifact):
    """dataflow_api.h, InterleavedAddrGenFast, noc_async_read_tile, mm_init, 6-arg matmul_tiles,
    acquire_dst/release_dst and namespace NAMESPACE { void MAIN } are accepted as aliases."""
    rng = np.random.default_rng(8)
    a = rng.standard_normal((64, 128), dtype=np.float32)
    b = rng.standard_normal((128, 64), dtype=np.float32)
    spec = gemm_spec(64, 64, 128, 32, 32, 32, [(0, 0), (1, 0)])
    spec.reader.source, spec.compute.source, spec.writer.source = (
        "legacy_gemm_reader.cpp", "legacy_gemm_compute.cpp", "legacy_gemm_writer.cpp")
    result = tt_runtime.run(make_artifact(spec), {"A": a, "B": b})
    _assert_bf16_close(result.outputs["C"], _gemm_reference(a, b))


L1_ACC_TILE_LOOP = """\
        cb_wait_front(cb_in, 1);
        cb_reserve_back(cb_out, 1);
        for (uint32_t pass = 0; pass < 3; ++pass) {  // the page gets A, then A added twice
            tile_regs_acquire();
            copy_tile(cb_in, 0, 0);
            tile_regs_commit();
            tile_regs_wait();
            pack_reconfig_l1_acc(pass > 0 ? 1 : 0);
            pack_tile<true>(0, cb_out, 0);
            tile_regs_release();
        }
        pack_reconfig_l1_acc(0);
        cb_push_back(cb_out, 1);
        cb_pop_front(cb_in, 1);
"""


def _l1_acc_compute() -> str:
    """The copy kernel (tests/kernels/copy_compute.cpp) with its tile loop packing each tile
    three times onto one page, the last two with the packer's L1 accumulation on."""
    text = (Path(__file__).parent / "kernels" / "copy_compute.cpp").read_text()
    start = text.index("        cb_wait_front(cb_in, 1);\n")  # the tile loop's body
    end = text.index("        cb_pop_front(cb_in, 1);\n") + len("        cb_pop_front(cb_in, 1);\n")
    return (text[:start] + L1_ACC_TILE_LOOP + text[end:]).replace(
        '#include "api/compute/tile_move_copy.h"', '#include "api/compute/pack.h"\n#include "api/compute/tile_move_copy.h"')


def test_pack_with_l1_accumulation_adds_to_the_page(make_artifact):
    """pack_reconfig_l1_acc(1): pack_tile adds DST to what the page holds (an fp32 sum rounded to
    the CB's format), so packing A three times onto one page, the last two accumulating, gives
    bf16(3 A); with the mode left off it would give A."""
    import dataclasses

    rng = np.random.default_rng(6)
    a = bf16_round(rng.standard_normal((32, 128), dtype=np.float32))
    spec = unary_spec(32, 128, "copy_compute.cpp", [(0, 0), (1, 0)])
    spec.compute = dataclasses.replace(spec.compute, source=_l1_acc_compute())
    c = tt_runtime.run(make_artifact(spec), {"A": a}).outputs["C"].astype(np.float32)
    np.testing.assert_array_equal(c, bf16_round(3 * a))
