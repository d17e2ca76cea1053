"""sdk-check over artifact directories: every kernel of each plan, for one arch."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tt_codegen.sdk_check import _compile
from tt_codegen.sdk_check._sdk import Sdk


@dataclass
class KernelReport:
    """All compiles of one kernel file for one arch."""

    artifact_dir: Path
    arch: str
    role: str
    results: list[_compile.Result]

    @property
    def kernel_errors(self) -> list[_compile.Diagnostic]:
        """Diagnostics located in the generated kernel, deduplicated across TRISC roles."""
        seen: dict[str, _compile.Diagnostic] = {}
        for r in self.results:
            for d in r.ours:
                seen.setdefault(str(d), d)
        return list(seen.values())

    @property
    def sdk_errors(self) -> list[_compile.Diagnostic]:
        """Diagnostics in the SDK headers or in our stand-ins (or a failure with none parsed)."""
        seen: dict[str, _compile.Diagnostic] = {}
        for r in self.results:
            for d in r.theirs:
                seen.setdefault(str(d), d)
        return list(seen.values())

    @property
    def unexplained(self) -> list[_compile.Result]:
        """Failed compiles that printed no diagnostic we could place (a crash, a bad flag)."""
        return [r for r in self.results if not r.ok and not r.ours and not r.theirs]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)


def find_artifact_dirs(paths: list[Path]) -> list[Path]:
    """Each path that holds a tt.plan.json, or every such directory below it, sorted."""
    found: set[Path] = set()
    for p in paths:
        if (p / "tt.plan.json").is_file():
            found.add(p)
        elif p.is_dir():
            found |= {plan.parent for plan in p.rglob("tt.plan.json")}
        else:
            raise FileNotFoundError(f"{p}: not a directory")
    return sorted(found)


def check_artifact_dir(sdk: Sdk, arch: str, artifact_dir: Path, work: Path) -> list[KernelReport]:
    """Compiles reader, writer and compute of one artifact directory for `arch`."""
    plan = json.loads((artifact_dir / "tt.plan.json").read_text())
    reports = []
    for kernel in plan["kernels"]:
        src = artifact_dir / kernel["file"]
        out = work / arch / kernel["role"]
        if kernel["role"] == "compute":
            results = _compile.check_compute(sdk, arch, src, plan, kernel, out)
        else:
            results = _compile.check_dataflow(sdk, arch, src, plan, kernel, out)
        reports.append(KernelReport(artifact_dir, arch, kernel["role"], results))
    return reports
