"""The five packages as published units: versions, declared ranges, public surfaces."""

import importlib
import re
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["tt-ir", "tt-passes", "tt-codegen", "tt-runtime", "tt-cli"]


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
    for text in reqs:
        req = Requirement(text)
        if req.name not in PACKAGES:
            continue
        assert len(req.specifier) >= 2, f"{pkg}: '{text}' is not a compatible range (>=x,<y)"
        version = _version(req.name)
        assert version in req.specifier, f"{pkg} needs '{text}', the repo has {req.name} {version}"


def test_dependencies_point_one_way():
    """tt-runtime never depends on TVM or the compiler; tt-ir needs TVM only through its extra."""
    runtime = " ".join(_pyproject("tt-runtime")["project"]["dependencies"])
    assert "tvm" not in runtime and "tt-passes" not in runtime and "tt-codegen" not in runtime
    assert "tt-ir>=" in runtime and "tt-ir[" not in runtime
    ir = " ".join(_pyproject("tt-ir")["project"]["dependencies"])
    assert "tvm" not in ir


@pytest.mark.parametrize("pkg", PACKAGES)
def test_public_names_exist(pkg):
    """Each package's __all__ names only things it really exports."""
    mod = importlib.import_module(pkg.replace("-", "_"))
    missing = [name for name in mod.__all__ if not hasattr(mod, name)]
    assert not missing, f"{pkg}.__all__ lists {missing}, which it does not define"
