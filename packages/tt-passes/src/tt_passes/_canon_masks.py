"""canonicalize_tile_program's index masks: blocks whose values depend only on indices.

Attention writes its mask into the score block before the gemm adds Q @ K^T to it:

    for i, j in T.Parallel(bm, bn):
        acc_s[i, j] = T.if_then_else(bx * bm + i >= k * bn + j, 0, -T.infinity("float32"))

No tensor is read: the values follow from the indices. Such a nest stores into a fresh
block `<name>_mask` instead (bfloat16 when both values are exact in it and the kernel has no
float16 or int8 data, else float32) and `T.copy(<name>_mask, <name>)` follows; the reader generates that block tile by
tile (`tt.index_block`: a tile on which every comparison has one outcome is filled with one
value, only the tiles the boundary crosses are written element by element).

An index condition is built from comparisons (<, <=, >, >=, ==, !=) of expressions affine in
the nest's variables (block indices, loop variables and constants enter freely) joined by and,
or, not; over a 32x32 tile each comparison then has one outcome when it has the same one at
the tile's four corners.
"""

from __future__ import annotations

import math
import struct
from typing import Any

from tt_ir import tir
from tt_passes._canon_staging import _free, covers_block, fresh_nest, mask_float, parallel_nest

SELECTS = ("prim.if_then_else", "tir.if_then_else", "tirx.if_then_else")
COMPARISONS = ("LT", "LE", "GT", "GE")


def selects_as_if_then_else(body: Any) -> Any:
    """`T.Select(c, a, b)` (and Python's `a if c else b` in a kernel) as `T.if_then_else(c, a,
    b)`: on tiles both sides are computed anyway, so the two mean the same here."""
    def visit(x: Any) -> Any:
        return tir.call_intrin(tir.dtype_of(x), "prim.if_then_else", x.condition, x.true_value,
                               x.false_value)

    return tir.rewrite(body, visit, types=tir.Select)


def constant_value(value: Any) -> float | None:
    """The float of a constant (`0`, `1.0`, `-T.infinity(...)`), else None."""
    value = tir.simplify(value)
    if isinstance(value, tir.Cast):
        return constant_value(value.value)
    if isinstance(value, (tir.FloatImm, tir.IntImm)):
        return float(value.value)
    if tir.is_call(value, "tl.infinity"):
        return float("inf")
    kind = type(value).__name__
    if kind in ("Mul", "Sub"):
        a, b = constant_value(value.a), constant_value(value.b)
        if a is None or b is None:
            return None
        return a * b if kind == "Mul" else a - b
    return None


def _affine(e: Any, ivars: list) -> bool:
    """Whether `e` is affine in `ivars` (anything free of them is a constant here)."""
    if _free(e, ivars) or isinstance(e, tir.Var):
        return True
    if isinstance(e, tir.Cast):
        return _affine(e.value, ivars)
    kind = type(e).__name__
    if kind in ("Add", "Sub"):
        return _affine(e.a, ivars) and _affine(e.b, ivars)
    if kind == "Mul":
        return (_free(e.a, ivars) and _affine(e.b, ivars)) or \
            (_free(e.b, ivars) and _affine(e.a, ivars))
    return False


def comparisons(cond: Any, ivars: list) -> list | None:
    """The comparisons an index condition is built from (None: not an index condition)."""
    kind = type(cond).__name__
    if kind in COMPARISONS:
        ok = _affine(cond.a, ivars) and _affine(cond.b, ivars)
        return [cond] if ok else None
    if kind in ("EQ", "NE"):  # a == b is a >= b and a <= b (integer indices); != its negation
        ok = _affine(cond.a, ivars) and _affine(cond.b, ivars)
        return [tir.GE(cond.a, cond.b), tir.LE(cond.a, cond.b)] if ok else None
    if kind in ("And", "Or"):
        a, b = comparisons(cond.a, ivars), comparisons(cond.b, ivars)
        return a + b if a is not None and b is not None else None
    if kind == "Not":
        return comparisons(cond.a, ivars)
    return None


