"""canonicalize_tile_program's arithmetic rewrites: index conditions known from the loop
bounds, x / v[i] as a reciprocal vector, and reductions the FPU does not pool directly."""

from __future__ import annotations

from typing import Any

from tt_ir import tir
from tt_passes._canon_staging import ON_CHIP, covers_block, parallel_nest


# --- conditions known from the loop bounds ----------------------------------------------------
def _bound(e: Any, extents: list) -> int | None:
    """The largest value of an index expression over its loops' ranges (None: unknown)."""
    if isinstance(e, tir.IntImm):
        return int(e.value)
    if isinstance(e, tir.Var):
        return next((n - 1 for v, n in extents if v.same_as(e)), None)
    if isinstance(e, tir.Cast):
        return _bound(e.value, extents)
    kind = type(e).__name__
    if kind == "Add":
        a, b = _bound(e.a, extents), _bound(e.b, extents)
        return a + b if a is not None and b is not None else None
    if kind == "Mul":
        a, b = _bound(e.a, extents), _bound(e.b, extents)
        small = [x for x in (e.a, e.b) if isinstance(x, tir.IntImm) and int(x.value) >= 0]
        return a * b if a is not None and b is not None and small else None
    return None


def _low(e: Any) -> int | None:
    """The smallest value of an index expression (loop variables count from 0)."""
    if isinstance(e, tir.IntImm):
        return int(e.value)
    if isinstance(e, tir.Var):
        return 0
    if isinstance(e, tir.Cast):
        return _low(e.value)
    kind = type(e).__name__
    if kind in ("Add", "Mul"):
        a, b = _low(e.a), _low(e.b)
        if a is None or b is None or (kind == "Mul" and min(a, b) < 0):
            return None
        return a + b if kind == "Add" else a * b
    return None


def truth(cond: Any, extents: list) -> bool | None:
    """True / False when an index comparison with a constant (`j + k * bn < N`,
    `k * bn + j >= N`) has one outcome over its loops' ranges; None otherwise."""
    kind = type(cond).__name__
    if kind not in ("LT", "LE", "GT", "GE") or not isinstance(cond.b, tir.IntImm):
        return None
    top, low, n = _bound(cond.a, extents), _low(cond.a), int(cond.b.value)
    if top is None or low is None:
        return None
    always = {"LT": top < n, "LE": top <= n, "GT": low > n, "GE": low >= n}[kind]
    never = {"LT": low >= n, "LE": low > n, "GT": top <= n, "GE": top < n}[kind]
    return True if always else False if never else None


SELECTS = ("prim.if_then_else", "tir.if_then_else", "tirx.if_then_else")


def fold_known_conditions(body: Any) -> Any:
    """`T.if_then_else(cond, x, y)` and `if cond:` whose index condition has one outcome over
    its loops' ranges (`j + k * bn < N` with N a multiple of the block: always; the
    non-causal attention mask `k * bn + j >= N`: never) become `x` / `y` / the branch taken."""
    def walk(s: Any, extents: list) -> Any:
        if isinstance(s, tir.SeqStmt):
            return tir.seq(*[walk(x, extents) for x in s.seq])
        if isinstance(s, tir.AttrStmt):
            inner = extents
            if str(s.attr_key) == "thread_extent" and tir.as_int(s.value) is not None:
                inner = extents + [(s.node.var, tir.as_int(s.value))]  # a block index
            return tir.AttrStmt(s.node, s.attr_key, s.value, walk(s.body, inner))
        if isinstance(s, tir.For):
            n = tir.as_int(s.extent)
            inner = extents + ([(s.loop_var, n)] if n is not None else [])
            return tir.For(s.loop_var, s.min, s.extent, s.kind, walk(s.body, inner),
                           annotations=s.annotations)
        if isinstance(s, tir.IfThenElse):
            known = truth(s.condition, extents)
            if known is True:
                return walk(s.then_case, extents)
            if known is False:
                return walk(s.else_case, extents) if s.else_case is not None \
                    else tir.evaluate(tir.const(0, "int32"))
            return s
        if isinstance(s, tir.BufferStore):
            def select(x: Any) -> Any:
                known = truth(x.args[0], extents) if tir.op_name(x) in SELECTS else None
                return x if known is None else x.args[1] if known else x.args[2]
            return tir.BufferStore(s.buffer, tir.rewrite(s.value, select, types=tir.Call),
                                   list(s.indices))
        return s

    return walk(body, [])


