"""reduce_init / reduce_tile / reduce_block / reduce_uninit (api/compute/reduce.h) against
numpy: s = row 0 of the scaler tile; row: column 0 = sum/max_c x[r][c]*s[c]; column: row 0 =
sum/max_r x[r][c]*s[r]; scalar: [0][0] = sum x*s[0]^2; the rest of each tile zero. The
emulator accumulates in fp32 and rounds to bf16 once, at pack."""

from __future__ import annotations

import dataclasses

import numpy as np
from conftest import add_spec, bf16_round

import tt_runtime


def tiles(x: np.ndarray) -> list:
    """The 32x32 tiles of x in row-major tile order."""
    return [x[r:r + 32, c:c + 32] for r in range(0, x.shape[0], 32) for c in range(0, x.shape[1], 32)]


def test_reduce_row_col_scalar_sum_max(make_artifact):
    rng = np.random.default_rng(21)
    a = bf16_round(rng.uniform(-3.0, -0.5, (64, 128)).astype(np.float32))  # all negative: MAX from -inf
    s = 1.0 + (np.arange(32) % 4) * 0.25
    b = np.zeros((64, 128), np.float32)
    for r in (0, 32):
        b[r, :] = np.tile(s, 4)
    spec = add_spec(64, 128, [(0, 0)], name="reduce")
    spec.compute = dataclasses.replace(spec.compute, source="reduce_compute.cpp")
    got = tiles(tt_runtime.run(make_artifact(spec), {"A": a, "B": b}).outputs["C"].astype(np.float32))
    x = [t.astype(np.float64) for t in tiles(a)]
    want = [np.zeros((32, 32)) for _ in range(8)]
    for i in (0, 1):
        want[i][:, 0] = (x[i] * s).sum(1)
    for i in (2, 3):
        want[i][:, 0] = (x[i] * s).max(1)
    for i in (4, 5):
        want[i][0, :] = (x[i] * s[:, None]).sum(0)
    want[6][0, 0] = x[6].sum() * s[0] ** 2
    want[7][0, :] = (x[7] * s[:, None]).max(0)
    for i in range(8):
        np.testing.assert_allclose(got[i], bf16_round(want[i].astype(np.float32)), rtol=2 ** -8,
                                   err_msg=f"tile {i}")
