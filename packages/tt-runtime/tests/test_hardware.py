"""The hardware backend: runs on silicon where TT_METAL_HOME has a built SDK, says so plainly elsewhere."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import tt_runtime
from tt_ir import TTError
from tt_runtime import _hardware

GOLDEN = Path(__file__).parent / "golden" / "eltwise_add"


def _sdk_reason() -> str | None:
    try:
        _hardware.sdk_dir()
    except TTError as e:
        return str(e)
    return None


def test_hardware_without_sdk_says_so(monkeypatch):
    monkeypatch.delenv("TT_METAL_HOME", raising=False)
    with pytest.raises(TTError, match=r"device='hardware': no TT-Metalium SDK found \(TT_METAL_HOME is not set\)"):
        tt_runtime.run(GOLDEN, {"A": np.zeros((256, 256)), "B": np.zeros((256, 256))}, device="hardware")


def test_hardware_with_empty_sdk_dir_says_what_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("TT_METAL_HOME", str(tmp_path))
    with pytest.raises(TTError, match="has no built libtt_metal.so under build/"):
        _hardware.sdk_dir()


@pytest.mark.skipif(_sdk_reason() is not None, reason=_sdk_reason() or "")
def test_golden_eltwise_add_on_silicon():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((256, 256), dtype=np.float32)
    b = rng.standard_normal((256, 256), dtype=np.float32)
    emu = tt_runtime.run(GOLDEN, {"A": a, "B": b})
    hw = tt_runtime.run(GOLDEN, {"A": a, "B": b}, device="hardware")
    np.testing.assert_array_equal(hw.outputs["C"].astype(np.float32), emu.outputs["C"].astype(np.float32))
