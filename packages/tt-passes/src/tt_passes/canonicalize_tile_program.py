"""canonicalize_tile_program: TileLang's element-level idioms in the one tile form the pipeline reads.

Requires: one TileLang-form PrimFunc.
Rewrites:
- Scalar locals (`y = by * bm + i`, TVMScript's `x: T.int32 = ...`, `T.alloc_var` written
  once): a `local` buffer of one element stored once with an index expression (no tensor
  or fragment read) is forwarded into every later load in the same sequence, and its
  buffer dropped.
- Blocks of one row (`T.Kernel(M)` with [n] fragments and `X[i_m, a:b]` copies, TileLang's
  online softmax): 32 rows per block, [n] buffers as [32, n], one-element ones as (32,)
  vectors, 1-D reductions over dim 1 (see `coarsen_rows`).
- `T.if_then_else(cond, x, y)` / `if cond:` whose condition holds over its loops' ranges
  (`j + k * bn < N` with N a multiple of bn) become `x` / the then-branch.
- T.Parallel nests that read or write tensors directly (`C[by * bm + i, bx * bn + j] =
  A[by * bm + i, bx * bn + j] + B[...]`): each tensor indexed as `base + i` / `base + j`
  in the nest's last dims (the same bases at every access, leading dims free of the nest's
  variables) is staged through an on-chip block named like the tensor, shaped like the
  nest: a tensor the nest reads gets a `shared.dyn` block and a `T.copy(A[base], A)`
  before the nest; a tensor it writes a `local.fragment` block and a `T.copy(C, C[base])`
  after it. The nest then reads and writes the blocks as `A[i, j]`, exactly as if the
  kernel had copied them itself.
- A T.Parallel nest of several assignments becomes one nest per assignment.
- `x[i, j] / v[i]` (the FPU broadcasts add, subtract and multiply only) becomes
  `x[i, j] * v_recip[i]` after a nest computing `v_recip[i] = 1 / v[i]`.
- T.reduce_min / abssum / absmax and clear=False reductions become what the FPU pools
  (sum or max, clear=True): `-x` or `|x|` into a fresh fragment first (min = -max(-x)), and
  `dst[i] = op(dst[i], part[i])` over the vector after (`part`: the new partial result).
- Buffer versions: a whole redefinition of an on-chip buffer in the sequence that first
  defined it (`A_local[i, j] *= s[i]` after `T.copy(A_shared, A_local)`) writes a new
  buffer `A_local_1`, which later uses read; the value before it stays in `A_local`.
  Redefinitions inside a deeper loop (`acc[i, j] += ...` over k) are loop-carried and keep
  their buffer, as do GEMM accumulators.
- A block copied to a tensor and also read on chip, or loaded from a tensor (a pure
  copy), is first copied on chip into a fresh fragment `<name>_out`, which the writer
  drains (one CB has one consumer kernel).
Guarantees: the body is otherwise unchanged; nothing is staged that does not match the
pattern exactly (later passes refuse what is left, naming it). Module attribute
`tt.origins` maps each buffer this pass made to how the author would name it ('x_1' ->
'x (its value after the first rewrite)', 's_recip' -> '1 / s'); every pass's refusals are
worded with those names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir import tir
from tt_passes import _meta
from tt_passes._base import TTPass, kernel_func, with_kernel_body


# --- scalar locals ------------------------------------------------------------------
def _is_scalar(buf: Any) -> bool:
    shape = [tir.as_int(d) for d in buf.shape]
    return tir.scope_of(buf) == "local" and shape in ([1], [])


def _reads_buffers(expr: Any) -> bool:
    return tir.find(expr, lambda x: True, types=tir.TensorLoad) is not None


def _read_buffers(expr: Any) -> list:
    return [x.source for x in tir.collect(expr, tir.TensorLoad)]


def _stores_to(stmts: list, bufs: list) -> bool:
    """True if a statement of `stmts` stores to one of `bufs`."""
    for st in stmts:
        hit = tir.find(st, lambda x: any(x.buffer.same_as(b) for b in bufs),
                       types=tir.BufferStore)
        if hit is not None:
            return True
    return False


def _forward(s: Any, env: list) -> Any:
    """`s` with scalar stores forwarded into later loads (env: [(buffer, value)]). A value
    that reads buffers (`norm = (x[i, j] - m[i]) * r[i]` in a T.Parallel body) is forwarded
    only when nothing after it in its sequence stores to those buffers."""
    if isinstance(s, tir.SeqStmt):
        out, env = [], list(env)
        items = list(s.seq)
        for k, x in enumerate(items):
            x = _subst_loads(x, env)
            if isinstance(x, tir.BufferStore) and _is_scalar(x.buffer) and (
                    not _reads_buffers(x.value)
                    or not _stores_to(items[k + 1:], _read_buffers(x.value))):
                env.append((x.buffer, x.value))
                continue
            out.append(_forward(x, env))
        return tir.seq(*out) if out else tir.evaluate(tir.const(0, "int32"))
    if isinstance(s, tir.For):
        return tir.For(s.loop_var, s.min, s.extent, s.kind, _forward(s.body, env),
                       annotations=s.annotations)
    if isinstance(s, tir.AttrStmt):
        return tir.AttrStmt(s.node, s.attr_key, s.value, _forward(s.body, env))
    return s


def _subst_loads(s: Any, env: list) -> Any:
    if not env:
        return s

    def visit(load: Any) -> Any:
        for buf, value in reversed(env):
            if load.source.same_as(buf):
                return value
        return load

    return tir.rewrite(s, visit, types=tir.TensorLoad)


def _drop_dead_scalars(body: Any) -> Any:
    used = set()

    def note(x: Any) -> None:
        used.add(x.source if isinstance(x, tir.TensorLoad) else x.buffer)

    tir.walk(body, note, types=(tir.TensorLoad, tir.BufferStore))

    def visit(s: Any) -> Any:
        if isinstance(s, tir.AllocBuffer) and _is_scalar(s.buffer) \
                and not any(s.buffer.same_as(u) for u in used):
            return tir.evaluate(tir.const(0, "int32"))
        return s

    return tir.rewrite(body, visit, types=tir.AllocBuffer)


# --- blocks of one row: 32 of them per tile row -------------------------------------------
ROWS = 32


def _row_launch(body: Any) -> tuple | None:
    """(launch attr, its Var, extent) of a kernel launched over M blocks of one row each:
    one blockIdx axis of extent M (a multiple of 32), every on-chip buffer 1-D, and the
    block variable used only as the row of 2-D tensor accesses (`X[i_m, a:b]`)."""
    launches = [a for a in tir.collect(body, tir.AttrStmt)
                if str(a.attr_key) == "thread_extent"
                and str(a.node.thread_tag).startswith("blockIdx") and tir.as_int(a.value) != 1]
    if len(launches) != 1:
        return None
    attr = launches[0]
    var, extent = attr.node.var, tir.as_int(attr.value)
    allocs = [a.buffer for a in tir.collect(body, tir.AllocBuffer)
              if tir.scope_of(a.buffer) in ON_CHIP]
    if extent is None or extent % ROWS or not allocs or any(len(b.shape) != 1 for b in allocs):
        return None
    uses = [x for x in tir.collect(attr.body, tir.Var) if x.same_as(var)]
    accesses = tir.collect(attr.body, tir.TensorLoad) + tir.collect(attr.body, tir.BufferStore)
    as_row = [x for x in accesses
              if tir.scope_of(x.source if isinstance(x, tir.TensorLoad) else x.buffer) == "global"
              and len(x.indices) == 2 and isinstance(x.indices[0], tir.Var)
              and x.indices[0].same_as(var)]
    if len(uses) != len(as_row) or not as_row:
        return None
    return attr, var, extent


class _RowCoarsening:
    """Rewrites a one-row-per-block kernel into blocks of 32 rows (see `coarsen_rows`)."""

    def __init__(self, var: Any, allocs: list):
        self.var = var
        self.new = {}
        for b in allocs:
            n = tir.as_int(b.shape[0])
            shape = [ROWS] if n == 1 else [ROWS, n]
            self.new[b] = tir.make_buffer(shape, str(b.dtype), str(b.name), scope=tir.scope_of(b))

    def block(self, b: Any) -> Any:
        return next((v for k, v in self.new.items() if k.same_as(b)), None)

    def stmt(self, s: Any) -> Any:
        if isinstance(s, tir.SeqStmt):
            return tir.seq(*[self.stmt(x) for x in s.seq])
        if isinstance(s, tir.AllocBuffer):
            new = self.block(s.buffer)
            return tir.AllocBuffer(new) if new is not None else s
        if isinstance(s, tir.AttrStmt):
            return tir.AttrStmt(s.node, s.attr_key, s.value, self.stmt(s.body))
        if isinstance(s, tir.For) and s.kind == tir.ForKind.PARALLEL:
            return self.rows(s)
        if isinstance(s, tir.For):
            return tir.For(s.loop_var, s.min, s.extent, s.kind, self.stmt(s.body),
                           annotations=s.annotations)
        if isinstance(s, tir.BufferStore):  # a statement on one-element values: per row
            return self.rows(s)
        if isinstance(s, tir.Evaluate) and tir.op_name(s.value) in (
                "tl.tileop.copy", "tl.tileop.fill", "tl.tileop.reduce"):
            return tir.evaluate(self.tile_op(s.value))
        return s

    def rows(self, s: Any) -> Any:
        """`s` (a T.Parallel nest or a one-element statement) for each of the 32 rows."""
        r = tir.make_var("row", "int32")
        body = self.elements(s, r)
        return tir.For(r, tir.const(0, "int32"), tir.const(ROWS, "int32"),
                       tir.ForKind.PARALLEL, body)

    def elements(self, s: Any, r: Any) -> Any:
        def index(buf: Any, idx: list) -> tuple:
            new = self.block(buf)
            if new is None:
                if tir.scope_of(buf) == "global" and len(idx) == 2 and \
                        isinstance(idx[0], tir.Var) and idx[0].same_as(self.var):
                    return buf, [self.var * ROWS + r, idx[1]]
                return buf, idx
            return new, ([r] if len(new.shape) == 1 else [r, idx[0]])

        def visit(x: Any) -> Any:
            if isinstance(x, tir.TensorLoad):
                buf, idx = index(x.source, list(x.indices))
                return tir.load(buf, idx)
            if isinstance(x, tir.BufferStore):
                buf, idx = index(x.buffer, list(x.indices))
                return tir.BufferStore(buf, x.value, idx)
            return x

        return tir.rewrite(s, visit, types=(tir.TensorLoad, tir.BufferStore))

    def region(self, call: Any) -> Any:
        r = tir.decode_region(call)
        new = self.block(r.buffer)
        if new is not None:
            shape = [tir.const(d, "int32") if isinstance(d, int) else d for d in new.shape]
            return tir.make_region(new, [tir.const(0, "int32")] * len(shape), shape, r.access)
        mins, ext = list(r.mins), list(r.extents)
        if len(mins) == 2 and isinstance(mins[0], tir.Var) and mins[0].same_as(self.var):
            mins[0], ext[0] = self.var * ROWS, tir.const(ROWS, "int32")
        return tir.make_region(r.buffer, mins, ext, r.access)

    def tile_op(self, call: Any) -> Any:
        args = [self.region(a) if tir.is_call(a, "tl.region") else a for a in call.args]
        if tir.is_call(call, "tl.tileop.reduce"):  # a 1-D reduction is one row's: dim 1 now
            args[3] = tir.const(1, "int32")
        return tir.call_intrin("handle", tir.op_name(call), *args)


def coarsen_rows(body: Any) -> Any:
    """A kernel launched over M blocks of one row (`T.Kernel(M)`, `x = T.alloc_fragment(
    [BN])`, `T.copy(X[i_m, a:b], x)`), as TileLang's online softmax is written, becomes one
    over M / 32 blocks of 32 rows: a [n] buffer becomes [32, n], a one-element buffer a
    (32,) vector, a T.Parallel(n) nest and a one-element statement run for each of the 32
    rows, a 1-D reduction reduces dim 1, and `X[i_m, ...]` reads rows i_m * 32 .. + 31."""
    hit = _row_launch(body)
    if hit is None:
        return body
    attr, var, extent = hit
    allocs = [a.buffer for a in tir.collect(body, tir.AllocBuffer)
              if tir.scope_of(a.buffer) in ON_CHIP]
    inner = _RowCoarsening(var, allocs).stmt(attr.body)
    new = tir.AttrStmt(attr.node, attr.attr_key, tir.const(extent // ROWS, "int32"), inner)
    return tir.rewrite(body, lambda x: new if x.same_as(attr) else x, types=tir.AttrStmt)


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


def fold_known_conditions(body: Any) -> Any:
    """`T.if_then_else(j + k * bn < N, x, y)` and `if j + k * bn < N:` whose condition holds
    for every j, k of their loops (N a multiple of the block) become `x` / the then-branch."""
    def holds(cond: Any, extents: list) -> bool:
        if type(cond).__name__ != "LT" or not isinstance(cond.b, tir.IntImm):
            return False
        top = _bound(cond.a, extents)
        return top is not None and top < int(cond.b.value)

    def walk(s: Any, extents: list) -> Any:
        if isinstance(s, tir.SeqStmt):
            return tir.seq(*[walk(x, extents) for x in s.seq])
        if isinstance(s, tir.AttrStmt):
            return tir.AttrStmt(s.node, s.attr_key, s.value, walk(s.body, extents))
        if isinstance(s, tir.For):
            n = tir.as_int(s.extent)
            inner = extents + ([(s.loop_var, n)] if n is not None else [])
            return tir.For(s.loop_var, s.min, s.extent, s.kind, walk(s.body, inner),
                           annotations=s.annotations)
        if isinstance(s, tir.IfThenElse) and holds(s.condition, extents):
            return walk(s.then_case, extents)
        if isinstance(s, tir.BufferStore):
            def select(x: Any) -> Any:
                if tir.op_name(x) in ("prim.if_then_else", "tir.if_then_else", "tirx.if_then_else") \
                        and holds(x.args[0], extents):
                    return x.args[1]
                return x
            return tir.BufferStore(s.buffer, tir.rewrite(s.value, select, types=tir.Call),
                                   list(s.indices))
        return s

    return walk(body, [])


# --- T.Parallel nests touching tensors ------------------------------------------------
def parallel_nest(loop: Any) -> tuple[list, Any]:
    """([(var, extent)], innermost body) of a perfect nest of parallel loops."""
    nest, s = [], loop
    while isinstance(s, tir.For) and s.kind == tir.ForKind.PARALLEL:
        nest.append((s.loop_var, tir.as_int(s.extent)))
        s = s.body
    return nest, s


def _base(index: Any, var: Any, nest_vars: list) -> Any | None:
    """`index - var` when index is `base + var` with base free of the nest's vars."""
    base = tir.simplify(index - var)
    free = not any(tir.find(base, lambda v, n=n: v.same_as(n), types=tir.Var) is not None
                   for n in nest_vars)
    return base if free else None


