"""Elementwise expression trees of T.Parallel bodies: build, carry in the IR, DST allocation.

A tree (`Node`) has leaves `$k` (the k-th input CB of a `tt.expr_block`, one tile read
from the CB front) and `acc` (the GEMM accumulator tile, already in DST), and inner
nodes:

    add sub mul div max min (x, y)              tile op tile
    add_s sub_s rsub_s mul_s div_s max_s min_s (x, c)   tile op scalar c (rsub_s: c - x)
    relu exp exp2 log log1p sqrt rsqrt abs sigmoid tanh sin cos tan neg recip (x)
    gtz gez ltz lez eqz nez (x)                 1.0 where x > 0 (>= 0, ...), else 0.0
    trunc floor ceil (x)                        x rounded toward zero (a cast to an integer), down, up
    (the unary nodes are the rows of tt_passes._tileops.SFPU_UNARY)
    where(m, x, y)                     x where m is nonzero, else y (a value select)
    fill(c)                            a tile of the constant c (a select's constant branch)

    add_col sub_col mul_col ($a, $b)   $a op $b's column 0 broadcast across columns
    add_row sub_row mul_row ($a, $b)   $a op $b's row 0 broadcast down rows

printed (`str`, for messages and tests) as `add(mul($0, $1), $2)`, `relu(add(acc, $0))`,
`mul_s(sub($0, $1), 0.5)`, `exp(sub_col($0, $1))`; in the IR a tree is a TIR expression of
`tt.tree.<op>` calls (`to_ir` / `of_ir`). A broadcast node's second input is a vector CB (a (bm, 1) buffer:
values in column 0 of each tile; a (1, bn) buffer: row 0); it runs on the FPU
(`sub_tiles_bcast_cols`) straight from the two CBs. `leaf()` returns a vector operand as a
`vcol($k)` / `vrow($k)` leaf: next to a CB leaf under + - * it becomes that FPU broadcast;
anywhere else it is loaded into its DST register broadcast (`unary_bcast<COL>`), so
`x[i, j] * s - m[i] * s` works like any other tree.

DST allocation (Sethi-Ullman over the tree, registers as a stack): a leaf needs 1
register; `op($a, $b)` of two CB leaves with op in + - * runs on the FPU straight from
the CBs (`add_tiles`) and needs 1; unary and scalar ops work in place; a binary node
evaluates its hungrier child first into register d and the other into d + 1 (the
child holding `acc` always goes first, so `acc` stays in register 0, the slot the
matmul accumulated into). `slots(tree)` is the registers one tile needs;
`program(tree)` the instructions, each acting on registers of every tile of a chunk.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import Any

from tt_ir import tir
from tt_passes._tileops import FPU_BCAST, FPU_BINARY
from tt_passes._tileops import SFPU_UNARY as SFPU_UNARY_OPS

BINARY = ("add", "sub", "mul", "div", "max", "min")
SCALAR = ("add_s", "sub_s", "rsub_s", "mul_s", "div_s", "max_s", "min_s")
UNARY = tuple(SFPU_UNARY_OPS)  # the registry's SFPU functions (tt_passes._tileops)
FPU = FPU_BINARY
BCAST = FPU_BCAST
VECTOR = {"vcol": "col", "vrow": "row"}  # leaves of a vector operand -> broadcast kind
# a comparison of two values as the SFPU sees it: the sign test of their difference (1.0 / 0.0)
COMPARE = {"GT": "gtz", "GE": "gez", "LT": "ltz", "LE": "lez", "EQ": "eqz", "NE": "nez"}
CALLS = {t: u.node for u in SFPU_UNARY_OPS.values() for t in u.tir}  # TIR op (no prefix) -> node


@dataclass(frozen=True)
class Node:
    op: str                 # "in", "acc", or an op of BINARY / SCALAR / UNARY
    args: tuple = ()
    index: int = 0          # input number of an "in" leaf
    value: float = 0.0      # the scalar of a SCALAR op

    def __str__(self) -> str:
        if self.op == "in":
            return f"${self.index}"
        if self.op in VECTOR:
            return f"{self.op}(${self.index})"
        if self.op == "acc":
            return "acc"
        if self.op == "fill":
            return f"fill({self.value!r})"
        inner = ", ".join(str(a) for a in self.args)
        if self.op in SCALAR:
            inner += f", {self.value!r}"
        return f"{self.op}({inner})"

    @property
    def has_acc(self) -> bool:
        return self.op == "acc" or any(a.has_acc for a in self.args)


class Unsupported(Exception):
    """A sub-expression the TT lowering cannot express (carries it, and a hint that addresses
    that reason, for the message)."""

    def __init__(self, expr: Any, why: str, hint: str | None = None):
        super().__init__(why)
        self.expr, self.why, self.hint = expr, why, hint


SUPPORTED = ("supported: + - * / T.max T.min of shared/fragment tiles and vectors and "
             "constants, T." + "/".join(sorted({*(t.replace("fabs", "abs") for t in CALLS), "log2",
                                                "log10"})) +
             ", negation, casts, selects, an element's index as a value")
# hints for the ops a T.Parallel body may hold that no tile engine computes
_NO_TILE_OP = {
    "FloorDiv": "`//` and `%` of tile values are not lowered (the SFPU divides in floating "
                "point, so a floor of the quotient is not exact); compute index arithmetic in "
                "the indices, or use T.truncdiv for C's `/` on integers",
    "FloorMod": "`//` and `%` of tile values are not lowered (the SFPU divides in floating "
                "point, so a floor of the quotient is not exact); compute index arithmetic in "
                "the indices",
    "Mod": "`%` of tile values is not lowered; compute index arithmetic in the indices",
    **{op: "bit operations have no tile op (on chip integer blocks are float32 in DST); the "
           "reader computes them element by element for a whole integer block whose values "
           "come from one tensor's elements (copied in, possibly through shared / fragment "
           "copies): compute this block so, then combine it on chip"
       for op in ("RShift", "LShift", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "BitwiseNot",
                  "reinterpret")},
}


# --- build from TIR ------------------------------------------------------------------
def from_tir(expr: Any, leaf: Any) -> Node:
    """The tree of a T.Parallel value; `leaf(load)` turns a TensorLoad into a leaf Node."""
    out = _build(expr, leaf)
    if isinstance(out, float):
        raise Unsupported(expr, "the expression reads no tile",
                          "a value the same for every element is `T.fill(block, value)`")
    return out


def _build(e: Any, leaf: Any) -> Node | float:
    kind = type(e).__name__
    if kind in ("FloatImm", "IntImm"):
        return float(e.value)
    if kind == "Cast":
        to, src = str(tir.dtype_of(e)), str(tir.dtype_of(e.value))
        if not to.startswith(("float", "bfloat", "int", "uint")):
            raise Unsupported(e, f"cast to {to}", "casts between bfloat16, float16, float32, "
                              "int32, int8 and uint8 are lowered")
        x = _build(e.value, leaf)
        if to.startswith(("int", "uint")) and src.startswith(("float", "bfloat")):
            # an integer block is held as float32 on chip: the cast rounds toward zero
            return float(math.trunc(x)) if isinstance(x, float) else Node("trunc", (x,))
        return x
    if kind == "TensorLoad":
        return leaf(e)
    if kind == "Div" and str(tir.dtype_of(e)).startswith(("int", "uint")):  # C's truncation
        q = _binary("div", _build(e.a, leaf), _build(e.b, leaf), e)
        return float(math.trunc(q)) if isinstance(q, float) else Node("trunc", (q,))
    if kind in ("Add", "Sub", "Mul", "Div", "Max", "Min"):
        return _binary(kind.lower(), _build(e.a, leaf), _build(e.b, leaf), e)
    name = (tir.op_name(e) or "").split(".")[-1]
    if name == "infinity":  # T.infinity(dtype): a constant
        return math.inf
    if name in ("log2", "log10"):  # log_b(x) = ln(x) / ln(b): the SFPU log, then a scale
        x = _build(e.args[0], leaf)
        if isinstance(x, float):
            raise Unsupported(e, "a function of a constant", "compute it in Python (math.exp(c))"
                              " and use the number")
        return Node("mul_s", (Node("log", (x,)),), value=1.0 / math.log(2.0 if name == "log2"
                                                                          else 10.0))
    if name in CALLS:
        x = _build(e.args[0], leaf)
        if isinstance(x, float):
            raise Unsupported(e, "a function of a constant", "compute it in Python (math.exp(c))"
                              " and use the number")
        return Node(CALLS[name], (x,))
    if name == "if_then_else":
        return _select(e, leaf)
    what = f"T.{name}" if name else kind
    raise Unsupported(e, f"{what} is not an elementwise op the TT SFPU lowering knows",
                      _NO_TILE_OP.get(name or kind, SUPPORTED))


def _select(e: Any, leaf: Any) -> Node | float:
    """`T.if_then_else(cond, x, y)` on values: `where(m, x, y)` (the SFPU's where_tile picks
    x where m is nonzero, so either branch may be infinite), m = the condition as a 1.0 / 0.0
    tile (a comparison `a > b` is gtz(a - b); and / or / not of comparisons are m1 * m2,
    max(m1, m2), 1 - m); a constant branch is a `fill` leaf."""
    cond, x, y = e.args
    if tir.find(cond, lambda _: True, types=tir.TensorLoad) is None:  # indices only
        raise Unsupported(e, "a T.if_then_else whose outcome differs within the block and "
                             "that is not an index mask (a whole-block select of two constants "
                             "on comparisons affine in the loop variables)")
    m = _mask(cond, leaf, e)
    xv, yv = _build(x, leaf), _build(y, leaf)
    if isinstance(xv, float) and isinstance(yv, float) and xv == yv:
        return xv
    return Node("where", (m, *(Node("fill", value=v) if isinstance(v, float) else v
                               for v in (xv, yv))))


def _mask(cond: Any, leaf: Any, e: Any) -> Node:
    kind = {"BitwiseAnd": "And", "BitwiseOr": "Or", "BitwiseNot": "Not"}.get(type(cond).__name__,
                                                         type(cond).__name__)  # `&` / `|`
    if kind in COMPARE:
        if tir.find(cond, lambda _: True, types=tir.TensorLoad) is None:
            raise Unsupported(e, "a T.if_then_else that mixes an index comparison with "
                                 "comparisons of tile values (split it into an index mask "
                                 "and a value select)")
        lhs, rhs = _build(cond.a, leaf), _build(cond.b, leaf)
        if isinstance(lhs, float) and math.isinf(lhs):  # c op x -> x op' c
            lhs, rhs, kind = rhs, lhs, _FLIPPED[kind]
        if isinstance(rhs, float) and math.isinf(rhs) and isinstance(lhs, Node):
            return _against_infinity(lhs, kind, rhs, e)
        diff = _binary("sub", lhs, rhs, cond)
        if isinstance(diff, float):
            raise Unsupported(e, "a T.if_then_else whose condition compares constants")
        return Node(COMPARE[kind], (diff,))
    if kind in ("And", "Or"):
        a, b = _mask(cond.a, leaf, e), _mask(cond.b, leaf, e)
        return Node("mul" if kind == "And" else "max", (a, b))
    if kind == "Not":
        return Node("rsub_s", (_mask(cond.a, leaf, e),), value=1.0)
    raise Unsupported(e, "a T.if_then_else whose outcome differs within the block and whose "
                         "condition is neither an index mask (comparisons affine in the loop "
                         "variables, a whole-block select) nor comparisons of tile values")


_FLIPPED = {"GT": "LT", "GE": "LE", "LT": "GT", "LE": "GE", "EQ": "EQ", "NE": "NE"}
FLT_MAX = 3.4028234663852886e38
# x op -inf / x op +inf as a sign test of x -/+ FLT_MAX, exact for every x (inf - inf would be
# NaN): x == -inf is x < -FLT_MAX; x > -inf is x >= -FLT_MAX; ... None: the same for every x.
_INFINITY_TESTS = {
    (-1, "EQ"): ("ltz", 1.0), (-1, "LE"): ("ltz", 1.0), (-1, "NE"): ("gez", 1.0),
    (-1, "GT"): ("gez", 1.0), (-1, "GE"): None, (-1, "LT"): None,
    (1, "EQ"): ("gtz", -1.0), (1, "GE"): ("gtz", -1.0), (1, "NE"): ("lez", -1.0),
    (1, "LT"): ("lez", -1.0), (1, "LE"): None, (1, "GT"): None,
}


def _against_infinity(x: Node, kind: str, inf: float, e: Any) -> Node:
    """The 1.0 / 0.0 tile of `x <kind> inf`: a sign test of x + FLT_MAX (against -inf) or
    x - FLT_MAX (against +inf), since x - inf is NaN when x is that infinity."""
    test = _INFINITY_TESTS[(1 if inf > 0 else -1, kind)]
    if test is None:
        raise Unsupported(e, "a comparison with an infinite constant that has the same outcome "
                             "for every value", "drop the condition (it always or never holds)")
    op, sign = test
    return Node(op, (Node("add_s", (x,), value=sign * FLT_MAX),))


def _binary(op: str, a: Node | float, b: Node | float, e: Any) -> Node | float:
    if isinstance(a, float) and isinstance(b, float):
        return _fold(op, a, b)
    if isinstance(a, Node) and isinstance(b, Node):
        if a.op in VECTOR and b.op == "in" and op in ("add", "mul"):
            a, b = b, a  # commutative: the vector goes second
        if b.op in VECTOR and a.op == "in" and op in FPU:
            return Node(f"{op}_{VECTOR[b.op]}", (a, Node("in", index=b.index)))
        return Node(op, (a, b))
    if isinstance(a, float):  # constant on the left
        x, c = b, a
        if op == "sub":
            return Node("rsub_s", (x,), value=c)
        if op == "div":
            r = Node("recip", (x,))
            return r if c == 1.0 else Node("mul_s", (r,), value=c)
    else:
        x, c = a, b
    if (op in ("add", "sub") and c == 0.0) or (op in ("mul", "div") and c == 1.0):
        return x  # x - 0 (a comparison with 0), x * 1
    if op == "mul" and c == -1.0:
        return Node("neg", (x,))
    if op == "max" and c == 0.0:
        return Node("relu", (x,))
    return Node(op + "_s", (x,), value=c)


def _fold(op: str, a: float, b: float) -> float:
    if op == "div" and b == 0.0:
        raise ZeroDivisionError
    return {"add": a + b, "sub": a - b, "mul": a * b, "div": a / b if b else 0.0,
            "max": max(a, b), "min": min(a, b)}[op]


def unfuse_bcast(n: Node, same_format: Any) -> Node:
    """`n` with every FPU broadcast whose two CBs differ in data format (the FPU reads both
    in one) turned back into `op($a, vcol($b))`: the vector then reaches DST by unary_bcast."""
    if n.op in BCAST:
        a, b = n.args
        if not same_format(a.index, b.index):
            op, dim = n.op.rsplit("_", 1)
            return Node(op, (a, Node("v" + dim, index=b.index)))
        return n
    if not n.args:
        return n
    return Node(n.op, tuple(unfuse_bcast(x, same_format) for x in n.args), n.index, n.value)


# --- as IR ---------------------------------------------------------------------------
TREE = "tt.tree."  # a node in the IR: call_pure_extern("float32", "tt.tree.<op>", *operands)


def to_ir(n: Node) -> Any:
    """The tree as a TIR expression, the operand of `tt.expr_block` / `tt.matmul_onto_expr`:
    each node a `tt.tree.<op>` call of its children (a scalar op's constant last, as a
    float64 immediate: exact), a leaf `tt.tree.in(k)` / `tt.tree.vcol(k)` / `tt.tree.acc()`."""
    if n.op in ("in", *VECTOR):
        args: tuple = (tir.const(n.index, "int32"),)
    elif n.op == "fill":
        args = (tir.const(n.value, "float64"),)
    else:
        args = tuple(to_ir(a) for a in n.args)
        if n.op in SCALAR:
            args += (tir.const(n.value, "float64"),)
    return tir.call_pure_extern("float32", TREE + n.op, *args)


def of_ir(e: Any) -> Node:
    """Inverse of `to_ir`."""
    name = tir.extern_name(e) or ""
    if not name.startswith(TREE):
        raise ValueError(f"not an expression tree node: {e}")
    op, args = name[len(TREE):], list(e.args[1:])
    if op in ("in", *VECTOR):
        return Node(op, index=tir.as_int(args[0]))
    if op == "fill":
        return Node(op, value=float(args[0].value))
    if op in SCALAR:
        return Node(op, tuple(of_ir(a) for a in args[:-1]), value=float(args[-1].value))
    return Node(op, tuple(of_ir(a) for a in args))


def fp32_bits(value: float) -> int:
    """The uint32 bit pattern of `value` rounded to float32 (the SFPU scalar argument)."""
    return struct.unpack("<I", struct.pack("<f", value))[0]


# --- DST allocation --------------------------------------------------------------------
def is_fpu(n: Node) -> bool:
    """`$a op $b` with op in + - *: the FPU reads both tiles straight from their CBs."""
    return n.op in FPU and all(a.op == "in" for a in n.args)


def is_bcast(n: Node) -> bool:
    """`$a op bcast($b)`: an FPU broadcast op, both tiles straight from their CBs."""
    return n.op in BCAST


def slots(n: Node) -> int:
    """DST registers one tile of the tree needs (Sethi-Ullman, `acc` pinned to register 0)."""
    if n.op in ("in", "acc", "fill", *VECTOR) or is_fpu(n) or is_bcast(n):
        return 1
    if len(n.args) == 1:
        return slots(n.args[0])
    if len(n.args) == 3:  # where: the children into d, d + 1, d + 2 in _order3's order
        return max(slots(c) + k for k, c in enumerate(_order3(n.args)))
    a, b = n.args
    if a.op == "acc" and b.op == "acc":
        return 1
    first, second = _order(a, b)
    return max(slots(first), slots(second) + 1)


def _order(a: Node, b: Node) -> tuple[Node, Node]:
    """Which child to evaluate first: the one holding `acc`, else the hungrier one."""
    if b.has_acc and not a.has_acc:
        return b, a
    if a.has_acc:
        return a, b
    return (b, a) if slots(b) > slots(a) else (a, b)


def _order3(args: tuple) -> list:
    """A where's children in evaluation order: the one holding `acc` first (it stays in
    register 0), then the hungrier ones."""
    return sorted(args, key=lambda c: (not c.has_acc, -slots(c)))


def check_acc(n: Node) -> None:
    """`acc` may appear once (it lives in one DST slot), or as both operands of one op."""
    count = str(n).count("acc")
    if count > 1 and not (count == 2 and _both_acc(n)):
        raise Unsupported(None, "the accumulator is read more than once",
                          "read the gemm's accumulator once per expression (copy it into a "
                          "fragment first to use it twice)")


def _both_acc(n: Node) -> bool:
    if len(n.args) == 2 and all(a.op == "acc" for a in n.args):
        return True
    return any(_both_acc(a) for a in n.args)


def program(n: Node) -> list:
    """Instructions computing `n` into register 0, in order. Each is a tuple:
    ("copy", r, k)  ("vload", "col"|"row", r, k)  ("fpu", op, r, ka, kb)  ("bcast", op, r, ka, kb)  ("binary", op, ra, rb, r)  ("scalar", op, r, c)
    ("unary", op, r)  ("fill", r, c)  ("where", rm, ra, rb, r)."""
    out: list = []
    _gen(n, 0, out)
    return out


def _gen(n: Node, d: int, out: list) -> None:
    if n.op == "in":
        out.append(("copy", d, n.index))
    elif n.op in VECTOR:
        out.append(("vload", VECTOR[n.op], d, n.index))
    elif n.op == "acc":
        assert d == 0, "acc is evaluated into register 0"
    elif n.op == "fill":
        out.append(("fill", d, n.value))
    elif n.op == "where":
        order = _order3(n.args)
        for k, child in enumerate(order):
            _gen(child, d + k, out)
        regs = [d + order.index(c) for c in n.args]  # by identity: equal children are one Node
        out.append(("where", *regs, d))
    elif is_fpu(n):
        out.append(("fpu", n.op, d, n.args[0].index, n.args[1].index))
    elif is_bcast(n):
        out.append(("bcast", n.op, d, n.args[0].index, n.args[1].index))
    elif n.op in SCALAR:
        _gen(n.args[0], d, out)
        out.append(("scalar", n.op, d, n.value))
    elif n.op in UNARY:
        _gen(n.args[0], d, out)
        out.append(("unary", n.op, d))
    elif all(a.op == "acc" for a in n.args):
        out.append(("binary", n.op, d, d, d))
    else:
        a, b = n.args
        first, second = _order(a, b)
        _gen(first, d, out)
        _gen(second, d + 1, out)
        ra, rb = (d, d + 1) if first is a else (d + 1, d)
        out.append(("binary", n.op, ra, rb, d))
