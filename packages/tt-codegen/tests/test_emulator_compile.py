"""Generated C++ compiles (g++ -fsyntax-only -Wall -Werror) against tt-runtime's emulator headers."""

import json
import shutil
import subprocess

import pytest
from fixtures import eltwise_add, gemm
from fixtures._common import REPO_ROOT

import tt_codegen

INCLUDE = REPO_ROOT / "packages" / "tt-runtime" / "src" / "tt_runtime" / "device" / "include"

pytestmark = [
    pytest.mark.skipif(not (INCLUDE / "api" / "dataflow" / "dataflow_api.h").is_file(),
                       reason=f"emulator headers not present at {INCLUDE}"),
    pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed"),
]

CASES = {"eltwise_add": lambda: tt_codegen.emit(eltwise_add.module())}
CASES.update({name: (lambda n=name: gemm.artifacts(n)) for name in sorted(gemm.CONFIGS)})


def _compile(path, defines=()):
    cmd = ["g++", "-std=c++20", "-fsyntax-only", "-Wall", "-Werror", f"-I{INCLUDE}", *defines, str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, f"$ {' '.join(cmd)}\n{proc.stderr}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_kernels_and_host_compile(case, tmp_path):
    """reader/compute/writer (with the plan's compile args) and main.cpp parse cleanly."""
    out = CASES[case]().write(tmp_path)
    plan = json.loads((out / "tt.plan.json").read_text())
    for kernel in plan["kernels"]:
        ctas = "".join(f"{v}," for v in kernel["compile_args"])
        _compile(out / kernel["file"], [f"-DKERNEL_COMPILE_TIME_ARGS={ctas}"])
    _compile(out / "main.cpp")
