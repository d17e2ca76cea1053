"""`tt ir` and `tt passes`: the IR after each pass, the pipeline in order."""

from __future__ import annotations

import tempfile
from pathlib import Path


def passes_text() -> str:
    import tt_passes

    rows = []
    for i, (name, summary) in enumerate(tt_passes.describe_pipeline(), 1):
        rows.append(f"{i:>2}. {name:<30} {summary}")
    return "\n".join(rows)


def ir_text(func, arch: str, after: str | None, show_all: bool, options: dict) -> str:
    import tt_passes
    from tt_ir import tir

    if not after and not show_all:
        return tir.script(func)
    names = [n for n, _ in tt_passes.describe_pipeline()]
    if after and after not in names:
        raise tt_passes.UnknownPassError(after, names)
    with tempfile.TemporaryDirectory() as tmp:
        opts = dict(options)
        opts["dump_ir"] = tmp
        tt_passes.lower(func, arch=arch, stop_after=after, **opts)
        dumps = sorted(Path(tmp).glob("*"))
        if after:
            dumps = [d for d in dumps if after in d.name]
        return "\n\n".join(f"# ---- {d.name} ----\n{d.read_text()}" for d in dumps)