def index_select(value: Any, ivars: list) -> tuple | None:
    """(cond, a, b) when `value` is `T.if_then_else(cond, a, b)` over an index condition, or
    an index value on its own (cond None, a is b), that reads no buffer; a and b are each a
    float (a constant) or an expression affine in `ivars` (`j`, `bx * bn + j`: the element's
    own index as its value). Else None."""
    value = value.value if isinstance(value, tir.Cast) else value
    if tir.op_name(value) not in SELECTS:
        own = index_operand(value, ivars)
        return (None, own, own) if own is not None and not isinstance(own, float) else None
    cond, a, b = value.args
    if tir.find(cond, lambda x: True, types=tir.TensorLoad) is not None:
        return None
    a, b = index_operand(a, ivars), index_operand(b, ivars)
    if a is None or b is None or _free(cond, ivars) or comparisons(cond, ivars) is None:
        return None
    return cond, a, b


def index_operand(value: Any, ivars: list) -> Any:
    """A select's branch the reader can make: its float when constant, the expression when it
    is affine in `ivars` and reads nothing (an index as a value, or a block index or loop
    variable: the same value over the block), else None."""
    const = constant_value(value)
    if const is not None:
        return const
    if tir.dtype_of(value).startswith("bool") or tir.find(value, lambda x: True,
                                                           types=tir.Var) is None \
            or tir.find(value, lambda x: True, types=tir.TensorLoad) is not None \
            or not _affine(value, ivars):
        return None
    inner = value.value if isinstance(value, tir.Cast) else value
    return inner if tir.dtype_of(inner).startswith(("int", "uint")) else None


def index_values(body: Any) -> Any:
    """An index used as a value inside a whole-block T.Parallel store (top-k's
    `T.if_then_else(m[i] == s[i, j], j, idx[i, j])`): each such expression is read instead
    from a fresh block `<name>_index` of its dtype (an int32 block is held as float32 on
    chip: an index is exact in it below 2^24) that the reader generates like a mask. A store whose whole value is an index select stays as it is
    (split_index_blocks makes it one generated block)."""
    def visit(s: Any) -> Any:
        if not (isinstance(s, tir.For) and s.kind == tir.ForKind.PARALLEL):
            return s
        nest, inner = parallel_nest(s)
        if not isinstance(inner, tir.BufferStore) or len(inner.buffer.shape) != 2 \
                or not covers_block(nest, inner):
            return s
        ivars = [v for v, _ in nest]
        if index_select(inner.value, ivars) is not None:
            return s
        made: list = []

        def replace(e: Any, m: Any) -> Any:
            if isinstance(e, tir.TensorLoad) or tir.dtype_of(e).startswith("bool") \
                    and tir.find(e, lambda x: True, types=tir.TensorLoad) is None:
                return e  # an index condition: the masks handle it
            own = index_operand(e, ivars)
            if own is not None and not isinstance(own, float):
                shape = [tir.as_int(d) for d in inner.buffer.shape]
                name = f"{inner.buffer.name}_index" + (str(len(made)) if made else "")
                buf = tir.make_buffer(shape, tir.dtype_of(own), name, scope="local.fragment")
                gen = fresh_nest(nest, tir.BufferStore(buf, own, list(ivars)))
                made.extend([tir.AllocBuffer(buf), gen])
                loaded = tir.load(buf, list(inner.indices))
                return loaded if tir.dtype_of(e) == tir.dtype_of(own) \
                    else tir.Cast(tir.dtype_of(e), loaded)
            return m.default_mutate(e)

        value = tir.mutate(inner.value, [(tir.Expr, replace)])
        if not made:
            return s
        store = tir.BufferStore(inner.buffer, value, list(inner.indices))
        return tir.seq(*made, tir.rewrite(s, lambda x: store if x.same_as(inner) else x,
                                          types=tir.BufferStore))

    return tir.rewrite(body, visit, types=tir.For)


def _exact_in(x: float, mfloat: str) -> bool:
    """Whether `mfloat` (bfloat16 or float32) holds `x` exactly (0, +-inf, 1, -2, ...)."""
    if math.isinf(x) or math.isnan(x) or mfloat == "float32":
        return True
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    return struct.unpack("<f", struct.pack("<I", bits))[0] == x and bits & 0xFFFF == 0


