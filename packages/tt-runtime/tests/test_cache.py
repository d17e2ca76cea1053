"""Build caching: library once, main.cpp per content, kernels per (source, compile-time args)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
from conftest import gemm_spec

import tt_runtime

GOLDEN = Path(__file__).parent / "golden" / "eltwise_add"


def _state(cache: Path) -> dict[str, float]:
    return {str(p.relative_to(cache)): p.stat().st_mtime_ns
            for p in cache.rglob("*") if p.name in ("libtt_metal_emu.so", "main", "kernel.so")}


def test_cache_dir_override_and_reuse(tmp_path, monkeypatch, make_artifact, capfd):
    """TT_RUNTIME_CACHE moves every build; a second run rebuilds nothing; new compile args rebuild one kernel.
    The library build (about a minute) says so on stderr, once."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("TT_RUNTIME_CACHE", str(cache))
    a = np.ones((256, 256), np.float32)
    capfd.readouterr()
    tt_runtime.run(GOLDEN, {"A": a, "B": a})
    first = _state(cache)
    kinds = sorted(Path(k).parts[0] for k in first)
    assert kinds == ["host", "kernels", "kernels", "kernels", "lib"]
    lib_dir = cache / "lib" / tt_runtime._build.library_hash()
    assert capfd.readouterr().err.splitlines() == [
        f"tt-runtime: building the emulator library with {tt_runtime._build.cxx()} into {lib_dir} (once per emulator "
        "version, compiler and CPU; takes about a minute) ..."]

    tt_runtime.run(GOLDEN, {"A": a, "B": a})
    assert _state(cache) == first  # nothing rebuilt, nothing touched
    assert capfd.readouterr().err == ""

    x = np.ones((64, 64), np.float32)
    tt_runtime.run(make_artifact(gemm_spec(64, 64, 64, 32, 32, 32, [(0, 0)])), {"A": x, "B": x})
    second = _state(cache)
    assert len([k for k in second if k.startswith("kernels")]) == 6
    # Same sources, other block sizes: only the compute kernel's compile-time args change.
    tt_runtime.run(make_artifact(gemm_spec(64, 64, 64, 64, 64, 64, [(0, 0)])), {"A": x, "B": x})
    third = _state(cache)
    assert len([k for k in third if k.startswith("kernels")]) == 7
    assert len([k for k in third if k.startswith("host")]) == 3  # golden + two GEMMs whose main.cpp differ in args
    assert len([k for k in third if k.startswith("lib")]) == 1


def test_package_never_imports_tvm():
    code = "import sys, tt_runtime; assert not any(m == 'tvm' or m.startswith('tvm.') for m in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_surface():
    assert tt_runtime.__all__ == ["DEVICES", "PerfEstimate", "RunResult", "__version__", "build_host", "build_library",
                                  "cache_root", "estimate", "perf", "run", "trace", "write_trace"]


def test_cache_root_honours_xdg_cache_home(tmp_path, monkeypatch):
    """TT_RUNTIME_CACHE first, then $XDG_CACHE_HOME/tilelang-tt (absolute only), then ~/.cache/tilelang-tt."""
    from tt_runtime import _build

    monkeypatch.delenv("TT_RUNTIME_CACHE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _build.cache_root() == tmp_path / "xdg" / "tilelang-tt"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")
    assert _build.cache_root() == tmp_path / "home" / ".cache" / "tilelang-tt"
    monkeypatch.setenv("TT_RUNTIME_CACHE", str(tmp_path / "explicit"))
    assert _build.cache_root() == tmp_path / "explicit"


def test_library_hash_covers_the_cpu_features_of_march_native(monkeypatch):
    """A cache shared between machines must not hand a -march=native library to a CPU without its instructions."""
    from tt_runtime import _build

    assert "-march=native" in _build._LIB_FLAGS
    here = _build.native_target(_build.cxx())
    assert here and here != "unknown"
    before = _build.library_hash()
    monkeypatch.setattr(_build, "native_target", lambda compiler: here + " -mno-avx2")
    assert _build.library_hash() != before
