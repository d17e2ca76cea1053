"""Binary SFPU ops on DST (eltwise_binary_sfpu.h, binary_max_min.h) and DST-op-scalar ops
(binop_with_scalar.h, unary_max/min) against numpy: the emulator computes in fp32 and
rounds to bf16 only at pack, so the result is the fp32 formula rounded once."""

from __future__ import annotations

import dataclasses

import numpy as np
from conftest import add_spec, bf16_round, unary_spec

import tt_runtime


def test_binary_sfpu_ops_on_dst(make_artifact):
    """add/sub/mul/div/rsub_binary_tile and binary_max/min_tile, in fp32, one rounding."""
    rng = np.random.default_rng(11)
    a = rng.uniform(1, 2, (64, 128)).astype(np.float32)
    b = rng.uniform(1, 2, (64, 128)).astype(np.float32)
    spec = add_spec(64, 128, [(0, 0)], name="sfpu_binary")
    spec.compute = dataclasses.replace(spec.compute, source="sfpu_binary_compute.cpp")
    result = tt_runtime.run(make_artifact(spec), {"A": a, "B": b})
    x, y = bf16_round(a), bf16_round(b)
    t = x * y + x - y
    t = t - y
    t = t / y
    t = np.minimum(np.maximum(t, x), y)
    np.testing.assert_allclose(result.outputs["C"].astype(np.float32), bf16_round(t), rtol=2 ** -8)
    ops = result.counters["0,0"]["tile_ops"]
    assert ops["sfpu_binary_rsub"] == ops["sfpu_binary_min"] == 8 and ops["copy"] == 16


def test_scalar_binops_on_dst(make_artifact):
    """add/mul/sub/rsub/div_unary_tile take the scalar's fp32 bits; unary_max/min clamp."""
    rng = np.random.default_rng(12)
    a = rng.uniform(-2, 2, (32, 128)).astype(np.float32)
    art = make_artifact(unary_spec(32, 128, "sfpu_scalar_compute.cpp", [(0, 0)], name="sfpu_scalar"))
    got = tt_runtime.run(art, {"A": a}).outputs["C"].astype(np.float32)
    x = bf16_round(a)
    want = np.minimum(np.maximum((1.0 - ((x + 1.5) * -2.0 - 0.25)) / 4.0, -0.5), 1.25)
    np.testing.assert_allclose(got, bf16_round(want.astype(np.float32)), rtol=2 ** -8)
