"""Sessions for tilelang-tt.

One session per package, generated from PACKAGES: each installs only that package (with
its `test` extra) and the sibling packages it declares, into its own environment, and runs
that package's tests. Then `integration` (all five, kernel -> emulator -> numpy),
`sdk-check` (generated kernels against the real TT-Metalium headers), `tt-metal-mock` (every
corpus program through the real TT-Metalium host stack on a mocked device), `hardware`
(the corpus on silicon where an SDK exists), `lint`, `demo` and `bench`.

    nox                      # every session CI runs (all but hardware and bench)
    nox -s tt-runtime        # one package
    nox -s integration -- -k gemm
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

ROOT = Path(__file__).parent
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = [
    "lint",
    "tt-ir",
    "tt-passes",
    "tt-codegen",
    "tt-runtime",
    "tt-cli",
    "tt-passes-standalone",
    "integration",
    "sdk-check",
    "tt-metal-mock",
    "demo",
]

# package -> (extras to install it with, sibling packages it declares)
PACKAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "tt-ir": ("tvm,test", ()),
    "tt-passes": ("test", ("tt-ir",)),
    "tt-codegen": ("test", ("tt-ir", "tt-passes")),
    "tt-runtime": ("test", ("tt-ir",)),
    "tt-cli": ("test", ("tt-ir", "tt-passes", "tt-codegen", "tt-runtime")),
}
ALL = tuple(PACKAGES)


def _path(pkg: str) -> str:
    return str(ROOT / "packages" / pkg)


def _install(session: nox.Session, pkg: str, extras: str = "") -> None:
    """Installs `pkg` and its declared siblings from this checkout (never from PyPI)."""
    _, siblings = PACKAGES[pkg]
    for sib in siblings:
        session.install("-e", _path(sib))
    target = _path(pkg) + (f"[{extras}]" if extras else "")
    session.install("-e", target)


# Set-up a package's tests need beyond pip (run inside its session, after the install).
SETUP: dict[str, list[str]] = {
    # the ttnn wheel's device headers (pip download, cached); the toolchain: _check_toolchain
    "tt-codegen": ["python", "-m", "tt_codegen.sdk_check", "--setup"],
}


# What sdk-check compiles with (tt_codegen.sdk_check._sdk): Debian/Ubuntu package -> what shows it is there.
TOOLCHAIN = {
    "clang-19": lambda: shutil.which("clang++-19") is not None,
    "libnewlib-dev": lambda: Path("/usr/include/newlib/stdint.h").is_file(),
    "libstdc++-12-dev": lambda: Path("/usr/include/c++/12").is_dir(),
}


# The mock session's stand-in SFPI compiler also links, with lld-19.
MOCK_TOOLCHAIN = {**TOOLCHAIN, "lld-19": lambda: Path("/usr/lib/llvm-19/bin/ld.lld").is_file()}


def _check_toolchain(session: nox.Session, tools: dict | None = None) -> None:
    """Before installing anything: say what apt will install and why, or stop with the command to run."""
    missing = [pkg for pkg, present in (tools or TOOLCHAIN).items() if not present()]
    if not missing:
        return
    why = ("sdk-check compiles every generated kernel for rv32 with clang-19 against newlib, libstdc++ 12 "
           "and the real TT-Metalium headers; the tt-metal-mock session also links with lld-19")
    command = f"apt-get install -y --no-install-recommends {' '.join(missing)}"
    if os.geteuid() == 0 and shutil.which("apt-get"):
        session.log(f"installing {', '.join(missing)} with apt-get (running as root): {why}")
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run("apt-get", "update", "-qq", external=True, env=env)
        session.run(*command.split(), "-qq", external=True, env=env)
        return
    session.error(f"{', '.join(missing)} missing: {why}. Install first (as root): {command}")


def _package_session(pkg: str):
    extras, _ = PACKAGES[pkg]

    @nox.session(name=pkg)
    def run(session: nox.Session) -> None:
        if pkg in SETUP:
            _check_toolchain(session)
        _install(session, pkg, extras)
        if pkg in SETUP:
            session.install("pip")  # uv's environments have none; the SDK download uses it
            session.run(*SETUP[pkg])
        session.run("pytest", "-q", "-ra", "--durations=10", _path(pkg) + "/tests", *session.posargs)

    return run


for _pkg in PACKAGES:
    globals()[f"session_{_pkg.replace('-', '_')}"] = _package_session(_pkg)


def _wheelhouse(session: nox.Session, out: Path) -> list[str]:
    """`hatch build` of all five packages (a wheel and an sdist each) into `out`; the file names."""
    session.install("hatch")
    # hatch's own build environments live in this session's directory, and its installer (uv)
    # must not take this session's environment for theirs (nox sets UV_PYTHON to it)
    env = {"HATCH_DATA_DIR": str(out.parent / "hatch-data"), "VIRTUAL_ENV": None, "UV_PYTHON": None,
           "UV_PROJECT_ENVIRONMENT": None}
    for pkg in ALL:
        with session.chdir(_path(pkg)):
            session.run("hatch", "build", "-t", "wheel", "-t", "sdist", str(out), silent=True, env=env)
    built = sorted(p.name for p in out.iterdir())
    want = {f"tilelang_{pkg.replace('-', '_')}-" for pkg in ALL}
    for kind in (".whl", ".tar.gz"):
        have = {n.split("-")[0] + "-" for n in built if n.endswith(kind)}
        if have != want:
            session.error(f"hatch build made {sorted(have)} {kind} files; expected {sorted(want)}")
    return built


@nox.session(name="tt-passes-standalone", reuse_venv=False)
def tt_passes_standalone(session: nox.Session) -> None:
    """The five packages built into a wheelhouse (hatch: a wheel and an sdist each); tt-passes
    installed alone from it, as a compiler team would (it pulls tilelang-tt-ir[tvm] from the
    wheelhouse, TVM and numpy from the index; no editable install, no checkout on the path),
    lowers a module built with plain TVMScript."""
    house = Path(session.create_tmp()).resolve() / "wheelhouse"
    shutil.rmtree(house, ignore_errors=True)
    house.mkdir(parents=True)
    built = _wheelhouse(session, house)
    session.log("wheelhouse: " + ", ".join(built))
    wheel = next(n for n in built if n.startswith("tilelang_tt_passes-") and n.endswith(".whl"))
    session.install("--find-links", str(house), str(house / wheel))  # its tilelang-tt-ir from there too
    probe = Path(session.create_tmp()).resolve() / "standalone"
    probe.mkdir(exist_ok=True)
    shutil.copy(ROOT / "tests-integration" / "standalone_passes.py", probe / "standalone_passes.py")
    with session.chdir(probe):  # nothing of the checkout on sys.path
        session.run(
            "python",
            "-c",
            "import importlib.util, pathlib, sys, tt_passes, tt_ir; "
            f"root = pathlib.Path({str(ROOT / 'packages')!r}); "
            "inside = [m.__file__ for m in (tt_passes, tt_ir) if root in pathlib.Path(m.__file__).parents]; "
            "missing = [m for m in ('tt_codegen', 'tt_runtime', 'tt_cli') if importlib.util.find_spec(m)]; "
            "sys.exit(f'imported from packages/ of the checkout: {inside}') if inside else None; "
            "sys.exit(f'tt-passes pulled in {missing}') if missing else None",
        )
        session.run("python", "standalone_passes.py")


def _install_all(session: nox.Session) -> None:
    for pkg in ALL:
        extras = "tvm" if pkg == "tt-ir" else ""
        session.install("-e", _path(pkg) + (f"[{extras}]" if extras else ""))
    session.install("pytest", "packaging")


@nox.session
def integration(session: nox.Session) -> None:
    """Kernel -> tt-passes -> tt-codegen -> artifacts -> emulator -> numpy, over the corpus."""
    _install_all(session)
    session.run("pytest", "-q", "-ra", "--durations=10", str(ROOT / "tests-integration"), *session.posargs)


@nox.session(name="sdk-check")
def sdk_check(session: nox.Session) -> None:
    """Compiles every kernel the corpus generates against the ttnn wheel's device headers."""
    _check_toolchain(session)
    _install_all(session)
    session.install("pip")  # uv's environments have none; the SDK download uses it
    session.run("python", "-m", "tt_codegen.sdk_check", "--setup")
    session.run("python", str(ROOT / "tests-integration" / "sdk_check_corpus.py"), *session.posargs)