def tensor_accesses(body: Any) -> dict:
    """{tensor Buffer: (reads, writes)} of global tensors in `body` (lists of index lists)."""
    out: dict = {}

    def entry(buf: Any) -> list:
        for key, value in out.items():
            if key.same_as(buf):
                return value
        out[buf] = ([], [])
        return out[buf]

    def visit(x: Any) -> None:
        if isinstance(x, tir.TensorLoad) and tir.scope_of(x.source) == "global":
            entry(x.source)[0].append(list(x.indices))
        elif isinstance(x, tir.BufferStore) and tir.scope_of(x.buffer) == "global":
            entry(x.buffer)[1].append(list(x.indices))

    tir.walk(body, visit, types=(tir.TensorLoad, tir.BufferStore))
    return out


def _free(expr: Any, nest_vars: list) -> bool:
    return not any(tir.find(expr, lambda v, n=n: v.same_as(n), types=tir.Var) is not None
                   for n in nest_vars)


def block_origin(accesses: list, nest: list, all_vars: list | None = None) -> list | None:
    """The tensor index where the nest's block starts, if every access is `base + var`
    in the last dims (same bases) and the bases and leading dims are free of the nest's
    vars (`all_vars`: every variable of the nest, when `nest` is the part a vector follows)."""
    vars_ = [v for v, _ in nest]
    every = all_vars or vars_
    origin = None
    for idx in accesses:
        if len(idx) < len(nest):
            return None
        lead, tail = idx[:len(idx) - len(nest)], idx[len(idx) - len(nest):]
        bases = [_base(i, v, every) for i, v in zip(tail, vars_)]
        if any(b is None for b in bases) or not all(_free(i, every) for i in lead):
            return None
        here = lead + bases
        if origin is None:
            origin = here
        elif not all(tir.structural_equal(tir.simplify(a - b), tir.const(0, "int32"))
                     or tir.as_int(tir.simplify(a - b)) == 0 for a, b in zip(origin, here)):
            return None
    return origin


