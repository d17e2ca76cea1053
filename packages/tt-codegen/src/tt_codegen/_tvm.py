"""The TVM names tt-codegen uses (apache-tvm 0.27), in one place.

`tt_ir.tir` is the project's adapter; until it offers module/function accessors and the
node classes under stable names, this module is the only file in tt-codegen that spells a
TVM path. A TVM bump changes this file and nothing else.
"""

from __future__ import annotations

from typing import Any

from tvm import ir, tirx

# Statements (contracts §3).
SeqStmt = tirx.SeqStmt
For = tirx.For
IfThenElse = tirx.IfThenElse
Bind = tirx.Bind
Evaluate = tirx.Evaluate
AttrStmt = tirx.AttrStmt
Stmt = tirx.Stmt

# Expressions.
Var = ir.Var
Call = ir.Call
StringImm = ir.StringImm
IntImm = tirx.IntImm
FloatImm = tirx.FloatImm
Cast = tirx.Cast
Add, Sub, Mul = tirx.Add, tirx.Sub, tirx.Mul
Div, Mod, FloorDiv, FloorMod = tirx.Div, tirx.Mod, tirx.FloorDiv, tirx.FloorMod
Min, Max = tirx.Min, tirx.Max
EQ, NE, LT, LE, GT, GE = tirx.EQ, tirx.NE, tirx.LT, tirx.LE, tirx.GT, tirx.GE
And, Or, Not = tirx.And, tirx.Or, tirx.Not
Select = tirx.Select

SERIAL = tirx.ForKind.SERIAL
CALL_EXTERN = "tirx.call_extern"

IRModule = ir.IRModule


def dtype_of(node: Any) -> str:
    """The scalar dtype of an expression or Var as a string ("uint32", "handle", "" for void)."""
    ty = node.ty
    dtype = getattr(ty, "dtype", None)
    if dtype is not None:
        return str(dtype)
    return "handle" if "handle" in str(ty) else str(ty)


def extern_name(call: Any) -> str | None:
    """The callee of a `call_extern`, or None for any other call."""
    if call.op.name != CALL_EXTERN:
        return None
    return str(call.args[0].value)


def functions(mod: Any) -> dict[str, Any]:
    """Name -> PrimFunc of a module."""
    return {gv.name_hint: func for gv, func in mod.functions.items()}


def func_attr(func: Any, key: str) -> str | None:
    attrs = func.attrs
    if attrs is None or key not in attrs:
        return None
    return str(attrs[key])


def module_attr(mod: Any, key: str) -> str | None:
    attrs = mod.attrs
    if attrs is None or key not in attrs:
        return None
    return str(attrs[key])


def num_params(func: Any) -> int:
    return len(func.params)
