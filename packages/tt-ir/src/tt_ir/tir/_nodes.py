"""Node classes, expression construction and buffer predicates (apache-tvm 0.27).

Everything here is a thin name over TVM so that the rest of the project never
spells a TVM module path. When TVM renames a class, this file changes and the
callers do not.
"""

from __future__ import annotations

from typing import Any

import tvm
from tvm import ir, tirx

# --- node classes (statements) ---------------------------------------------
Stmt = tirx.Stmt
SeqStmt = tirx.SeqStmt
For = tirx.For
ForKind = tirx.ForKind
While = tirx.While
IfThenElse = tirx.IfThenElse
AttrStmt = tirx.AttrStmt
AllocBuffer = tirx.AllocBuffer
DeclBuffer = tirx.DeclBuffer
Bind = tirx.Bind
Evaluate = tirx.Evaluate
BufferStore = tirx.BufferStore
AssertStmt = tirx.AssertStmt
PrimFunc = tirx.PrimFunc
IterVar = tirx.IterVar

# --- node classes (expressions) --------------------------------------------
Expr = ir.Expr
Var = ir.Var
Call = ir.Call
Op = ir.Op
StringImm = ir.StringImm
TensorLoad = ir.TensorLoad
TensorRegion = ir.TensorRegion
Range = ir.Range
IRModule = ir.IRModule
IntImm = tirx.IntImm
FloatImm = tirx.FloatImm
Cast = tirx.Cast
Max = tirx.Max
Min = tirx.Min
Select = tirx.Select
Add, Sub, Mul = tirx.Add, tirx.Sub, tirx.Mul
Div, Mod, FloorDiv, FloorMod = tirx.Div, tirx.Mod, tirx.FloorDiv, tirx.FloorMod
EQ, NE, LT, LE, GT, GE = tirx.EQ, tirx.NE, tirx.LT, tirx.LE, tirx.GT, tirx.GE
And, Or, Not = tirx.And, tirx.Or, tirx.Not
RShift, LShift = tirx.RShift, tirx.LShift
BitwiseAnd, BitwiseOr, BitwiseXor, BitwiseNot = (tirx.BitwiseAnd, tirx.BitwiseOr, tirx.BitwiseXor,
                                                 tirx.BitwiseNot)
BIT_OPS = (RShift, LShift, BitwiseAnd, BitwiseOr, BitwiseXor, BitwiseNot)
Buffer = tirx.Buffer  # alias of ir.Var in 0.27; test with is_buffer(), not isinstance

OPAQUE = int(tirx.CallEffectKind.Opaque.value)
PURE = int(tirx.CallEffectKind.Pure.value)


# --- construction -------------------------------------------------------------
def const(value: Any, dtype: str | None = None) -> Expr:
    """A constant: `const(0)` is int32, `const(0.5)` float32, `const(True)` bool."""
    if dtype is None and isinstance(value, bool):
        dtype = "bool"
    return tirx.const(value, dtype) if dtype is not None else tirx.const(value)


def convert(value: Any) -> Any:
    """Python int/float/bool/list -> TVM values (IntImm, FloatImm, Array)."""
    if isinstance(value, bool):
        return const(value, "bool")
    return tirx.convert(value)


def call_intrin(ret: str, op: str, *args: Any) -> Call:
    """A call of a registered op by its full name, e.g. `call_intrin("handle", "tl.region", ...)`."""
    return tirx.call_intrin(ret, op, *args)


def call_extern(ret: str, name: str, *args: Any) -> Call:
    """`tirx.call_extern`: codegen prints `name(args...)` verbatim."""
    return tirx.call_extern(ret, name, *args)


def call_pure_extern(ret: str, name: str, *args: Any) -> Call:
    """`tirx.call_pure_extern` (no side effects)."""
    return tirx.call_pure_extern(ret, name, *args)


def floordiv(a: Any, b: Any) -> Expr:
    """`a // b` as a FloorDiv node (no simplification, unlike the `//` operator)."""
    return tirx.FloorDiv(a, b)


def floormod(a: Any, b: Any) -> Expr:
    """`a % b` as a FloorMod node."""
    return tirx.FloorMod(a, b)


def cast(dtype: str, x: Any) -> Expr:
    """A Cast of `x` to `dtype`."""
    return tirx.Cast(str(dtype), x)


def logical_and(a: Any, b: Any) -> Expr:
    """`a and b` as an And node."""
    return tirx.And(a, b)


def eq(a: Any, b: Any) -> Expr:
    """`a == b` as an EQ node (the `==` operator on Exprs compares identity)."""
    return tirx.EQ(a, b)