def stage_nest(loop: Any) -> Any:
    """The nest with its tensors staged through on-chip blocks (or unchanged)."""
    nest, _ = parallel_nest(loop)
    if any(n is None for _, n in nest):
        return loop
    vars_ = [v for v, _ in nest]
    before, after, swaps = [], [], []
    for tensor, (reads, writes) in tensor_accesses(loop).items():
        if reads and writes:
            continue  # read-modify-write of a tensor in place: left for the refusal
        sub = _vector_subnest(reads or writes, nest)  # Bias[bx * bn + j] in an (i, j) nest
        origin = block_origin(reads or writes, sub, vars_)
        if origin is None:
            continue
        shape = [n for _, n in sub]
        scope = "shared.dyn" if reads else "local.fragment"
        block = tir.make_buffer(shape, str(tensor.dtype), str(tensor.name), scope=scope)
        lead = [tir.const(1, "int32")] * (len(origin) - len(nest))
        glob = tir.make_region(tensor, origin, lead + [tir.const(n, "int32") for n in shape],
                               tir.ACCESS_READ if reads else tir.ACCESS_WRITE)
        local = tir.make_region(block, [tir.const(0, "int32")] * len(shape),
                                [tir.const(n, "int32") for n in shape],
                                tir.ACCESS_WRITE if reads else tir.ACCESS_READ)
        args = (glob, local) if reads else (local, glob)
        copy = tir.evaluate(tir.call_intrin("handle", "tl.tileop.copy", *args))
        before.append(tir.AllocBuffer(block))
        (before if reads else after).append(copy)
        swaps.append((tensor, block, [v for v, _ in sub]))
    if not swaps:
        return loop
    return tir.seq(*before, _swap(loop, swaps), *after)


