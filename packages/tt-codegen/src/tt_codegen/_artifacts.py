"""The five generated files of one kernel, in memory, with `write(dir)`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

FILE_ORDER = ("reader.cpp", "compute.cpp", "writer.cpp", "main.cpp", "tt.plan.json")


@dataclass(frozen=True)
class Artifacts:
    """File name -> text for reader.cpp, compute.cpp, writer.cpp, main.cpp and tt.plan.json.

    Attributes:
        files: Read-only mapping, in the order of `FILE_ORDER`.
        plan: The validated plan (the parsed `tt.plan.json`).
    """

    files: Mapping[str, str]
    plan: Mapping[str, Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "files", MappingProxyType(dict(self.files)))

    @property
    def kernel_name(self) -> str:
        return str(self.plan["kernel_name"])

    def write(self, directory: str | Path) -> Path:
        """Writes every file into `directory` (created if missing) and returns its path."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for name, text in self.files.items():
            (path / name).write_text(text, encoding="utf-8", newline="")
        return path


def plan_text(plan: Mapping[str, Any]) -> str:
    """`tt.plan.json` in tt-ir's canonical form: the field order of docs/contracts.md §2,
    two-space indent, trailing newline (`tt_ir.dump_plan`), whatever order `plan` has."""
    from tt_ir import dump_plan

    return dump_plan(dict(plan))