def if_then_else(cond: Any, then: Stmt, other: Stmt | None = None) -> Stmt:
    """`if cond: then [else: other]` (0.27 takes the else case positionally, None for none)."""
    return tirx.IfThenElse(cond, then, other)


def evaluate(expr: Any) -> Evaluate:
    """An `Evaluate` statement of `expr`."""
    return tirx.Evaluate(expr)


def seq(*stmts: Stmt) -> Stmt:
    """A `SeqStmt` of the given statements (nested SeqStmts are flattened; one stmt -> itself)."""
    flat: list[Stmt] = []
    for s in stmts:
        if isinstance(s, SeqStmt):
            flat.extend(s.seq)
        elif s is not None:
            flat.append(s)
    if len(flat) == 1:
        return flat[0]
    return tirx.SeqStmt(flat)


def make_buffer(shape: Any, dtype: str, name: str, scope: str = "global") -> Any:
    """A new Buffer (an `ir.Var` with a BufferType in 0.27)."""
    return tirx.decl_buffer(shape, str(dtype), name=name, scope=scope)


def fabs(x: Any) -> Any:
    """`|x|` of a float expression (the `tirx.fabs` call T.abs makes)."""
    return tirx.abs(x)


def load(buffer: Any, indices: list) -> Any:
    """`buffer[indices]` as an expression (a TensorLoad)."""
    return tirx.BufferLoad(buffer, list(indices))


def make_var(name: str, dtype: str = "int32") -> Var:
    """A new scalar variable."""
    return tirx.Var(name, str(dtype))


# --- predicates and accessors ------------------------------------------------
def is_buffer(x: Any) -> bool:
    """True for a Buffer (0.27: an ir.Var whose type is a BufferType)."""
    return isinstance(x, ir.Var) and bool(tirx.is_buffer_var(x))


def dtype_of(x: Any) -> str:
    """dtype string of an expression or a buffer (`"float32"`, `"int32"`, `"handle"`...)."""
    if is_buffer(x):
        return str(x.dtype)
    ty = getattr(x, "ty", None)
    dt = getattr(ty, "dtype", None)
    if dt is not None:
        return str(dt)
    return "handle"


def scope_of(buf: Any) -> str:
    """Storage scope of a buffer (`"global"`, `"shared.dyn"`, `"local.fragment"`, ...)."""
    return str(buf.scope())


def shape_of(x: Any) -> list:
    """Shape of a Buffer, or the extents of a TensorRegion, as a list of Exprs."""
    if is_buffer(x):
        return list(x.shape)
    if isinstance(x, TensorRegion):
        return [r.extent for r in x.region]
    raise TypeError(f"shape_of: expected a Buffer or TensorRegion, got {type(x).__name__}")


def as_int(x: Any) -> int | None:
    """The Python int of an IntImm (or int), else None."""
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, int):
        return x
    if isinstance(x, IntImm):
        return int(x.value)
    return None


def op_name(call: Any) -> str | None:
    """The op name of a Call (`"tl.tileop.copy"`), or None if `call` is not a Call to an Op."""
    if not isinstance(call, Call):
        return None
    op = call.op
    return str(op.name) if isinstance(op, Op) else None


def is_call(x: Any, *names: str) -> bool:
    """True if `x` is a Call to one of the ops `names` (all ops if none given)."""
    name = op_name(x)
    if name is None:
        return False
    return not names or name in names


_EXTERN_OPS = ("tirx.call_extern", "tirx.call_pure_extern")


def extern_name(call: Any, *, pure: bool = True) -> str | None:
    """The callee of a `call_extern` (or, unless `pure=False`, `call_pure_extern`) Call, else None."""
    if op_name(call) not in (_EXTERN_OPS if pure else _EXTERN_OPS[:1]):
        return None
    return str(call.args[0].value)


def buffer_of(x: Any) -> Any:
    """The Buffer behind a Buffer, TensorLoad, TensorRegion, BufferStore or `tl.region` call."""
    if is_buffer(x):
        return x
    if isinstance(x, (TensorLoad, TensorRegion)):
        return x.source
    if isinstance(x, BufferStore):
        return x.buffer
    if is_call(x, "tl.region"):
        return x.args[0].source
    raise TypeError(f"buffer_of: no buffer in {type(x).__name__}")


def simplify(expr: Any) -> Any:
    """Arithmetic simplification (`tvm.sym.Analyzer`)."""
    return tvm.sym.Analyzer().simplify(expr)


def range_(min_: Any, extent: Any) -> Range:
    """`Range.from_min_extent`."""
    return ir.Range.from_min_extent(min_, extent)