def _python310() -> str | None:
    """A CPython 3.10: on PATH, else pyenv's newest."""
    found = shutil.which("python3.10")
    if found:
        return found
    versions = sorted(Path.home().glob(".pyenv/versions/3.10*/bin/python3.10"))
    return str(versions[-1]) if versions else None


@nox.session(name="tt-metal-mock")
def tt_metal_mock(session: nox.Session) -> None:
    """Every corpus program, both arches, through the real TT-Metalium host stack (the ttnn wheel's
    libtt_metal.so) on a mocked device: buffers, CBs and L1, runtime args, semaphores, the real JIT
    build of the kernels (a stand-in SFPI compiler routes it to clang-19 / lld-19) and the binary load."""
    python310 = _python310()
    if python310 is None:
        session.skip("no CPython 3.10 on PATH or under ~/.pyenv: the ttnn 0.81.1 wheel's _ttnn module "
                     "is built for 3.10 only, so the real host stack cannot be loaded")
    _check_toolchain(session, MOCK_TOOLCHAIN)
    _install_all(session)
    session.install("pip")  # uv's environments have none; the wheel download uses it
    session.run("python", "-m", "tt_codegen.sdk_check", "--setup")
    session.run("python", str(ROOT / "tests-integration" / "mock_host" / "mock_session.py"), python310,
                *session.posargs)


@nox.session
def hardware(session: nox.Session) -> None:
    """The integration corpus on silicon; skips with the reason where no SDK is present."""
    home = os.environ.get("TT_METAL_HOME")
    if not home or not Path(home).is_dir():
        session.skip("TT_METAL_HOME is not set to a TT-Metalium build: no SDK, so nothing runs on silicon")
    _install_all(session)
    session.run("pytest", "-q", "-ra", "--durations=10", str(ROOT / "tests-integration"), env={"TT_DEVICE": "hardware"})


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff==0.17.6")  # pinned: a new ruff release must not turn CI red by itself
    session.run("ruff", "check", "packages", "tests-integration", "examples", "benchmarks", "noxfile.py")


@nox.session
def demo(session: nox.Session) -> None:
    """The main job: compile the TileLang quickstart GEMM and run it on the emulator."""
    _install_all(session)
    session.run("tt", "run", str(ROOT / "examples" / "quickstart.py"))


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks (not tests): ratios against numpy and wall times."""
    _install_all(session)
    scripts = [
        ROOT / "packages" / "tt-passes" / "benchmarks" / "bench_pipeline.py",
        ROOT / "packages" / "tt-runtime" / "bench" / "bench_emulator.py",
        *sorted((ROOT / "benchmarks").glob("*.py")),
    ]
    for script in scripts:
        session.run("python", str(script))
