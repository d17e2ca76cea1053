"""`tt ir` and `tt passes`: the IR after each pass, the pipeline in order."""

from __future__ import annotations

import ast
import json
import sys
import tempfile
from pathlib import Path

from tt_ir import TTError


def pipeline_rows() -> list[tuple[str, str]]:
    """(pass name, first docstring line) in pipeline order."""
    import tt_passes

    rows = []
    for p in tt_passes.pass_list(tt_passes.Options()):
        cls = type(p)
        doc = (sys.modules[cls.__module__].__doc__ or "").strip().splitlines()
        summary = doc[0].split(":", 1)[-1].strip() if doc else ""
        rows.append((cls.name, summary))
    return rows


def passes_text() -> str:
    return "\n".join(f"{i:>2}. {name:<30} {summary}" for i, (name, summary) in enumerate(pipeline_rows(), 1))


def ir_text(func, arch: str, after: str | None, show_all: bool, options: dict) -> str:
    """TileLang IR of `func`, or the IR after pass `after`, or after every pass."""
    import tt_passes
    from tt_ir import tir

    if not after and not show_all:
        return tir.script(func)
    names = [n for n, _ in pipeline_rows()]
    if after and after not in names:
        raise TTError(f"unknown pass '{after}'; the passes are: {', '.join(names)}")
    from tt_cli._driver import _tilelang_options

    arch, options = _tilelang_options(arch, options)  # target=, pass_configs= as compile takes them
    opts = {k: v for k, v in options.items() if k not in ("dump_ir", "time_passes")}
    with tempfile.TemporaryDirectory() as tmp:
        failure = None
        try:
            tt_passes.lower(func, arch=arch, dump_ir=tmp, **opts)
        except TTError as e:  # show what was lowered before the failing pass
            failure = e
        dumps = sorted(Path(tmp).glob("*.py"))
        if after:
            dumps = [d for d in dumps if d.stem.split("_", 1)[1] == after]
        if not dumps and failure is not None:
            raise failure
        text = "\n\n".join(f"# ---- after {d.stem.split('_', 1)[1]} ({d.stem[:2]}) ----\n{readable(d.read_text())}"
                             for d in dumps)
        if failure is not None:
            text += f"\n\n# ---- the pipeline failed after this ----\n# {str(failure).replace(chr(10), chr(10) + '# ')}"
        return text


def readable(script: str) -> str:
    """The dump with its one-line `I.module_attrs({...})` (kilobytes of escaped JSON) shown as
    comments, one attribute per block and one list item or key per line."""
    lines = script.splitlines()
    for n, line in enumerate(lines):
        stripped = line.strip()
        if not (stripped.startswith("I.module_attrs(") and stripped.endswith(")")):
            continue
        try:
            attrs = ast.literal_eval(stripped[len("I.module_attrs("):-1])
        except (ValueError, SyntaxError):
            continue
        indent = line[: len(line) - len(line.lstrip())]
        lines[n] = "\n".join(indent + row for row in _attr_rows(attrs))
    return "\n".join(lines) + ("\n" if script.endswith("\n") else "")


def _attr_rows(attrs: dict) -> list[str]:
    rows = ["# module attrs (I.module_attrs; tt ir shows the JSON values decoded, --dump-ir DIR the exact script):"]
    for key, value in attrs.items():
        try:
            value = json.loads(value) if isinstance(value, str) else value
        except json.JSONDecodeError:
            pass
        if isinstance(value, list) and value:
            rows.append(f"#   {key}: [")
            rows.extend(f"#     {json.dumps(item)}," for item in value)
            rows.append("#   ]")
        elif isinstance(value, dict) and value:
            rows.append(f"#   {key}: {{")
            rows.extend(f"#     {json.dumps(k)}: {json.dumps(v)}," for k, v in value.items())
            rows.append("#   }")
        else:
            rows.append(f"#   {key}: {json.dumps(value)}")
    return rows
