"""TVM touchpoints that `tt_ir.tir` does not offer (yet).

Everything here is a candidate to move into `tt_ir.tir`; the rest of tt-passes goes
through `tt_ir.tir` only. Listed in the package README.

- `revive_errors()`: make a `TTCompileError` raised inside a Python pass come out of
  `tvm.transform.Pass.__call__` as the same `TTCompileError` object (TVM's FFI would
  otherwise turn it into a `RuntimeError` carrying only the text).
- `pass_instrument`, `PassContext`, `module_pass`, `Sequential`: the pass-manager names.
- `floordiv`, `floormod`, `cast`: expression node constructors.
"""

from __future__ import annotations

import threading
from typing import Any

import tvm
from tt_ir.errors import TTCompileError
from tvm import tirx
from tvm.ir import instrument as _instrument
from tvm_ffi import core as _ffi_core

pass_instrument = _instrument.pass_instrument
PassContext = tvm.transform.PassContext
module_pass = tvm.transform.module_pass
Sequential = tvm.transform.Sequential
Pass = tvm.transform.Pass

_LAST = threading.local()


def remember_error(err: TTCompileError) -> None:
    """Keep `err` so that the FFI layer can hand back this very object."""
    _LAST.err = err


class _RevivedTTCompileError(TTCompileError):
    """Built by the FFI error table from a message: returns the remembered original."""

    def __new__(cls, message: str = "", *args: Any, **kwargs: Any):
        err = getattr(_LAST, "err", None)
        if err is not None and str(err) == str(message):
            return err
        return TTCompileError(str(message), pass_name="tvm")


def revive_errors() -> None:
    """Register `TTCompileError` with the FFI error table (idempotent)."""
    _ffi_core.ERROR_NAME_TO_TYPE["TTCompileError"] = _RevivedTTCompileError
    _ffi_core.ERROR_TYPE_TO_NAME[TTCompileError] = "TTCompileError"


def floordiv(a: Any, b: Any) -> Any:
    return tirx.FloorDiv(a, b)


def floormod(a: Any, b: Any) -> Any:
    return tirx.FloorMod(a, b)


def cast(dtype: str, x: Any) -> Any:
    return tirx.Cast(dtype, x)


revive_errors()


def logical_and(a: Any, b: Any) -> Any:
    return tirx.And(a, b)


def eq(a: Any, b: Any) -> Any:
    return tirx.EQ(a, b)