def _vector_subnest(accesses: list, nest: list) -> list:
    """The nest variables a rank-1 tensor follows in a 2-D nest: [(j, bn)] for
    `Bias[base + j]` (a row vector), [(i, bm)] for `S[base + i]`; else the whole nest."""
    if len(nest) != 2 or not accesses or any(len(idx) != 1 for idx in accesses):
        return nest
    vars_ = [v for v, _ in nest]
    for k in (1, 0):
        if all(_base(idx[0], vars_[k], vars_) is not None for idx in accesses):
            return [nest[k]]
    return nest


def _swap(loop: Any, swaps: list) -> Any:
    def entry(buf: Any) -> Any:
        return next(((b, v) for t, b, v in swaps if t.same_as(buf)), None)

    def visit(x: Any) -> Any:
        if isinstance(x, tir.TensorLoad) and entry(x.source) is not None:
            block, vars_ = entry(x.source)
            return tir.load(block, vars_)
        if isinstance(x, tir.BufferStore) and entry(x.buffer) is not None:
            block, vars_ = entry(x.buffer)
            return tir.BufferStore(block, x.value, list(vars_))
        return x

    return tir.rewrite(loop, visit, types=(tir.TensorLoad, tir.BufferStore))


def stage_parallel_nests(body: Any) -> Any:
    def visit(s: Any) -> Any:
        if isinstance(s, tir.For) and s.kind == tir.ForKind.PARALLEL:
            return stage_nest(s)
        if isinstance(s, tir.For) or isinstance(s, tir.AttrStmt):
            return _children(s)
        if isinstance(s, tir.SeqStmt):
            return tir.seq(*[visit(x) for x in s.seq])
        return s

    def _children(s: Any) -> Any:
        if isinstance(s, tir.For):
            return tir.For(s.loop_var, s.min, s.extent, s.kind, visit(s.body),
                           annotations=s.annotations)
        return tir.AttrStmt(s.node, s.attr_key, s.value, visit(s.body))

    return visit(body)


