"""The hardware backend: build main.cpp and the kernels against a TT-Metalium SDK and run them.

Owns: finding the SDK (``$TT_METAL_HOME`` with a CMake package config under ``build/`` or
``build_Release/``), a CMake project around ``main.cpp`` linked with ``TT::Metalium``, and
running the program on the card (the kernels are JIT-built by the SDK itself, which is why
main.cpp passes them as absolute paths). Elsewhere it raises `TTError` saying that no SDK was
found, which the hardware tests turn into a skip reason.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from tt_ir import KernelBuildError, TTError
from tt_runtime._result import RunResult

_CMAKE = """cmake_minimum_required(VERSION 3.22)
project(tt_artifact LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 20)
find_package(TT-Metalium REQUIRED)
add_executable(main {main})
target_link_libraries(main PRIVATE TT::Metalium)
"""


def sdk_dir() -> Path:
    """The TT-Metalium SDK to build against, or raise TTError saying why there is none."""
    home = os.environ.get("TT_METAL_HOME")
    if not home:
        raise TTError("device='hardware': no TT-Metalium SDK found (TT_METAL_HOME is not set); "
                      "use device='emulator' or point TT_METAL_HOME at a built tt-metal checkout")
    root = Path(home)
    for build in ("build", "build_Release", "build_Debug"):
        if (root / build / "lib" / "libtt_metal.so").exists():
            return root
    raise TTError(f"device='hardware': no TT-Metalium SDK found: TT_METAL_HOME={home} has no built "
                  "libtt_metal.so under build/, build_Release/ or build_Debug/")


def run(artifact_dir: Path, plan, host_inputs: dict[str, np.ndarray]) -> RunResult:
    """Build and run on the card; outputs as in the emulator, counters empty."""
    root = sdk_dir()
    work = Path(tempfile.mkdtemp(prefix="tt-hw-"))
    (work / "CMakeLists.txt").write_text(_CMAKE.format(main=artifact_dir / "main.cpp"))
    build = work / "build"
    for cmd in (["cmake", "-S", str(work), "-B", str(build), f"-DCMAKE_PREFIX_PATH={root / 'build'}"],
                ["cmake", "--build", str(build), "-j2"]):
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise KernelBuildError("building main.cpp against TT-Metalium failed", command=cmd,
                                   returncode=proc.returncode, stderr=proc.stderr + proc.stdout,
                                   source_path=str(artifact_dir / "main.cpp"))
    args = [str(build / "main"), "--kernels", str(artifact_dir)]
    outs = {}
    for b in plan.buffers:
        path = work / f"{b.name}.npy"
        if b.role in ("input", "inout"):
            np.save(path, host_inputs[b.name])
        if b.role in ("output", "inout"):
            outs[b.name] = path
        args.append(f"{b.name}={path}")
    t0 = time.perf_counter()
    proc = subprocess.run(args, cwd=work, capture_output=True, text=True)
    if proc.returncode != 0:
        raise TTError(f"the program failed on the device (exit status {proc.returncode}): {proc.stderr.strip()}")
    outputs = {name: np.load(path) for name, path in outs.items()}
    return RunResult(outputs=outputs, counters={}, arch=plan.arch, device="hardware", seconds=time.perf_counter() - t0)
