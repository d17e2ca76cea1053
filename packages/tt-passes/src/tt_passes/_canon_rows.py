"""canonicalize_tile_program's row coarsening: a kernel over blocks of one row runs 32 rows
per block (a tile row)."""

from __future__ import annotations

from typing import Any

from tt_ir import tir
from tt_passes._canon_staging import ON_CHIP

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
