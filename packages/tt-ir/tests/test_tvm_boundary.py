"""DESIGN.md §2: every call into TVM goes through `tt_ir.tir`.

The source of tt-passes, tt-codegen, tt-cli and tt-runtime, and of tt-ir outside the
modules below, must not import `tvm` or `tvm_ffi` (any submodule, at any depth in the file,
`importlib.import_module("tvm...")` included). Inside tt-ir, TVM is touched only by:

- `tt_ir/tir/`: the adapter itself;
- `tt_ir/language/`: the `T` surface, built on TVMScript's parser and IR builder, which
  have no stable shape to wrap (it is itself the TVMScript front end).

Everything else (tt_ir's schema, the importer, ...) goes through `tt_ir.tir` or is
TVM-free. Tests may parse TVMScript fixtures; only `src/` trees are checked.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGES = Path(__file__).resolve().parents[2]
TVM_ROOTS = ("tvm", "tvm_ffi")
ALLOWED = ("tt-ir/src/tt_ir/tir/", "tt-ir/src/tt_ir/language/")
CHECKED = ("tt-ir", "tt-passes", "tt-codegen", "tt-cli", "tt-runtime")
ADAPTER_USERS = ("tt-passes", "tt-codegen", "tt-cli")


def _is_tvm(module: str | None) -> bool:
    return module is not None and module.split(".")[0] in TVM_ROOTS


def tvm_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import of tvm/tvm_ffi in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if _is_tvm(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _is_tvm(node.module):
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and _dynamic_import_of(node) is not None:
            found.append((node.lineno, _dynamic_import_of(node)))
    return sorted(found)


def _dynamic_import_of(call: ast.Call) -> str | None:
    """The module of `importlib.import_module("tvm...")` / `__import__("tvm...")`, else None."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("import_module", "__import__") or not call.args:
        return None
    arg = call.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _is_tvm(arg.value):
        return arg.value
    return None


def _sources(package: str) -> list[Path]:
    return sorted((PACKAGES / package / "src").rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGES).as_posix()


def test_the_scanner_finds_every_import_form():
    """The scan sees plain, from-, nested and dynamic imports, and ignores look-alikes."""
    src = (
        "import os, tvm.ir\n"
        "from tvm_ffi import core\n"
        "def f():\n"
        "    from tvm.script import tirx as T\n"
        "    importlib.import_module('tvm.tirx')\n"
        "import tvmx\n"
        "from . import tvm\n"
        "from tt_ir import tir\n"
    )
    assert tvm_imports(src) == [(1, "tvm.ir"), (2, "tvm_ffi"), (4, "tvm.script"), (5, "tvm.tirx")]


@pytest.mark.parametrize("package", CHECKED)
def test_no_tvm_import_outside_the_adapter(package):
    """Only tt_ir/tir and tt_ir/language import tvm/tvm_ffi; every hit is named file:line."""
    sources = _sources(package)
    assert sources, f"no sources under {package}/src: the layout changed, fix PACKAGES"
    hits = []
    for path in sources:
        rel = _rel(path)
        if rel.startswith(ALLOWED):
            continue
        hits += [f"{rel}:{line}: imports {mod}" for line, mod in tvm_imports(path.read_text())]
    assert hits == [], "TVM imported outside tt_ir.tir (use `from tt_ir import tir`):\n" + "\n".join(hits)


@pytest.mark.parametrize("package", ADAPTER_USERS)
def test_adapter_users_use_exported_names(package):
    """Every `tir.<name>` the other packages use is in tt_ir.tir.__all__."""
    from tt_ir import tir

    exported = set(tir.__all__)
    unknown = []
    for path in _sources(package):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            is_tir = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            if is_tir and node.value.id == "tir" and node.attr not in exported:
                unknown.append(f"{_rel(path)}:{node.lineno}: tir.{node.attr}")
    assert unknown == [], "names not in tt_ir.tir.__all__:\n" + "\n".join(unknown)