def constant_nests_as_fills(body: Any) -> Any:
    """A T.Parallel nest storing one constant to the whole of an on-chip buffer (`acc_s[i, j]
    = 0` once a mask is folded away) is `T.fill(buffer, constant)`."""
    def visit(s: Any) -> Any:
        if not (isinstance(s, tir.For) and s.kind == tir.ForKind.PARALLEL):
            return s
        nest, inner = parallel_nest(s)
        if not isinstance(inner, tir.BufferStore) or not covers_block(nest, inner):
            return s
        value = inner.value.value if isinstance(inner.value, tir.Cast) else inner.value
        shape = [tir.as_int(d) for d in inner.buffer.shape]
        if not isinstance(value, (tir.FloatImm, tir.IntImm)):
            return s
        region = tir.make_region(inner.buffer, [tir.const(0, "int32")] * len(shape),
                                 [tir.const(n, "int32") for n in shape], tir.ACCESS_WRITE)
        return tir.evaluate(tir.call_intrin("handle", "tl.tileop.fill", region,
                                            tir.const(float(value.value), "float32")))

    return tir.rewrite(body, visit, types=tir.For)


# --- x / v[i]: a reciprocal vector, then a broadcast multiply ----------------------------
def _vector_load(e: Any, row: Any) -> bool:
    """`v[i]` / `v[i, 0]` of an on-chip vector, i the nest's row variable."""
    if not isinstance(e, tir.TensorLoad) or tir.scope_of(e.source) not in ON_CHIP:
        return False
    idx = list(e.indices)
    return isinstance(idx[0], tir.Var) and idx[0].same_as(row) and (
        len(idx) == 1 or (len(idx) == 2 and tir.as_int(idx[1]) == 0))


def hoist_vector_divisors(body: Any) -> Any:
    """`x[i, j] / v[i]` (no FPU broadcast divides) -> `x[i, j] * v_recip[i]`, with
    `v_recip[i] = 1 / v[i]` computed by a T.Parallel over the vector just before."""
    def visit(s: Any) -> Any:
        if not (isinstance(s, tir.For) and s.kind == tir.ForKind.PARALLEL):
            return s
        nest, inner = parallel_nest(s)
        if len(nest) != 2 or not isinstance(inner, tir.BufferStore):
            return s
        row = nest[0][0]
        divisors = []

        def div(e: Any) -> Any:
            if type(e).__name__ != "Div" or not _vector_load(e.b, row):
                return e
            hit = next((r for v, r in divisors if v.same_as(e.b.source)), None)
            if hit is None:
                v = e.b.source
                hit = tir.make_buffer(list(v.shape), str(v.dtype), f"{v.name}_recip",
                                      scope="local.fragment")
                divisors.append((v, hit))
            return e.a * tir.load(hit, list(e.b.indices))

        value = tir.rewrite(inner.value, div)
        if not divisors:
            return s
        pre = []
        for v, r in divisors:
            i = tir.make_var("i", tir.dtype_of(row))
            idx = [i] + [tir.const(0, "int32")] * (len(v.shape) - 1)
            one = tir.const(1.0, str(v.dtype))
            store = tir.BufferStore(r, one / tir.load(v, idx), idx)
            pre += [tir.AllocBuffer(r),
                    tir.For(i, tir.const(0, tir.dtype_of(i)), tir.const(nest[0][1], tir.dtype_of(i)),
                            tir.ForKind.PARALLEL, store)]
        new_inner = tir.BufferStore(inner.buffer, value, list(inner.indices))
        loop = tir.rewrite(s, lambda x: new_inner if x.same_as(inner) else x,
                           types=tir.BufferStore)
        return tir.seq(*pre, loop)

    return tir.rewrite(body, visit, types=tir.For)


# --- reductions the FPU pools directly ---------------------------------------------------
BASE_KIND = {"sum": "sum", "max": "max", "min": "max", "abssum": "sum", "absmax": "max"}


def _nest(shape: list, fn: Any) -> Any:
    """`for i, j in T.Parallel(*shape): fn([i, j])` (one var per dim)."""
    vars_ = [tir.make_var(n, "int32") for n in "ij"[:len(shape)]]
    body = fn(vars_)
    for v, n in reversed(list(zip(vars_, shape))):
        body = tir.For(v, tir.const(0, "int32"), tir.const(n, "int32"), tir.ForKind.PARALLEL, body)
    return body


def _vector_nest(buf: Any, fn: Any) -> Any | None:
    """`for i in T.Parallel(n): buf[i] (buf[i, 0], buf[0, i]) = fn(index)` for a vector:
    (n,), (n, 1) or (1, n)."""
    shape = [tir.as_int(d) for d in buf.shape]
    zero = [tir.const(0, "int32")]
    if len(shape) == 1 or (len(shape) == 2 and shape[1] == 1):
        tail = zero * (len(shape) - 1)
        return _nest([shape[0]], lambda v: tir.BufferStore(buf, fn(v + tail), v + tail))
    if len(shape) == 2 and shape[0] == 1:
        return _nest([shape[1]], lambda v: tir.BufferStore(buf, fn(zero + v), zero + v))
    return None


