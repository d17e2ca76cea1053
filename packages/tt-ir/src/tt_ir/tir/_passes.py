"""The pass manager: module passes, instruments, the pass context, Sequential.

- `module_pass(transform, name)`: a `tvm.transform.module_pass`; `transform(mod, ctx)`.
  A `TTCompileError` it raises comes out of `Pass.__call__` (and of any `Sequential`
  holding it) as the very same object, fields and all. TVM's FFI would otherwise turn it
  into an error rebuilt from its text alone; `_revive_errors()` registers the type with
  the FFI error table and hands back the remembered original.
- `pass_instrument`: class decorator; methods `enter_pass_ctx`, `exit_pass_ctx`,
  `run_before_pass(mod, info)`, `run_after_pass(mod, info)` (`info.name` is the pass name).
- `PassContext(opt_level=0, instruments=[...])`: a context manager.
- `Sequential(passes, name)`, `Pass`: TVM's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import tvm
from tvm.ir import instrument as _instrument
from tvm_ffi import core as _ffi_core

from tt_ir.errors import TTCompileError

pass_instrument = _instrument.pass_instrument
PassContext = tvm.transform.PassContext
Sequential = tvm.transform.Sequential
Pass = tvm.transform.Pass

_LAST = threading.local()


def module_pass(transform: Callable[[Any, Any], Any], name: str, opt_level: int = 0) -> Pass:
    """A module pass running `transform(mod, ctx)`; its `TTCompileError`s survive the FFI."""

    def run(mod: Any, ctx: Any) -> Any:
        try:
            return transform(mod, ctx)
        except TTCompileError as err:
            _LAST.err = err
            raise

    return tvm.transform.module_pass(run, opt_level=opt_level, name=name)


class _RevivedTTCompileError(TTCompileError):
    """Built by the FFI error table from a message: returns the remembered original."""

    def __new__(cls, message: str = "", *args: Any, **kwargs: Any):
        err = getattr(_LAST, "err", None)
        if err is not None and str(err) == str(message):
            return err
        return TTCompileError(str(message), pass_name="tvm")


def _revive_errors() -> None:
    """Register `TTCompileError` with the FFI error table (idempotent)."""
    _ffi_core.ERROR_NAME_TO_TYPE["TTCompileError"] = _RevivedTTCompileError
    _ffi_core.ERROR_TYPE_TO_NAME[TTCompileError] = "TTCompileError"


_revive_errors()