# --- one statement per T.Parallel nest ------------------------------------------------
def split_parallel_bodies(body: Any) -> Any:
    """`for i, j in T.Parallel: s1; s2` -> one nest per statement (each iteration touches
    only its own elements, so the statements may run nest after nest)."""
    def visit(s: Any) -> Any:
        if not (isinstance(s, tir.For) and s.kind == tir.ForKind.PARALLEL):
            return s
        nest, inner = parallel_nest(s)
        if not isinstance(inner, tir.SeqStmt) or \
                not all(isinstance(x, tir.BufferStore) for x in inner.seq):
            return s
        vars_ = [v for v, _ in nest]
        out = []
        for store in inner.seq:
            fresh = [tir.make_var(str(v.name), tir.dtype_of(v)) for v in vars_]
            stmt = tir.substitute(store, dict(zip(vars_, fresh)))
            for v, (_, n) in reversed(list(zip(fresh, nest))):
                stmt = tir.For(v, tir.const(0, tir.dtype_of(v)), tir.const(n, tir.dtype_of(v)),
                               tir.ForKind.PARALLEL, stmt)
            out.append(stmt)
        return tir.seq(*out)

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
    """`for i in T.Parallel(n): buf[i] (or buf[i, 0]) = fn(index)` for a column vector."""
    shape = [tir.as_int(d) for d in buf.shape]
    if len(shape) == 1 or (len(shape) == 2 and shape[1] == 1):
        tail = [tir.const(0, "int32")] * (len(shape) - 1)
        return _nest([shape[0]], lambda v: tir.BufferStore(buf, fn(v + tail), v + tail))
    return None


