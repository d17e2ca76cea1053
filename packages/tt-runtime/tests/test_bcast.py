"""FPU broadcast ops (api/compute/bcast.h) against numpy: COL: A[r][c] op B[r][0]; ROW:
A[r][c] op B[k][c] (k = bcast_row_idx, default 0); SCALAR: A[r][c] op B[0][0]. One fp32 op,
rounded to bf16 once at pack; and an op without its init faults."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from conftest import add_spec, bf16_round

import tt_runtime


def tiles(x: np.ndarray) -> list:
    """The 32x32 tiles of x in row-major tile order."""
    return [x[r:r + 32, c:c + 32] for r in range(0, x.shape[0], 32) for c in range(0, x.shape[1], 32)]


def run(make_artifact, a, b, source):
    spec = add_spec(64, 128, [(0, 0)], name="bcast")
    spec.compute = dataclasses.replace(spec.compute, source=source)
    return tiles(tt_runtime.run(make_artifact(spec), {"A": a, "B": b}).outputs["C"].astype(np.float32))


def test_bcast_rows_cols_scalar(make_artifact):
    rng = np.random.default_rng(5)
    a = bf16_round(rng.uniform(-2.0, 2.0, (64, 128)).astype(np.float32))
    b = bf16_round(rng.uniform(-2.0, 2.0, (64, 128)).astype(np.float32))
    got = run(make_artifact, a, b, "bcast_compute.cpp")
    x = [t.astype(np.float64) for t in tiles(a)]
    y = [t.astype(np.float64) for t in tiles(b)]
    want = [x[0] - y[0][:, :1], x[1] - y[1][:, :1], x[2] * y[2][:, :1], x[3] * y[3][:, :1],
            x[4] + y[4][:1, :], x[5] * y[5][3:4, :], x[6] + y[6][0, 0], x[7] - y[7][0, 0]]
    for i in range(8):
        np.testing.assert_array_equal(got[i], bf16_round(want[i].astype(np.float32)),
                                      err_msg=f"tile {i}")


def test_bcast_without_init_faults(make_artifact):
    text = (Path(__file__).parent / "kernels" / "bcast_compute.cpp").read_text()
    text = text.replace("        sub_bcast_cols_init(cb_a, cb_b);\n", "")
    a = np.ones((64, 128), np.float32)
    with pytest.raises(Exception, match="call sub_bcast_cols_init"):
        run(make_artifact, a, a, text)
