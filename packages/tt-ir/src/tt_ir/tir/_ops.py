"""Op registration (TileLang's `tl.*` and our `tt.*`) and decoding of TileLang tile ops.

Every op is registered with `TCallEffectKind = Opaque` (a plain int; an IntImm is
rejected at PrimFunc construction) and a `TScriptPrinterName`, and each gets a
function in a TVMScript namespace (`T.tl.*`, `T.tt.*`) so that printed IR parses
back structurally equal. Registration is idempotent: an attribute already present
is left alone.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from tvm import ir, tirx
from tvm.script import tirx as _T

from tt_ir.tir._nodes import OPAQUE, PURE, Call, TensorLoad, as_int, const, is_call

ACCESS_READ, ACCESS_WRITE, ACCESS_READ_WRITE = 1, 2, 3
_ACCESS_CODES = {"r": ACCESS_READ, "w": ACCESS_WRITE, "rw": ACCESS_READ_WRITE}


def _op_attr(name: str, key: str) -> Any:
    try:
        return ir.Op.get(name).get_attr(key)
    except AttributeError:  # op not registered yet
        return None


def _set_attr(name: str, key: str, value: Any, level: int = 10) -> None:
    if _op_attr(name, key) is not None:
        return
    ir.register_op_attr(name, key, value, level=level)


def register_op(name: str, printer_name: str, *, effect: int = OPAQUE,
                dtype_first: bool = False) -> None:
    """Register op `name` (idempotent) printed as `T.<printer_name>(...)`.

    `dtype_first` makes the printer write the return dtype as the first argument
    (for ops whose dtype does not follow from the arguments, like `tl.infinity`).
    """
    _set_attr(name, "TCallEffectKind", int(effect))
    _set_attr(name, "TScriptPrinterName", printer_name, level=20)
    if dtype_first:
        _set_attr(name, "TScriptDtypePrintLocation", 1)


class _Namespace:
    """A TVMScript namespace: attribute `f` builds a call of op `<prefix>.f` (or a mapped name)."""

    def __init__(self, prefix: str):
        self._prefix = prefix

    def _add(self, short: str, fn: Any) -> None:
        setattr(self, short, fn)


def _handle_op(op: str):
    def build(*args: Any) -> Call:
        return tirx.call_intrin("handle", op, *args)

    build.__name__ = op.rsplit(".", 1)[-1]
    return build


def _typed_op(op: str):
    def build(dtype: str, *args: Any) -> Call:
        return tirx.call_intrin(str(dtype), op, *args)

    build.__name__ = op.rsplit(".", 1)[-1]
    return build


def _ret_op(op: str, ret: str):
    def build(*args: Any) -> Call:
        return tirx.call_intrin(ret, op, *args)

    build.__name__ = op.rsplit(".", 1)[-1]
    return build


# TileLang ops our T emits or the importer accepts: short name -> (op, ret dtype or None=typed).
TL_OPS: dict[str, tuple[str, str | None]] = {
    "region": ("tl.region", "handle"),
    "copy": ("tl.tileop.copy", "handle"),
    "gemm": ("tl.tileop.gemm", "handle"),
    "fill": ("tl.tileop.fill", "handle"),
    "reduce": ("tl.tileop.reduce", "handle"),
    "im2col": ("tl.tileop.im2col", "handle"),
    "infinity": ("tl.infinity", None),
    "atomic_add": ("tl.atomic_add", "handle"),
    "launch_thread_idx": ("tl.launch_thread_idx", "int32"),
}

# The namespace objects live on TVMScript's T so that a re-import keeps the ops
# registered earlier (register_tt_op from other modules) instead of dropping them.
tl = getattr(_T, "tl", None) if isinstance(getattr(_T, "tl", None), _Namespace) else _Namespace("tl")
tt = getattr(_T, "tt", None) if isinstance(getattr(_T, "tt", None), _Namespace) else _Namespace("tt")


def _register_tl_ops() -> None:
    for short, (op, ret) in TL_OPS.items():
        typed = ret is None
        register_op(op, f"tl.{short}", effect=PURE if typed else OPAQUE, dtype_first=typed)
        tl._add(short, _typed_op(op) if typed else _ret_op(op, ret))
    _T.register_script_namespace("tl", tl)


def register_tt_op(name: str, ret: str | None = "handle", *, pure: bool = False) -> Any:
    """Register `tt.<name>` and `T.tt.<name>(...)`; returns the builder function.

    `name` may be given with or without the `tt.` prefix. `ret` is the return dtype
    (`"handle"`, `"int32"`, ...); `ret=None` makes a dtype-first op used as
    `T.tt.<name>("float32", args...)`. Calling it again with the same name is a no-op.
    """
    short = name.removeprefix("tt.")
    op = f"tt.{short}"
    existing = getattr(tt, short, None)
    if existing is not None:
        return existing
    register_op(op, f"tt.{short}", effect=PURE if pure else OPAQUE, dtype_first=ret is None)
    fn = _typed_op(op) if ret is None else _ret_op(op, ret)
    tt._add(short, fn)
    return fn


def _register_tt_namespace() -> None:
    _T.register_script_namespace("tt", tt)


# --- decoding ---------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class TileRegion:
    """A decoded `tl.region(Buffer[mins], access, *extents)` operand."""

    buffer: Any
    mins: list
    extents: list
    access: int  # 1 read, 2 write, 3 read-write

    @property
    def static_extents(self) -> list[int | None]:
        return [as_int(e) for e in self.extents]


def make_region(buffer: Any, mins: list, extents: list, access: int | str) -> Call:
    """Build `tl.region(buffer[mins], access, *extents)`."""
    code = _ACCESS_CODES.get(access, access) if isinstance(access, str) else access
    load = tirx.BufferLoad(buffer, list(mins))
    return tirx.call_intrin("handle", "tl.region", load, const(int(code)), *extents)


def decode_region(call: Any) -> TileRegion:
    """Decode a `tl.region` call into a TileRegion."""
    if not is_call(call, "tl.region"):
        raise TypeError(f"decode_region: expected a tl.region call, got {call!r}")
    load = call.args[0]
    assert isinstance(load, TensorLoad), load
    return TileRegion(load.source, list(load.indices), list(call.args[2:]), int(as_int(call.args[1])))


@dataclasses.dataclass(frozen=True)
class Gemm:
    """A decoded `tl.tileop.gemm` (TileLang's slot order)."""

    A: TileRegion
    B: TileRegion
    C: TileRegion
    transpose_A: bool
    transpose_B: bool
    M: Any
    N: Any
    K: Any
    policy: int
    clear_accum: bool


def decode_gemm(call: Any) -> Gemm:
    """Decode `tl.tileop.gemm(rA, rB, rC, tA, tB, M, N, K, policy, clear_accum, mbar, C_row0, C_col0)`."""
    if not is_call(call, "tl.tileop.gemm"):
        raise TypeError(f"decode_gemm: expected a tl.tileop.gemm call, got {call!r}")
    a = call.args
    return Gemm(decode_region(a[0]), decode_region(a[1]), decode_region(a[2]),
                bool(as_int(a[3])), bool(as_int(a[4])), a[5], a[6], a[7],
                int(as_int(a[8])), bool(as_int(a[9])))


@dataclasses.dataclass(frozen=True)
class Reduce:
    """A decoded `tl.tileop.reduce(src, dst, kind, dim, clear)`."""

    src: TileRegion
    dst: TileRegion
    kind: str
    dim: int
    clear: bool


def decode_reduce(call: Any) -> Reduce:
    """Decode a `tl.tileop.reduce` call."""
    if not is_call(call, "tl.tileop.reduce"):
        raise TypeError(f"decode_reduce: expected a tl.tileop.reduce call, got {call!r}")
    a = call.args
    return Reduce(decode_region(a[0]), decode_region(a[1]), str(a[2].value),
                  int(as_int(a[3])), bool(as_int(a[4])))


_register_tl_ops()
_register_tt_namespace()
