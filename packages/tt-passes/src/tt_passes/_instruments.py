"""Instruments on the pass runner: IR dumps and per-pass timing (no prints in passes)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from tt_ir import tir

DUMP_ENV = "TT_DUMP_IR"


@tir.pass_instrument
class DumpIR:
    """Write the module after every pass to `DIR/NN_<pass>.py` (TVMScript)."""

    def __init__(self, directory: str):
        self.directory = Path(directory)
        self.count = 0

    def enter_pass_ctx(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)

    def run_after_pass(self, mod: Any, info: Any) -> None:
        if info.name == "tt_pipeline":
            return
        self.count += 1
        path = self.directory / f"{self.count:02d}_{info.name}.py"
        path.write_text(mod.script())


@tir.pass_instrument
class PassTimer:
    """Wall time of each pass, in milliseconds, in `self.timings` (pass order)."""

    def __init__(self) -> None:
        self.timings: list = []
        self._start = 0.0

    def run_before_pass(self, mod: Any, info: Any) -> None:
        self._start = time.perf_counter()

    def run_after_pass(self, mod: Any, info: Any) -> None:
        if info.name != "tt_pipeline":
            self.timings.append((info.name, (time.perf_counter() - self._start) * 1e3))

    def report(self) -> str:
        total = sum(ms for _, ms in self.timings)
        rows = [f"  {name:<32} {ms:8.2f} ms" for name, ms in self.timings]
        return "\n".join(rows + [f"  {'total':<32} {total:8.2f} ms"])


def default_instruments(dump_ir: str | None, time_passes: bool) -> list:
    out: list = []
    target = dump_ir or os.environ.get(DUMP_ENV)
    if target:
        out.append(DumpIR(target))
    if time_passes:
        out.append(PassTimer())
    return out
