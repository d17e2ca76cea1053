"""Building the emulator and host programs with the system C++ compiler, cached by content.

Owns: the cache directory (``$TT_RUNTIME_CACHE``, else ``$XDG_CACHE_HOME/tilelang-tt``, else
``~/.cache/tilelang-tt``), the emulator library ``libtt_metal_emu.so`` (built once per content
hash of its headers and sources, compiler, flags and -- since it is built with -march=native --
the CPU features those flags expand to, so that a cache shared between machines never loads a
library with instructions this CPU lacks) and each artifact's host executable (``main.cpp`` linked against
that library, cached by the hash of ``main.cpp`` and the library). Kernels are not built here:
the library JIT-compiles them when a workload is enqueued.
Does not own: running (``_run.py``).
Locking is ``fcntl.flock``: the emulator is POSIX-only (posix_spawn, dlopen), so no portable
lock library is needed.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tt_ir import KernelBuildError

DEVICE_DIR = Path(__file__).resolve().parent / "device"
INCLUDE_DIR = DEVICE_DIR / "include"
SRC_DIR = DEVICE_DIR / "src"
HOST_ENTRY = DEVICE_DIR / "host" / "entry.cpp"  # main() of every host build (serve.cpp explains)
LIB_NAME = "libtt_metal_emu.so"
_LIB_FLAGS = ["-std=c++20", "-O3", "-march=native", "-fPIC", "-Wall", "-Wno-unused-function"]
_HOST_FLAGS = ["-std=c++20", "-O2"]


def cache_root() -> Path:
    """The cache directory: ``$TT_RUNTIME_CACHE``, else ``$XDG_CACHE_HOME/tilelang-tt``, else
    ``~/.cache/tilelang-tt`` (the XDG base directory rule: a relative XDG_CACHE_HOME is ignored)."""
    env = os.environ.get("TT_RUNTIME_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "tilelang-tt"


def cxx() -> str:
    """The C++ compiler: ``$TT_RUNTIME_CXX`` or ``g++``."""
    return os.environ.get("TT_RUNTIME_CXX", "g++")


def _digest(parts: list[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()[:20]


def _tree_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".h", ".hpp", ".cpp"})


@functools.cache
def native_target(compiler: str) -> str:
    """What ``-march=native`` means for `compiler` on this machine: the target flags it expands
    to (gcc: ``-march=znver3 -mavx2 ...``; clang: ``-target-cpu``/``-target-feature``), or the
    CPU flags of /proc/cpuinfo when the compiler does not say."""
    cmd = [compiler, "-###", "-march=native", "-x", "c++", "-c", os.devnull, "-o", os.devnull]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        lines = [ln for ln in proc.stderr.splitlines() if "cc1" in ln]  # the compiler proper, flags expanded
        tokens = shlex.split(lines[-1]) if lines else []
    except (OSError, ValueError, subprocess.TimeoutExpired):
        tokens = []
    picked = [t for i, t in enumerate(tokens)
              if t.startswith("-m") or (i and tokens[i - 1] in ("-target-cpu", "-target-feature"))]
    if picked:
        return " ".join(picked)
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "unknown"
    return next((ln for ln in cpuinfo.splitlines() if ln.startswith(("flags", "Features"))), "unknown")


def library_hash() -> str:
    """Content hash of the emulator's headers and sources, compiler, flags and (for
    -march=native) this CPU's target features."""
    parts = [cxx().encode(), " ".join(_LIB_FLAGS).encode()]
    if "-march=native" in _LIB_FLAGS:
        parts.append(native_target(cxx()).encode())
    return _digest(parts + list(_source_parts()))


@functools.cache
def _source_parts() -> tuple[bytes, ...]:
    """The emulator's headers and sources, by relative path, read once per process: every run
    asks for the library, and walking the tree each time cost several ms of a short run."""
    parts = []
    for path in _tree_files(INCLUDE_DIR) + _tree_files(SRC_DIR):
        parts.append(str(path.relative_to(DEVICE_DIR)).encode())
        parts.append(path.read_bytes())
    return tuple(parts)


@contextlib.contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _compile(cmd: list[str], source: Path | str, what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise KernelBuildError(
            f"building {what} failed",
            command=cmd,
            returncode=proc.returncode,
            stderr=proc.stderr + proc.stdout,
            source_path=str(source),
        )


def build_library() -> Path:
    """Build (or find in the cache) the emulator library; return its path."""
    digest = library_hash()
    out_dir = cache_root() / "lib" / digest
    lib = out_dir / LIB_NAME
    if lib.exists():
        return lib
    with _locked(cache_root() / "lib" / ".lock"):
        if lib.exists():
            return lib
        print(f"tt-runtime: building the emulator library with {cxx()} into {out_dir} (once per emulator version, "
              f"compiler and CPU; takes about a minute) ...", file=sys.stderr, flush=True)
        work = Path(tempfile.mkdtemp(prefix="build-", dir=cache_root() / "lib"))
        defines = [f'-DTT_EMU_BUILD_ID="{digest}"', f'-DTT_EMU_INCLUDE_DIR="{INCLUDE_DIR}"']
        sources = sorted(SRC_DIR.glob("*.cpp"))
        cmds = [
            [cxx(), *_LIB_FLAGS, *defines, f"-I{INCLUDE_DIR}", "-c", str(src), "-o", str(work / (src.stem + ".o"))]
            for src in sources
        ]
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(_compile, cmd, src, "the emulator library") for cmd, src in zip(cmds, sources)]
            for f in futures:
                f.result()
        link = [cxx(), "-shared", "-o", str(work / LIB_NAME), *[str(work / (s.stem + ".o")) for s in sources],
                "-lpthread", "-ldl"]
        _compile(link, SRC_DIR, "the emulator library (link)")
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(work, out_dir)
    return lib


def build_host(main_cpp: Path) -> Path:
    """Build (or find in the cache) the host executable of one ``main.cpp``; return its path."""
    lib = build_library()
    digest = _digest([main_cpp.read_bytes(), HOST_ENTRY.read_bytes(), str(lib).encode(), " ".join(_HOST_FLAGS).encode(),
                      cxx().encode()])
    exe = cache_root() / "host" / digest / "main"
    if exe.exists():
        return exe
    exe.parent.mkdir(parents=True, exist_ok=True)
    tmp = exe.with_name(f"main.tmp.{os.getpid()}")
    # main.cpp's own main() becomes tt_emu_host_main; HOST_ENTRY's main() runs it once or serves
    cmd = [cxx(), *_HOST_FLAGS, f"-I{INCLUDE_DIR}", "-Dmain=tt_emu_host_main", str(main_cpp), str(HOST_ENTRY),
           "-o", str(tmp), f"-L{lib.parent}",
           "-ltt_metal_emu", f"-Wl,-rpath,{lib.parent}", "-lpthread"]
    _compile(cmd, main_cpp, f"the host program {main_cpp}")
    os.replace(tmp, exe)
    return exe
