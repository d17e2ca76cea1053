"""`tt doctor`: what this installation has and lacks."""

from __future__ import annotations

import os
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

TVM_PIN = "0.27.0.post1"
FFI_RANGE = ((0, 1, 14), (0, 1, 15))


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _ffi_ok(version: str) -> bool:
    parts = tuple(int(p) for p in version.split(".post")[0].split(".")[:3])
    return FFI_RANGE[0] <= parts < FFI_RANGE[1]


def checks() -> list[tuple[str, bool]]:
    """(line, ok) pairs, one per check."""
    out = []
    for dist in ("tilelang-tt-ir", "tilelang-tt-passes", "tilelang-tt-codegen", "tilelang-tt-runtime",
                 "tilelang-tt-cli"):
        v = _version(dist)
        out.append((f"{dist} {v or 'not installed'}", v is not None))
    tvm = _version("apache-tvm")
    out.append((f"apache-tvm {tvm or 'not installed'} (pinned {TVM_PIN})", tvm == TVM_PIN))
    ffi = _version("apache-tvm-ffi")
    out.append((f"apache-tvm-ffi {ffi or 'not installed'} (needs >=0.1.14,<0.1.15: 0.1.15 segfaults in save_json)",
                bool(ffi) and _ffi_ok(ffi)))
    cxx = os.environ.get("TT_RUNTIME_CXX", "g++")
    path = shutil.which(cxx)
    if path:
        first = subprocess.run([path, "--version"], capture_output=True, text=True).stdout.splitlines()[:1]
        out.append((f"C++ compiler {cxx}: {first[0] if first else path}", True))
    else:
        out.append((f"C++ compiler {cxx} not found (set TT_RUNTIME_CXX or install g++)", False))
    out.append(_emulator_check())
    home = os.environ.get("TT_METAL_HOME")
    if home and Path(home).is_dir():
        out.append((f"TT-Metalium SDK at TT_METAL_HOME={home}: device='hardware' available", True))
    else:
        out.append(("no TT-Metalium SDK (TT_METAL_HOME unset): device='hardware' unavailable, the emulator is used", True))
    return out


def _emulator_check() -> tuple[str, bool]:
    try:
        import tt_runtime
    except ImportError as e:
        return (f"tt-runtime cannot be imported: {e}", False)
    try:
        lib = tt_runtime.build_library()
    except Exception as e:  # report, don't crash the doctor
        return (f"emulator build failed: {e}", False)
    return (f"emulator library built: {lib}", True)
