"""`nox -s tt-metal-mock`: every corpus program, both arches, through the real TT-Metalium host stack.

Needs a CPython 3.10 (the ttnn 0.81.1 wheel's `_ttnn` module is built for it; its path is the
first argument), clang-19 and lld-19. Builds (once, cached) a 3.10 environment with the pinned
ttnn wheel sdk-check downloads, installs the stand-in `riscv-tt-elf-g++` where tt-metal looks
for the SFPI compiler, generates the corpus for each arch and runs `run_plans.py` on it with
a mocked one-chip cluster (`clusters/<arch>.yaml`). Exits non-zero when a program fails.

    python mock_session.py /path/to/python3.10 [CASE_ID_SUBSTRING...]
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from corpus import ARCHES, CORPUS, build  # noqa: E402

import tt_cli  # noqa: E402
from tt_codegen.sdk_check import _sdk  # noqa: E402

STANDIN = Path(_sdk.__file__).resolve().parent / "standin"


def venv(python310: str) -> Path:
    """The cached 3.10 environment with the ttnn wheel and the stand-in compiler."""
    wheel = _sdk._download_wheel(_sdk.TTNN_VERSION, _sdk.cache_dir() / "whl")
    root = _sdk.cache_dir() / f"mock-venv-{_sdk.TTNN_VERSION}"
    site = root / "lib" / "python3.10" / "site-packages"
    if not (site / "ttnn" / "_ttnn.cpython-310-x86_64-linux-gnu.so").is_file():
        shutil.rmtree(root, ignore_errors=True)
        subprocess.run([python310, "-m", "venv", str(root)], check=True)
        subprocess.run([str(root / "bin" / "pip"), "install", "-q", str(wheel)], check=True)
    cc = site / "ttnn" / "runtime" / "sfpi" / "compiler" / "bin" / "riscv-tt-elf-g++"
    cc.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(HERE / "riscv-tt-elf-g++", cc)
    cc.chmod(0o755)
    return root


def float16_shim(out_dir: Path) -> Path:
    """float16_format.so, built with the host's g++: loaded before ttnn, it lets run_plans.py describe
    Float16 circular buffers (ttnn's Python DataType has no float16)."""
    lib = out_dir / "float16_format.so"
    subprocess.run(["g++", "-O2", "-shared", "-fPIC", "-o", str(lib), str(HERE / "float16_format.cpp"), "-ldl"],
                   check=True)
    return lib


def toolchain_hash() -> str:
    """Of the stand-in compiler and what it links: its object cache is keyed by it (a change to
    minilibc.c or the compiler never reuses objects built before)."""
    h = hashlib.sha256()
    for name in ("riscv-tt-elf-g++", "minilibc.c", "ttinsn.h"):
        h.update((HERE / name).read_bytes())
    return h.hexdigest()[:12]


def main(argv: list[str]) -> int:
    python310, only = argv[0], argv[1:]
    missing = [tool for tool, path in (("clang++-19", shutil.which("clang++-19")),
                                       ("lld-19", Path("/usr/lib/llvm-19/bin/ld.lld").is_file() or None))
               if not path]
    if missing:
        print(f"tt-metal-mock: {', '.join(missing)} missing; install them: "
              "apt-get install -y --no-install-recommends clang-19 lld-19", file=sys.stderr)
        return 2
    root = venv(python310)
    env = dict(os.environ, TT_MOCK_HOST_DIR=str(HERE), TT_MOCK_STANDIN=str(STANDIN),
               TT_MOCK_CACHE=str(_sdk.cache_dir() / f"mock-objs-{toolchain_hash()}"),
               LOGURU_LEVEL="WARNING", TT_LOGGER_LEVEL="error")
    cases = [c for c in CORPUS if not only or any(s in c.id for s in only)]
    status = 0
    with tempfile.TemporaryDirectory(prefix="tt-metal-mock-") as tmp:
        env["TT_METAL_CACHE"] = str(Path(tmp) / "tt-metal-cache")  # this run's JIT builds, no one else's
        env["TT_MOCK_FLOAT16_SHIM"] = str(float16_shim(Path(tmp)))
        for arch in ARCHES:
            started = time.perf_counter()
            tree = Path(tmp) / arch
            for case in cases:
                func, out_idx, _ = build(case)
                tt_cli.compile(func, out_idx=out_idx, arch=arch, **case.options).save(tree / case.id)
            env["TT_METAL_MOCK_CLUSTER_DESC_PATH"] = str(HERE / "clusters" / f"{arch}.yaml")
            proc = subprocess.run([str(root / "bin" / "python"), str(HERE / "run_plans.py"),
                                   *[str(tree / c.id) for c in cases]], env=env, capture_output=True, text=True,
                                  cwd=tmp)  # tt-metal writes generated/ into its working directory
            lines = [ln for ln in proc.stdout.splitlines() if ln.split(" ", 1)[0] in
                     ("ok", "known", "skipped", "FAIL", "summary")]
            for line in lines:
                print(f"tt-metal-mock [{arch}] {line}")
            if proc.returncode != 0:
                status = 1
                if not any(ln.startswith("summary") for ln in lines):  # it died: show why
                    print(proc.stderr[-4000:], file=sys.stderr)
            print(f"tt-metal-mock [{arch}]: {len(cases)} programs in {time.perf_counter() - started:.0f} s, "
                  f"status {proc.returncode}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