def split_index_blocks(body: Any) -> Any:
    """A T.Parallel nest storing an index select to a whole 2-D on-chip block stores it to
    a fresh `<name>_mask` block, copied into the block after (see the module docstring).
    Generated blocks take `mask_float`'s dtype when it holds their values."""
    mfloat = mask_float(body)

    def visit(s: Any) -> Any:
        if not (isinstance(s, tir.For) and s.kind == tir.ForKind.PARALLEL):
            return s
        nest, inner = parallel_nest(s)
        if not isinstance(inner, tir.BufferStore):
            return s
        ivars = [v for v, _ in nest]
        shape = [tir.as_int(d) for d in inner.buffer.shape]
        whole = len(shape) == 2 and covers_block(nest, inner)
        picked = index_select(inner.value, ivars) if whole else None
        if picked is None:
            return masked_value(s, inner, ivars, shape, mfloat) if whole else s
        _, a, b = picked
        exact = all(isinstance(v, float) and _exact_in(v, mfloat) for v in (a, b))
        dtype = mfloat if exact else "float32"  # the reader writes fp32 bits, or their upper half
        mask = tir.make_buffer(shape, dtype, f"{inner.buffer.name}_mask", scope="local.fragment")
        store = tir.BufferStore(mask, tir.Cast(dtype, inner.value.value
                                              if isinstance(inner.value, tir.Cast) else inner.value),
                                list(inner.indices))
        loop = tir.rewrite(s, lambda x: store if x.same_as(inner) else x, types=tir.BufferStore)
        zeros = [tir.const(0, "int32")] * 2
        extents = [tir.const(n, "int32") for n in shape]
        move = tir.call_intrin("handle", "tl.tileop.copy",
                               tir.make_region(mask, zeros, extents, tir.ACCESS_READ),
                               tir.make_region(inner.buffer, zeros, extents, tir.ACCESS_WRITE))
        return tir.seq(tir.AllocBuffer(mask), loop, tir.evaluate(move))

    return tir.rewrite(body, visit, types=tir.For)


def _generated(name: str, shape: list, cond: Any, yes: float, no: float, nest: Any,
               inner: Any, mfloat: str) -> tuple:
    """(AllocBuffer, nest) of a block `name` = cond ? yes : no (the reader makes it; `mfloat`
    when both values are exact in it, else fp32)."""
    dtype = mfloat if _exact_in(yes, mfloat) and _exact_in(no, mfloat) else "float32"
    buf = tir.make_buffer(shape, dtype, name, scope="local.fragment")
    value = tir.Cast(dtype, tir.call_intrin("float32", "prim.if_then_else", cond,
                                                 tir.const(yes, "float32"),
                                                 tir.const(no, "float32")))
    store = tir.BufferStore(buf, value, list(inner.indices))
    return tir.AllocBuffer(buf), tir.rewrite(nest, lambda x: store if x.same_as(inner) else x,
                                             types=tir.BufferStore)


def masked_value(nest: Any, inner: Any, ivars: list, shape: list, mfloat: str) -> Any:
    """`Y[i, j] = T.if_then_else(cond, X, c)` (or `(cond, c, X)`) with an index condition and a
    constant c: `Y[i, j] = X * keep[i, j] + fill[i, j]`, keep = cond ? 1 : 0 and fill =
    cond ? 0 : c, two blocks the reader generates (fill left out when c is 0). X must be
    finite where the condition fails (X * 0)."""
    value = inner.value.value if isinstance(inner.value, tir.Cast) else inner.value
    if tir.op_name(value) not in SELECTS:
        return nest
    cond, a, b = value.args
    ca, cb = constant_value(a), constant_value(b)
    if (ca is not None and cb is not None) or _free(cond, ivars) \
            or comparisons(cond, ivars) is None \
            or tir.find(cond, lambda x: True, types=tir.TensorLoad) is not None:
        return nest
    if ca is None and cb is None:  # two values: X * keep + Y * (1 - keep)
        return _blend(nest, inner, cond, a, b, shape, mfloat)
    x, c, keep_when = (a, cb, 1.0) if cb is not None else (b, ca, 0.0)
    name = str(inner.buffer.name)
    keep_alloc, keep_nest = _generated(f"{name}_keep", shape, cond, keep_when, 1.0 - keep_when,
                                       nest, inner, mfloat)
    pre = [keep_alloc, keep_nest]
    idx = list(inner.indices)
    keep = tir.load(keep_alloc.buffer, idx)
    dtype = tir.dtype_of(x)
    out = x * tir.Cast(dtype, keep)
    if c != 0.0:
        fill_alloc, fill_nest = _generated(f"{name}_fill", shape, cond,
                                           0.0 if keep_when else c, c if keep_when else 0.0,
                                           nest, inner, mfloat)
        pre += [fill_alloc, fill_nest]
        out = out + tir.Cast(dtype, tir.load(fill_alloc.buffer, idx))
    if dtype != str(inner.buffer.dtype):
        out = tir.Cast(str(inner.buffer.dtype), out)
    store = tir.BufferStore(inner.buffer, out, idx)
    return tir.seq(*pre, tir.rewrite(nest, lambda y: store if y.same_as(inner) else y,
                                     types=tir.BufferStore))


