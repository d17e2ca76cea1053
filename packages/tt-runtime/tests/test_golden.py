"""The golden eltwise_add artifacts compile unchanged and compute C = A + B in bfloat16."""

from __future__ import annotations

import json
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest
from conftest import bf16_round

import tt_runtime

GOLDEN = Path(__file__).parent / "golden" / "eltwise_add"


def test_eltwise_add_matches_numpy_bf16():
    """C = bf16(bf16(A) + bf16(B)) exactly (round to nearest even on pack)."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal((256, 256), dtype=np.float32) * 10
    b = rng.standard_normal((256, 256), dtype=np.float32)
    result = tt_runtime.run(GOLDEN, {"A": a, "B": b})
    c = result.outputs["C"]
    assert c.dtype == ml_dtypes.bfloat16
    expected = bf16_round(bf16_round(a) + bf16_round(b))
    np.testing.assert_array_equal(c.astype(np.float32), expected)


def test_eltwise_add_counters():
    """Each of the 8 cores adds and packs 8 tiles, reads 16 pages and writes 8 pages of DRAM."""
    a = np.ones((256, 256), np.float32)
    result = tt_runtime.run(GOLDEN, [a, a])
    assert sorted(result.counters) == [f"{x},0" for x in range(8)]
    for core in result.counters.values():
        assert core["tile_ops"] == {"add": 8, "pack": 8}
        assert core["noc_read_bytes"] == {"dram": 16 * 2048}
        assert core["noc_write_bytes"] == {"dram": 8 * 2048}
        assert core["l1_high_water"] == 102400 + 3 * 16 * 2048
    assert result.totals()["tile_ops"] == {"add": 64, "pack": 64}


def test_run_result_json_round_trip():
    """RunResult.to_json carries counters, totals and (on request) the outputs."""
    a = np.full((256, 256), 1.5, np.float32)
    result = tt_runtime.run(GOLDEN, {"A": a, "B": a})
    doc = json.loads(result.to_json())
    assert doc["arch"] == "wormhole_b0" and doc["device"] == "emulator"
    assert doc["outputs"]["C"] == {"shape": [256, 256], "dtype": "bfloat16"}
    assert doc["totals"]["noc_read_bytes"]["dram"] == 2 * 256 * 256 * 2
    back = tt_runtime.RunResult.from_json(result.to_json(include_outputs=True))
    np.testing.assert_array_equal(back.outputs["C"], np.full((256, 256), 3.0, np.float32))
    assert back.counters == result.counters


def test_wrong_input_shape_names_the_buffer():
    """An input of the wrong shape is rejected before anything runs."""
    from tt_ir import SchemaError

    with pytest.raises(SchemaError, match=r"input 'B': shape \(4, 4\) does not match the plan's \(256, 256\)"):
        tt_runtime.run(GOLDEN, {"A": np.zeros((256, 256)), "B": np.zeros((4, 4))})


def test_unknown_device_lists_the_valid_ones():
    from tt_ir import SchemaError

    with pytest.raises(SchemaError, match="'tpu' is not one of emulator, hardware"):
        tt_runtime.run(GOLDEN, {"A": 0, "B": 0}, device="tpu")


@pytest.mark.parametrize(("array", "got"), [
    (np.ones((256, 256), np.complex64), "complex64"),
    (np.ones((256, 256), np.int64), "int64"),
    (np.ones((256, 256), bool), "bool"),
])
def test_non_float_input_for_a_float_buffer_is_refused_before_building(array, got, tmp_path, monkeypatch):
    """Complex (it would lose its imaginary part) or integer data for a bf16 buffer: refused, nothing built."""
    from tt_ir import SchemaError

    monkeypatch.setenv("TT_RUNTIME_CACHE", str(tmp_path / "cache"))
    message = (f"input 'B' is a bfloat16 buffer: expects a float array (float32, float16 or bfloat16), got {got}; "
               "convert it first, e.g. a.astype(np.float32)")
    with pytest.raises(SchemaError) as info:
        tt_runtime.run(GOLDEN, {"A": np.ones((256, 256), np.float32), "B": array})
    assert info.value.message == message
    assert not (tmp_path / "cache").exists()
