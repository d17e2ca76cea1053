"""Writing the five artifacts into a directory the user names, without touching anything else.

A directory is ours to write into when it is missing, empty, or an artifact directory: it
holds `tt.plan.json` and nothing but our five files. Anything else is refused, naming what is
in it; we never delete or overwrite a file we did not write. Each of our files is replaced
atomically (written next to its final name, then renamed over it).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from tt_ir import TTError

ARTIFACT_FILES = ("reader.cpp", "compute.cpp", "writer.cpp", "main.cpp", "tt.plan.json")


class OutputDirError(TTError):
    """An output directory that holds something `tt compile` did not write."""


def _describe(entries: list[Path], limit: int = 8) -> str:
    names = sorted(p.name + ("/" if p.is_dir() else "") for p in entries)
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def check_output_dir(out: Path) -> str:
    """Returns `"new"`, `"empty"` or `"artifacts"`; raises OutputDirError for anything else."""
    if not out.exists():
        return "new"
    if not out.is_dir():
        raise OutputDirError(f"output '{out}' is a file, not a directory; pick a new or empty directory for -o")
    entries = list(out.iterdir())
    if not entries:
        return "empty"
    foreign = [p for p in entries if p.name not in ARTIFACT_FILES or not p.is_file()]
    if foreign or not (out / "tt.plan.json").is_file():
        raise OutputDirError(
            f"refusing to write into '{out}': it is not empty and not an artifact directory of tt compile "
            f"(it holds {_describe(entries)}); pick a new or empty directory for -o, or remove '{out}' yourself"
        )
    return "artifacts"


def write_artifacts(files: Mapping[str, str], out: str | Path) -> str:
    """Writes `files` into `out` (see the module docstring) and says what was done."""
    out = Path(out)
    state = check_output_dir(out)
    out.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, str]] = []
    try:
        for name in ARTIFACT_FILES:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=out)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(files[name])
            staged.append((tmp, name))
        for tmp, name in staged:
            os.replace(tmp, out / name)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
    listed = ", ".join(ARTIFACT_FILES)
    if state == "artifacts":
        return f"replaced {listed} in {out} (the previous artifacts)"
    return f"wrote {listed} to {out}" + (" (new directory)" if state == "new" else "")