def canonical_reduction(call: Any) -> list | None:
    """T.reduce_min/abssum/absmax and clear=False as the FPU's sum/max (clear=True) plus
    elementwise nests: |x| or -x first, and `dst[i] = op(dst[i], part[i])` after."""
    r = tir.decode_reduce(call)
    if r.kind in ("sum", "max") and r.clear:
        return None
    if (r.kind == "min" or not r.clear) and r.dim != 1:
        return None  # a nest over a row vector after a column reduction: left for the refusal
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
        return None  # a column reduction into a row vector: left for the refusal
    return out + [combine]


def canonical_reductions(body: Any) -> Any:
    def visit(s: Any) -> Any:
        if isinstance(s, tir.Evaluate) and tir.is_call(s.value, "tl.tileop.reduce"):
            stmts = canonical_reduction(s.value)
            return tir.seq(*stmts) if stmts else s
        return s

    return tir.rewrite(body, visit, types=tir.Evaluate)


# --- buffer versions ----------------------------------------------------------------
ON_CHIP = ("shared", "shared.dyn", "local.fragment")


def _peel(s: Any) -> Any:
    while isinstance(s, tir.AttrStmt):
        s = s.body
    return s


def gemm_targets(body: Any) -> list:
    return [tir.decode_gemm(c).C.buffer for c in tir.collect(body, tir.Call)
            if tir.is_call(c, "tl.tileop.gemm")]


def written_here(s: Any) -> list:
    """On-chip buffers a statement of a sequence (re)defines whole: a T.copy, T.fill or
    T.reduce_* (clear=True) destination, or the target of a T.Parallel nest."""
    s = _peel(s)
    if isinstance(s, tir.For) and s.kind == tir.ForKind.PARALLEL:
        return [x.buffer for x in tir.collect(s, tir.BufferStore)
                if tir.scope_of(x.buffer) in ON_CHIP]
    if not isinstance(s, tir.Evaluate):
        return []
    call = s.value
    if tir.is_call(call, "tl.tileop.copy"):
        buf = tir.decode_region(call.args[1]).buffer
    elif tir.is_call(call, "tl.tileop.fill"):
        buf = tir.decode_region(call.args[0]).buffer
    elif tir.is_call(call, "tl.tileop.reduce") and tir.decode_reduce(call).clear:
        buf = tir.decode_region(call.args[1]).buffer
    else:
        return []
    return [buf] if tir.scope_of(buf) in ON_CHIP else []


def _rename(s: Any, old: Any, new: Any, writes_only: bool = False) -> Any:
    """`s` with `old` replaced by `new` (everywhere, or in the written operand only)."""
    if writes_only:
        inner = _peel(s)
        if isinstance(inner, tir.Evaluate):
            call = inner.value
            pos = 0 if tir.is_call(call, "tl.tileop.fill") else 1
            args = list(call.args)
            args[pos] = _rename(args[pos], old, new)
            new_inner = tir.evaluate(tir.call_intrin("handle", tir.op_name(call), *args))
            return tir.rewrite(s, lambda x: new_inner if x.same_as(inner) else x,
                               types=tir.Evaluate)

        def store(x: Any) -> Any:
            return tir.BufferStore(new, x.value, list(x.indices)) if x.buffer.same_as(old) else x
        return tir.rewrite(s, store, types=tir.BufferStore)

    def visit(x: Any) -> Any:
        if isinstance(x, tir.TensorLoad) and x.source.same_as(old):
            return tir.load(new, list(x.indices))
        if isinstance(x, tir.BufferStore) and x.buffer.same_as(old):
            return tir.BufferStore(new, x.value, list(x.indices))
        return x

    return tir.rewrite(s, visit, types=(tir.TensorLoad, tir.BufferStore))


