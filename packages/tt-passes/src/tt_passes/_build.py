"""Small builders for TT TIR (uint32 arithmetic, extern calls, loops) and IR queries.

The TT TIR of contracts §3 is plain: `uint32` index arithmetic, serial loops with
`uint32` variables, `call_extern` statements, `Bind`s and `tt.comment` AttrStmts.
The arithmetic helpers fold constants as they build (`add(x, 0)` is `x`), so the
generated kernels read like hand-written ones without a simplifier pass.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import Any

from tt_ir import tir

U32 = "uint32"
COMMENT = "tt.comment"
INTERNAL_PREFIX = "tt."     # call_extern names of the passes' own intrinsics


def u32(value: int) -> Any:
    return tir.const(int(value), U32)


def as_expr(x: Any) -> Any:
    """`x` as TIR: an int becomes a uint32 literal, an expression stays as it is."""
    return u32(x) if isinstance(x, int) else x


def _int(x: Any) -> int | None:
    return x if isinstance(x, int) else tir.as_int(x)


def add(*terms: Any) -> Any:
    """Sum of `terms` (ints or uint32 exprs), constants folded, zeros dropped."""
    const = sum(_int(t) for t in terms if _int(t) is not None)
    exprs = [t for t in terms if _int(t) is None]
    if not exprs:
        return u32(const)
    out = exprs[0]
    for e in exprs[1:]:
        out = out + e
    return out + u32(const) if const else out


def mul(a: Any, b: Any) -> Any:
    ia, ib = _int(a), _int(b)
    if ia is not None and ib is not None:
        return u32(ia * ib)
    if ia == 0 or ib == 0:
        return u32(0)
    if ia == 1:
        return b
    if ib == 1:
        return a
    return as_expr(a) * as_expr(b)


def var(name: str) -> Any:
    return tir.make_var(name, U32)


def extern(name: str, *args: Any, ret: str = "void") -> Any:
    """`Evaluate(call_extern(ret, name, *args))`; Python ints become int32 literals."""
    return tir.evaluate(call(name, *args, ret=ret))


def call(name: str, *args: Any, ret: str = "void") -> Any:
    return tir.call_extern(ret, name, *[_literal(a) for a in args])


def _literal(a: Any) -> Any:
    if isinstance(a, bool):
        return tir.const(int(a), "int32")
    if isinstance(a, int):
        return tir.const(a, "int32")
    if isinstance(a, str):
        return tir.StringImm(a)
    return a


def loop(v: Any, extent: Any, body: Any) -> Any:
    """`for v in range(extent): body` (uint32), elided when the extent is 1 (v -> 0)."""
    n = _int(extent)
    if n == 1:
        return tir.substitute(body, {v: u32(0)})
    if n == 0:
        return tir.seq()
    return tir.For(v, u32(0), as_expr(extent), tir.ForKind.SERIAL, body)


def comment(text: str | None, body: Any) -> Any:
    if not text:
        return body
    return tir.AttrStmt(tir.StringImm("tt"), COMMENT, tir.StringImm(text), body)


def comment_of(stmt: Any) -> str | None:
    if isinstance(stmt, tir.AttrStmt) and str(stmt.attr_key) == COMMENT:
        return str(stmt.value.value)
    return None


def seq(*stmts: Any) -> Any:
    flat = [s for s in stmts if s is not None and not _is_empty(s)]
    if not flat:
        return tir.evaluate(tir.const(0, "int32"))
    return tir.seq(*flat)


def _is_empty(stmt: Any) -> bool:
    return isinstance(stmt, tir.SeqStmt) and len(stmt.seq) == 0


def is_nop(stmt: Any) -> bool:
    return isinstance(stmt, tir.Evaluate) and tir.as_int(stmt.value) is not None


def items(stmt: Any) -> list:
    """The statements of a SeqStmt (or [stmt])."""
    if isinstance(stmt, tir.SeqStmt):
        return list(stmt.seq)
    return [] if is_nop(stmt) else [stmt]


def intrinsic_of(stmt: Any) -> tuple[str, list] | None:
    """(name, args) if `stmt` is `Evaluate(call_extern(..., "tt.*", ...))`, else None."""
    if not isinstance(stmt, tir.Evaluate):
        return None
    name = tir.extern_name(stmt.value)
    if name is None:
        return None
    return name, list(stmt.value.args[1:])


def unwrap_comment(stmt: Any) -> tuple[str | None, Any]:
    text = comment_of(stmt)
    return (text, stmt.body) if text is not None else (None, stmt)


def ints(args: Iterable[Any]) -> list:
    return [tir.as_int(a) for a in args]


def string(x: Any) -> str:
    return str(x.value)


def vars_used(node: Any) -> set:
    """The Var objects used anywhere under `node`."""
    out: set = set()
    tir.walk(node, lambda v: out.add(v), types=tir.Var)
    return out


# --- printing kernel expressions for comments ------------------------------------
_PREC = {"Add": 1, "Sub": 1, "Mul": 2, "FloorDiv": 2, "FloorMod": 2}
_SYM = {"Add": "+", "Sub": "-", "Mul": "*", "FloorDiv": "//", "FloorMod": "%"}


def show(expr: Any, prec: int = 0) -> str:
    """A TileLang-like text for an index expression (`by * 64 + 1`), for comments."""
    kind = type(expr).__name__
    if isinstance(expr, tir.Cast):
        return show(expr.value, prec)
    if isinstance(expr, tir.IntImm):
        return str(int(expr.value))
    if isinstance(expr, tir.FloatImm):
        return repr(float(expr.value))
    if kind in _SYM:
        p = _PREC[kind]
        text = f"{show(expr.a, p)} {_SYM[kind]} {show(expr.b, p + 1)}"
        return f"({text})" if p < prec else text
    if kind in ("Max", "Min"):
        return f"T.{kind.lower()}({show(expr.a)}, {show(expr.b)})"
    if isinstance(expr, tir.TensorLoad):
        return f"{expr.source.name}[{', '.join(show(i) for i in expr.indices)}]"
    if isinstance(expr, tir.Var):
        return str(expr.name)
    return str(expr)


def if_(cond: Any, then: Any, other: Any = None) -> Any:
    """`if cond: then [else: other]`."""
    return tir.IfThenElse(cond, then, other)


class SeqRewriter(abc.ABC):
    """Walks loops, attributes and sequences, handing each statement list to `seq`.

    Subclasses implement `seq(stmts) -> Stmt`, which rewrites one sequence (and calls
    `self.stmt` on what it keeps, to reach nested sequences).
    """

    def stmt(self, s: Any) -> Any:
        if isinstance(s, tir.SeqStmt):
            return self.seq(list(s.seq))
        if isinstance(s, tir.For):
            return tir.For(s.loop_var, s.min, s.extent, s.kind, self.stmt(s.body))
        if isinstance(s, tir.AttrStmt):
            return tir.AttrStmt(s.node, s.attr_key, s.value, self.stmt(s.body))
        return s

    @abc.abstractmethod
    def seq(self, stmts: list) -> Any:
        """Rewrite one statement list."""