def canonical_reduction(call: Any) -> list | None:
    """T.reduce_min/abssum/absmax and clear=False as the FPU's sum/max (clear=True) plus
    elementwise nests: |x| or -x first, and `dst[i] = op(dst[i], part[i])` after."""
    r = tir.decode_reduce(call)
    if r.kind in ("sum", "max") and r.clear:
        return None
    src, dst = r.src.buffer, r.dst.buffer
    out = []
    if r.kind in ("min", "abssum", "absmax"):
        pre = tir.make_buffer(list(src.shape), str(src.dtype), f"{src.name}_{r.kind}",
                              scope="local.fragment")
        op = (lambda x: -x) if r.kind == "min" else tir.fabs
        shape = [tir.as_int(d) for d in src.shape]
        out += [tir.AllocBuffer(pre),
                _nest(shape, lambda v: tir.BufferStore(pre, op(tir.load(src, v)), v))]
        src = pre
    part = dst
    if r.kind == "min" or not r.clear:
        part = tir.make_buffer(list(dst.shape), str(dst.dtype), f"{dst.name}_part",
                               scope="local.fragment")
        out.append(tir.AllocBuffer(part))
    zeros = [tir.const(0, "int32")] * len(src.shape)
    dzeros = [tir.const(0, "int32")] * len(part.shape)
    out.append(tir.evaluate(tir.call_intrin(
        "handle", "tl.tileop.reduce",
        tir.make_region(src, zeros, list(src.shape), tir.ACCESS_READ),
        tir.make_region(part, dzeros, list(part.shape), tir.ACCESS_WRITE),
        tir.StringImm(BASE_KIND[r.kind]), tir.const(r.dim, "int32"), tir.const(True, "bool"))))
    if part.same_as(dst):
        return out
    post = (lambda x: -x) if r.kind == "min" else (lambda x: x)
    if r.clear:
        combine = _vector_nest(dst, lambda v: post(tir.load(part, v)))
    else:
        join = {"sum": lambda a, b: a + b, "abssum": lambda a, b: a + b, "max": tir.Max,
                "absmax": tir.Max, "min": tir.Min}[r.kind]
        combine = _vector_nest(dst, lambda v: join(tir.load(dst, v), post(tir.load(part, v))))
    if combine is None:
        return None  # not a vector: check_reduce refuses it
    return out + [combine]


def canonical_reductions(body: Any) -> Any:
    def visit(s: Any) -> Any:
        if isinstance(s, tir.Evaluate) and tir.is_call(s.value, "tl.tileop.reduce"):
            stmts = canonical_reduction(s.value)
            return tir.seq(*stmts) if stmts else s
        return s

    return tir.rewrite(body, visit, types=tir.Evaluate)


# --- T.gemm(transpose_A=True): A transposed on chip first -----------------------------------
def transposed_gemm_operands(body: Any) -> Any:
    """`T.gemm(A, B, C, transpose_A=True)` (A stored K x M) becomes a nest `A_T[i, j] = A[j, i]`
    into a fresh M x K fragment `A_T` and `T.gemm(A_T, B, C)`: the matrix engine reads A in
    rows, so A is transposed tile by tile on chip (transpose_tile) before the gemm."""
    def visit(s: Any) -> Any:
        if not (isinstance(s, tir.Evaluate) and tir.is_call(s.value, "tl.tileop.gemm")):
            return s
        g = tir.decode_gemm(s.value)
        if not g.transpose_A:
            return s
        a = g.A.buffer
        k, m = [tir.as_int(d) for d in a.shape[-2:]]
        a_t = tir.make_buffer([m, k], str(a.dtype), f"{a.name}_T", scope="local.fragment")
        nest = _nest([m, k], lambda v: tir.BufferStore(a_t, tir.load(a, [v[1], v[0]]), v))
        zeros = [tir.const(0, "int32")] * 2
        region = tir.make_region(a_t, zeros, [tir.const(m, "int32"), tir.const(k, "int32")],
                                 tir.ACCESS_READ)
        args = list(s.value.args)
        args[0], args[3] = region, tir.const(False, "bool")
        gemm = tir.evaluate(tir.call_intrin("handle", "tl.tileop.gemm", *args))
        return tir.seq(tir.AllocBuffer(a_t), nest, gemm)

    return tir.rewrite(body, visit, types=tir.Evaluate)