class _Versions:
    """Gives every whole redefinition of an on-chip buffer in the sequence that defined it
    a new buffer (`x`, then `x_1`, `x_2`, ...): `A_local[i, j] *= s[i]` after
    `T.copy(A_shared, A_local)` reads the first version and writes the second. A
    redefinition inside a deeper loop (`acc[i, j] += ...` over k, after `T.clear(acc)`)
    is loop-carried and keeps its buffer; so do GEMM accumulators (their epilogues)."""

    def __init__(self, keep: list):
        self.keep, self.count = keep, {}

    def stmt(self, s: Any, cur: list, outer: list = ()) -> Any:
        if isinstance(s, tir.SeqStmt):
            return self.seq(list(s.seq), cur, list(outer))
        if isinstance(s, tir.For) and s.kind != tir.ForKind.PARALLEL:
            return tir.For(s.loop_var, s.min, s.extent, s.kind, self.stmt(s.body, cur, outer),
                           annotations=s.annotations)
        if isinstance(s, tir.AttrStmt):
            return tir.AttrStmt(s.node, s.attr_key, s.value, self.stmt(s.body, cur, outer))
        return s

    def seq(self, stmts: list, cur: list, outer: list) -> Any:
        """`outer`: buffers defined before this sequence in enclosing ones; rewritten here
        they are loop-carried (the next trip reads the last write), so never split."""
        cur, defined, out = list(cur), [], []
        for x in _flatten(stmts):
            for orig, now in cur:
                x = _rename(x, orig, now)
            for buf in written_here(x):
                orig = next((o for o, n in cur if n.same_as(buf)), buf)
                if any(orig.same_as(k) for k in self.keep) or any(orig.same_as(o) for o in outer):
                    continue
                if any(orig.same_as(d) for d in defined):
                    new = self.version(orig)
                    x = _rename(x, buf, new, writes_only=True)
                    out.append(tir.AllocBuffer(new))
                    cur = [(o, n) for o, n in cur if not o.same_as(orig)] + [(orig, new)]
                else:
                    defined.append(orig)
            out.append(self.stmt(x, cur, outer + defined))
        return tir.seq(*out)

    def version(self, orig: Any) -> Any:
        k = self.count.get(str(orig.name), 0) + 1
        self.count[str(orig.name)] = k
        return tir.make_buffer(list(orig.shape), str(orig.dtype), f"{orig.name}_{k}",
                               scope="local.fragment")


def _flatten(stmts: list) -> list:
    """Statements of nested sequences under source-line attrs, each under its own copy of
    the attrs (an op the canonicalization expanded into several)."""
    out = []
    for s in stmts:
        attrs, inner = [], s
        while isinstance(inner, tir.AttrStmt):
            attrs.append(inner)
            inner = inner.body
        if not isinstance(inner, tir.SeqStmt):
            out.append(s)
            continue
        for item in _flatten(list(inner.seq)):
            for a in reversed(attrs):
                item = tir.AttrStmt(a.node, a.attr_key, a.value, item)
            out.append(item)
    return out


def split_versions(body: Any) -> Any:
    return _Versions(gemm_targets(body)).stmt(body, [], [])


def _on_chip_reads(body: Any, buf: Any) -> int:
    """Tile ops and T.Parallel loads that read `buf` on chip (copies to tensors excluded)."""
    n = 0
    for call in tir.collect(body, tir.Call):
        if tir.is_call(call, "tl.tileop.copy"):
            src = tir.decode_region(call.args[0]).buffer
            dst = tir.decode_region(call.args[1]).buffer
            n += src.same_as(buf) and tir.scope_of(dst) != "global"
        elif tir.is_call(call, "tl.tileop.reduce"):
            n += tir.decode_region(call.args[0]).buffer.same_as(buf)
        elif tir.is_call(call, "tl.tileop.gemm"):
            g = tir.decode_gemm(call)
            n += g.A.buffer.same_as(buf) or g.B.buffer.same_as(buf)
    loads = [x for x in tir.collect(body, tir.TensorLoad) if x.source.same_as(buf)]
    regions = [c for c in tir.collect(body, tir.Call) if tir.is_call(c, "tl.region")
               and tir.decode_region(c).buffer.same_as(buf)]
    return n + len(loads) - len(regions)


