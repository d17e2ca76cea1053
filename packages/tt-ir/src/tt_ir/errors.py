"""The tilelang-tt error family.

Every error the compiler, the code generator and the runtime raise on purpose is a
`TTError`; the command line catches `TTError` once and prints ``str(e)`` without a
traceback. So each ``str(e)`` is complete: it names the object, the numbers and what
to do. Internal invariants are ``assert``s, not errors from this module.

This module imports nothing from TVM.
"""

from __future__ import annotations

import shlex
import signal
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "CodegenError",
    "EmulatorError",
    "KernelBuildError",
    "SchemaError",
    "TTCompileError",
    "TTError",
]


class TTError(Exception):
    """Base class of every tilelang-tt error."""


class SchemaError(TTError):
    """A bad value in a schema object or in a ``tt.plan.json`` document.

    The message names the field, the bad value and the allowed values, e.g.
    ``"CircularBuffer.index: 40 is out of range for wormhole_b0 (0..31)"``.

    Attributes:
        message: The message without the location line.
        field: Path of the offending field relative to the object or document being
            read (``"circular_buffers[2].index"``), or None.
        path: JSON path of the field in the document (``"$.circular_buffers[2].index"``)
            when the error comes from reading a document, else None.
    """

    def __init__(
        self, message: str, *, field: str | None = None, path: str | None = None
    ):
        self.message = message
        self.field = field
        self.path = path
        super().__init__(message)

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        return f"{self.message}\n  at {self.path}"


class TTCompileError(TTError):
    """A kernel that cannot be compiled for the target, found by a compiler pass.

    ``str(e)`` renders every field on its own line::

        [tt-passes:verify_tt_ir] CB 'C_local': needs 1605632 B of L1, 1396736 B usable
          numbers: need=1605632, usable=1396736
          at kernel.py:14
          hint: reduce block_K from 256 to 64

    Attributes:
        message: What is wrong.
        pass_name: The pass that found it (``"verify_tt_ir"``). Shown as
            ``tt-passes:<pass_name>`` unless it already contains a ``":"``.
        obj: The buffer, CB or op concerned (``"CB 'C_local'"``), or None.
        numbers: The numbers behind the verdict, shown in insertion order.
        source_line: The kernel source line (``"kernel.py:14"``), or None.
        hint: What the kernel author can change, or None.
    """

    def __init__(
        self,
        message: str,
        *,
        pass_name: str,
        obj: str | None = None,
        numbers: Mapping[str, Any] | None = None,
        source_line: str | None = None,
        hint: str | None = None,
    ):
        self.message = message
        self.pass_name = pass_name
        self.obj = obj
        self.numbers = dict(numbers or {})
        self.source_line = source_line
        self.hint = hint
        super().__init__(message)

    def __str__(self) -> str:
        tag = self.pass_name if ":" in self.pass_name else f"tt-passes:{self.pass_name}"
        head = self.message if self.obj is None else f"{self.obj}: {self.message}"
        lines = [f"[{tag}] {head}"]
        if self.numbers:
            pairs = ", ".join(f"{key}={value}" for key, value in self.numbers.items())
            lines.append(f"  numbers: {pairs}")
        if self.source_line is not None:
            lines.append(f"  at {self.source_line}")
        if self.hint is not None:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


class CodegenError(TTError):
    """TT TIR that the code generator cannot print.

    Attributes:
        message: What is wrong and what to do about it.
        node_type: The TIR node type that could not be printed (``"BufferLoad"``), or None.
        hint: What to change (usually: which pass should have removed the node), or None.
    """

    def __init__(
        self, message: str, *, node_type: str | None = None, hint: str | None = None
    ):
        self.message = message
        self.node_type = node_type
        self.hint = hint
        super().__init__(message)

    def __str__(self) -> str:
        head = (
            self.message
            if self.node_type is None
            else f"{self.node_type}: {self.message}"
        )
        lines = [f"[tt-codegen] {head}"]
        if self.hint is not None:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


def describe_returncode(returncode: int | None) -> str:
    """Render a process exit status, naming signals (``-11`` -> ``"-11 (SIGSEGV)"``).

    Args:
        returncode: ``subprocess`` return code; negative means killed by a signal.

    Returns:
        The status as text.
    """
    if returncode is None:
        return "none (the process did not finish)"
    if returncode >= 0:
        return str(returncode)
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    return f"{returncode} ({name})"


class KernelBuildError(TTError):
    """A failed compiler command, with everything needed to repeat it.

    Attributes:
        message: One line saying what was being built.
        command: The full command line.
        returncode: Its exit status (negative: killed by that signal).
        stderr: The compiler's standard error.
        source_path: The kept source file, or None.
    """

    def __init__(
        self,
        message: str = "kernel build failed",
        *,
        command: Sequence[str],
        returncode: int | None,
        stderr: str = "",
        source_path: str | None = None,
    ):
        self.message = message
        self.command = [str(part) for part in command]
        self.returncode = returncode
        self.stderr = stderr
        self.source_path = None if source_path is None else str(source_path)
        super().__init__(message)

    def __str__(self) -> str:
        lines = [
            self.message,
            f"  command: {shlex.join(self.command)}",
            f"  exit status: {describe_returncode(self.returncode)}",
            f"  source: {self.source_path or '(not kept)'}",
        ]
        stderr = self.stderr.rstrip()
        if not stderr:
            lines.append("  stderr: (empty)")
            return "\n".join(lines)
        lines.append("  stderr:")
        lines.extend(f"    {line}" for line in stderr.splitlines())
        return "\n".join(lines)


class EmulatorError(TTError):
    """A fault found by the emulated device: a deadlock, a protocol violation, ...

    Attributes:
        message: The emulator's one-line verdict.
        kind: ``"deadlock"``, ``"protocol"``, ...
        report: The emulator's report (core, kernel, call, CB, counts), shown one key
            per line in insertion order.
    """

    def __init__(
        self, message: str, *, kind: str, report: Mapping[str, Any] | None = None
    ):
        self.message = message
        self.kind = kind
        self.report = dict(report or {})
        super().__init__(message)

    def __str__(self) -> str:
        lines = [f"[emulator:{self.kind}] {self.message}"]
        lines.extend(f"  {key}: {value}" for key, value in self.report.items())
        return "\n".join(lines)
