"""The five packages as published units: versions, declared ranges, public surfaces."""

import importlib
import re
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["tt-ir", "tt-passes", "tt-codegen", "tt-runtime", "tt-cli"]  # directories under packages/
DIST = {pkg: f"tilelang-{pkg}" for pkg in PACKAGES}  # their distribution names (tt-cli is taken on PyPI)


def _pyproject(pkg):
    return tomllib.loads((ROOT / "packages" / pkg / "pyproject.toml").read_text())


def _version(pkg):
    mod = pkg.replace("-", "_")
    text = (ROOT / "packages" / pkg / "src" / mod / "_version.py").read_text()
    return Version(re.search(r'__version__ = "([^"]+)"', text).group(1))


@pytest.mark.parametrize("pkg", PACKAGES)
def test_sibling_ranges_admit_the_in_repo_versions(pkg):
    """Every tt-* dependency (runtime or extra) is a range that the sibling in this repo satisfies."""
    project = _pyproject(pkg)["project"]
    reqs = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    dirs = {d: p for p, d in DIST.items()}
    for text in reqs:
        req = Requirement(text)
        assert not req.name.startswith("tt-"), f"{pkg}: '{text}' names a sibling by its directory, not its distribution"
        if req.name not in dirs:
            continue
        assert len(req.specifier) >= 2, f"{pkg}: '{text}' is not a compatible range (>=x,<y)"
        version = _version(dirs[req.name])
        assert version in req.specifier, f"{pkg} needs '{text}', the repo has {req.name} {version}"


def test_distribution_names_are_the_published_ones():
    """Each package is distributed as tilelang-<directory> (consistent, and free on the public
    index where tt-cli is not); the import names stay tt_ir, tt_passes, ..."""
    assert {pkg: _pyproject(pkg)["project"]["name"] for pkg in PACKAGES} == DIST
    for pkg in PACKAGES:
        wheel = _pyproject(pkg)["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
        assert wheel == [f"src/{pkg.replace('-', '_')}"]


def test_dependencies_point_one_way():
    """tt-runtime never depends on TVM or the compiler; tt-ir needs TVM only through its extra."""
    runtime = " ".join(_pyproject("tt-runtime")["project"]["dependencies"])
    assert "tvm" not in runtime and "tt-passes" not in runtime and "tt-codegen" not in runtime
    assert "tilelang-tt-ir>=" in runtime and "tt-ir[" not in runtime
    ir = " ".join(_pyproject("tt-ir")["project"]["dependencies"])
    assert "tvm" not in ir


@pytest.mark.parametrize("pkg", PACKAGES)
def test_public_names_exist(pkg):
    """Each package's __all__ names only things it really exports."""
    mod = importlib.import_module(pkg.replace("-", "_"))
    missing = [name for name in mod.__all__ if not hasattr(mod, name)]
    assert not missing, f"{pkg}.__all__ lists {missing}, which it does not define"