def _loaded_from_tensor(body: Any, buf: Any) -> bool:
    for call in tir.collect(body, tir.Call):
        if tir.is_call(call, "tl.tileop.copy"):
            src = tir.decode_region(call.args[0]).buffer
            dst = tir.decode_region(call.args[1]).buffer
            if dst.same_as(buf) and tir.scope_of(src) == "global":
                return True
    return False


def split_stores(body: Any) -> Any:
    """A block copied to a tensor and also used on chip (or loaded from a tensor: a pure
    copy) is copied on chip into a fresh fragment first (`x_out`), which the writer drains."""
    keep = gemm_targets(body)

    def visit(s: Any) -> Any:
        if not (isinstance(s, tir.Evaluate) and tir.is_call(s.value, "tl.tileop.copy")):
            return s
        src, dst = (tir.decode_region(a) for a in s.value.args[:2])
        buf = src.buffer
        if tir.scope_of(dst.buffer) != "global" or tir.scope_of(buf) not in ON_CHIP \
                or any(buf.same_as(k) for k in keep):
            return s
        if not _on_chip_reads(body, buf) and not _loaded_from_tensor(body, buf):
            return s
        out = tir.make_buffer(list(buf.shape), str(buf.dtype), f"{buf.name}_out",
                              scope="local.fragment")
        zeros = [tir.const(0, "int32")] * len(buf.shape)
        shape = list(buf.shape)
        move = tir.call_intrin("handle", "tl.tileop.copy",
                               tir.make_region(buf, zeros, shape, tir.ACCESS_READ),
                               tir.make_region(out, zeros, shape, tir.ACCESS_WRITE))
        store = tir.call_intrin("handle", "tl.tileop.copy",
                                tir.make_region(out, src.mins, src.extents, tir.ACCESS_READ),
                                s.value.args[1])
        return tir.seq(tir.AllocBuffer(out), tir.evaluate(move), tir.evaluate(store))

    return tir.rewrite(body, visit, types=tir.Evaluate)


def origins(before: Any, after: Any) -> dict:
    """{name of a buffer this pass made: how messages name it}: versions ('x_1' -> 'x'),
    copies for the writer ('x_out' -> 'x'), reciprocals, partial reductions, negated and
    absolute blocks ('x_recip' -> '1 / x', 'm_part' -> 'm', 'x_min' -> '-x', 'x_abssum' ->
    '|x|'). A name the author wrote is never renamed."""
    mine = {str(a.buffer.name) for a in tir.collect(before, tir.AllocBuffer)}
    made = {str(a.buffer.name) for a in tir.collect(after, tir.AllocBuffer)} - mine
    out = {}
    for name in sorted(made):
        out[name] = _author_name(name, mine)
    return out


def _author_name(name: str, mine: set) -> str:
    for suffix, fmt in (("_recip", "1 / {}"), ("_part", "{}"), ("_min", "-{}"),
                        ("_abssum", "|{}|"), ("_absmax", "|{}|"), ("_out", "{}")):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and base in mine:
            return fmt.format(base)
    base, _, k = name.rpartition("_")
    if k.isdigit() and base in mine:
        return f"{base}" + (" (its value after the first rewrite)" if k == "1" else
                            f" (its value after rewrite {k})")
    return name


# --- pass ------------------------------------------------------------------------
@dataclass
class CanonicalizeTileProgram(TTPass):
    name = "canonicalize_tile_program"

    def run(self, mod: Any) -> Any:
        _, func = kernel_func(mod)
        body = _drop_dead_scalars(_forward(func.body, []))
        body = fold_known_conditions(coarsen_rows(body))
        body = stage_parallel_nests(body)
        body = split_parallel_bodies(body)
        body = hoist_vector_divisors(body)
        body = canonical_reductions(body)
        body = split_versions(body)
        body = split_stores(body)
        mod = with_kernel_body(mod, body)
        made = origins(func.body, body)
        return _meta.put(mod, _meta.ORIGINS, made) if made else mod


def canonicalize_tile_program() -> Any:
    """The `canonicalize_tile_program` pass as a TVM pass."""
    return CanonicalizeTileProgram().as_tvm_pass()
