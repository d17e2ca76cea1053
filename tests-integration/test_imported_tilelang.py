"""TileLang's own printed IR (as real TileLang prints a frontend PrimFunc) goes through the
importer, the compiler and the emulator, and gives numpy's answer.

The sample texts are the importer's fixtures in packages/tt-ir/tests/tilelang_ir/.
"""

from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

import tt_cli
from tt_ir.importer import import_tilelang

SAMPLES = Path(__file__).resolve().parent.parent / "packages" / "tt-ir" / "tests" / "tilelang_ir"


def _inputs(kernel, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, tuple(b["shape"])).astype(ml_dtypes.bfloat16)
            for b in kernel.plan["buffers"] if b["role"] == "input"]


@pytest.mark.parametrize("arch", ["wormhole_b0", "blackhole"])
def test_imported_matmul_relu(arch):
    func = import_tilelang((SAMPLES / "matmul_relu.py.txt").read_text())
    kernel = tt_cli.compile(func, arch=arch)
    a, b = _inputs(kernel)
    (c,) = kernel.run(a, b).outputs.values()
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    ref = np.maximum(a64 @ b64, 0)
    bound = tt_cli.error_bound("bfloat16", float(np.abs(ref).max()), k=a.shape[1],
                               dot_scale=float((np.abs(a64) @ np.abs(b64)).max()))
    verdict = tt_cli.check(c, ref, "bfloat16", bound=bound)
    assert verdict.passed, str(verdict)


def test_imported_elementwise_add_with_swizzle():
    """The swizzle attribute (a GPU rasterisation hint) is accepted and has no effect on results."""
    func = import_tilelang((SAMPLES / "elementwise_add_swizzle.py.txt").read_text())
    kernel = tt_cli.compile(func)
    a, b = _inputs(kernel, 1)
    (c,) = kernel.run(a, b).outputs.values()
    ref = a.astype(np.float64) + b.astype(np.float64)
    assert tt_cli.check(c, ref, "bfloat16").passed
