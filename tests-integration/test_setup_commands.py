"""The README's set-up commands on a stock Debian/Ubuntu Python, and nox's toolchain check
(issue 16 items 8 and 9): what a fresh machine runs before any of our code."""

import importlib.util
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PY = Path("/usr/bin/python3")
MANAGED = list(Path("/usr/lib").glob("python3*/EXTERNALLY-MANAGED"))


def _readme_setup() -> str:
    """The set-up half of the README's test command (before `&& .venv/bin/python -m nox`)."""
    text = (ROOT / "README.md").read_text()
    commands = re.findall(r"```sh\n(python3 -m venv [^\n]*)\n```", text)
    assert commands, "the README has no python3 -m venv command"
    return commands[-1].split(" && .venv/bin/python -m nox")[0]


@pytest.mark.skipif(not (SYSTEM_PY.exists() and MANAGED),
                    reason="needs a Debian/Ubuntu /usr/bin/python3 marked EXTERNALLY-MANAGED (PEP 668)")
def test_readme_setup_works_where_system_pip_is_refused(tmp_path):
    """`pip install` into the system Python is refused there; the README's venv set-up works
    and leaves a working nox."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PIP_BREAK_SYSTEM_PACKAGES", "PYTHONPATH")}
    env["PATH"] = "/usr/bin:/bin"
    refused = subprocess.run([str(SYSTEM_PY), "-m", "pip", "install", "--dry-run", "nox"],
                             cwd=tmp_path, env=env, capture_output=True, text=True)
    said = refused.stdout + refused.stderr
    assert refused.returncode != 0
    assert "externally-managed-environment" in said or "No module named pip" in said
    setup = _readme_setup() + " && .venv/bin/python -m nox --version"
    done = subprocess.run(["bash", "-c", setup], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


def _noxfile(monkeypatch):
    """noxfile.py loaded with a stand-in `nox` module (its sessions are plain functions)."""
    fake = types.ModuleType("nox")
    fake.options = types.SimpleNamespace()
    fake.Session = object

    def session(*args, **kwargs):
        if args and callable(args[0]) and not kwargs:
            return args[0]
        return lambda fn: fn

    fake.session = session
    monkeypatch.setitem(sys.modules, "nox", fake)
    spec = importlib.util.spec_from_file_location("_noxfile_under_test", ROOT / "noxfile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Session:
    def __init__(self):
        self.logs, self.runs = [], []

    def log(self, text):
        self.logs.append(text)

    def run(self, *args, **kwargs):
        self.runs.append(args)

    def error(self, text):
        raise RuntimeError(text)


def test_toolchain_check_without_root_stops_with_the_command(monkeypatch):
    nox_file = _noxfile(monkeypatch)
    monkeypatch.setattr(nox_file, "TOOLCHAIN", {"clang-19": lambda: False, "libnewlib-dev": lambda: True})
    monkeypatch.setattr(nox_file.os, "geteuid", lambda: 1000)
    session = _Session()
    with pytest.raises(RuntimeError) as err:
        nox_file._check_toolchain(session)
    assert "clang-19 missing" in str(err.value)
    assert "apt-get install -y --no-install-recommends clang-19" in str(err.value)
    assert session.runs == []


def test_toolchain_check_as_root_says_what_it_installs(monkeypatch):
    nox_file = _noxfile(monkeypatch)
    monkeypatch.setattr(nox_file, "TOOLCHAIN", {"clang-19": lambda: False, "libnewlib-dev": lambda: False})
    monkeypatch.setattr(nox_file.os, "geteuid", lambda: 0)
    monkeypatch.setattr(nox_file.shutil, "which", lambda name: f"/usr/bin/{name}")
    session = _Session()
    nox_file._check_toolchain(session)
    assert session.logs and session.logs[0].startswith("installing clang-19, libnewlib-dev with apt-get")
    assert session.runs[-1][:5] == ("apt-get", "install", "-y", "--no-install-recommends", "clang-19")
