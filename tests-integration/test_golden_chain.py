"""The whole pipeline reproduces the hand-written golden artifact directory byte for byte.

tt-passes and tt-codegen each compare with goldens on their own; this checks the chain:
TileLang kernel -> tt_cli.compile -> the five files, against
packages/tt-runtime/tests/golden/eltwise_add (which the emulator tests run).
"""

from pathlib import Path

from corpus import ROOT

import tt_cli
from tt_cli._loader import load_kernel

GOLDEN = ROOT / "packages" / "tt-runtime" / "tests" / "golden" / "eltwise_add"


def test_pipeline_output_equals_the_golden_directory(tmp_path):
    loaded = load_kernel(Path(__file__).parent / "golden_kernels" / "eltwise_add.py")
    tt_cli.compile(loaded.func, out_idx=[2]).save(tmp_path)
    for name in ("reader.cpp", "compute.cpp", "writer.cpp", "main.cpp", "tt.plan.json"):
        assert (tmp_path / name).read_text() == (GOLDEN / name).read_text(), f"{name} differs from the golden"