def _blend(nest: Any, inner: Any, cond: Any, a: Any, b: Any, shape: list, mfloat: str) -> Any:
    """`Y = T.if_then_else(cond, X, Z)` of two values: X * keep + Z * drop, keep = cond ? 1 : 0
    and drop = cond ? 0 : 1 generated by the reader (X, Z finite)."""
    name, idx = str(inner.buffer.name), list(inner.indices)
    keep_alloc, keep_nest = _generated(f"{name}_keep", shape, cond, 1.0, 0.0, nest, inner, mfloat)
    drop_alloc, drop_nest = _generated(f"{name}_drop", shape, cond, 0.0, 1.0, nest, inner, mfloat)
    dtype = tir.dtype_of(a)
    out = a * tir.Cast(dtype, tir.load(keep_alloc.buffer, idx)) + \
        b * tir.Cast(dtype, tir.load(drop_alloc.buffer, idx))
    if dtype != str(inner.buffer.dtype):
        out = tir.Cast(str(inner.buffer.dtype), out)
    store = tir.BufferStore(inner.buffer, out, idx)
    return tir.seq(keep_alloc, keep_nest, drop_alloc, drop_nest,
                   tir.rewrite(nest, lambda y: store if y.same_as(inner) else y,
                               types=tir.BufferStore))


def _same_element(a: Any, b: Any) -> bool:
    """Whether `b` is a store of the element `a` stores (same buffer, same index expressions)."""
    return isinstance(b, tir.BufferStore) and b.buffer.same_as(a.buffer) and \
        len(a.indices) == len(b.indices) and \
        all(tir.structural_equal(x, y) for x, y in zip(a.indices, b.indices))


def conditional_stores(body: Any) -> Any:
    """`for i, j in T.Parallel(...): if cond: Y[i, j] = V` over a whole on-chip block, cond an
    index condition: a select `Y[i, j] = T.if_then_else(cond, V, Y[i, j])` when something else
    writes Y (the old value stays where cond fails); else the plain store `Y[i, j] = V` (the
    elements cond skips were never defined; the writer drops those past a tensor's edge).
    `if cond: Y[i, j] = V  else: Y[i, j] = W` (one element, both branches) is the select
    `Y[i, j] = T.if_then_else(cond, V, W)`."""
    written: list = [store.buffer for store in tir.collect(body, tir.BufferStore)]
    for call in tir.collect(body, tir.Call):
        if tir.is_call(call, "tl.tileop.copy", "tl.tileop.reduce", "tl.tileop.fill"):
            arg = call.args[0] if tir.is_call(call, "tl.tileop.fill") else call.args[1]
            written.append(tir.decode_region(arg).buffer)
        elif tir.is_call(call, "tl.tileop.gemm"):
            written.append(tir.decode_gemm(call).C.buffer)

    def writers(buf: Any) -> int:  # by identity: a staged block is named like its tensor
        return sum(1 for b in written if b.same_as(buf))

    def visit(s: Any) -> Any:
        if not (isinstance(s, tir.For) and s.kind == tir.ForKind.PARALLEL):
            return s
        nest, inner = parallel_nest(s)
        if not isinstance(inner, tir.IfThenElse) or not isinstance(inner.then_case, tir.BufferStore):
            return s
        store, other, ivars = inner.then_case, inner.else_case, [v for v, _ in nest]
        if other is not None and not _same_element(store, other):
            return s
        if not covers_block(nest, store) or comparisons(inner.condition, ivars) is None \
                or tir.find(inner.condition, lambda x: True, types=tir.TensorLoad) is not None:
            return s
        if other is not None:  # both branches store the element: a select of the two values
            value = tir.call_intrin(tir.dtype_of(store.value), "prim.if_then_else",
                                    inner.condition, store.value, other.value)
            store = tir.BufferStore(store.buffer, value, list(store.indices))
        elif writers(store.buffer) > 1:
            old = tir.load(store.buffer, list(store.indices))
            value = tir.call_intrin(tir.dtype_of(store.value), "prim.if_then_else",
                                    inner.condition, store.value, old)
            store = tir.BufferStore(store.buffer, value, list(store.indices))
        return tir.rewrite(s, lambda x: store if x.same_as(inner) else x, types=tir.IfThenElse)

    return tir.rewrite(body, visit, types=tir.For)
