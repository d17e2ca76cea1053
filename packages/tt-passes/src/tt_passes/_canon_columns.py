"""canonicalize_tile_program's column stores: a vector written as one column of a tensor.

TileLang writes per-row results into one column of a narrow tensor, the column chosen by a
block index or a loop (a per-token cast's scales, one column per 128-wide group; top-k's
k-th value):

    with T.Kernel(T.ceildiv(M, bm), G) as (bx, by):
        ...
        for i in T.Parallel(bm):
            S[bx * bm + i, by] = s[i]

A Tenstorrent core writes whole tiles, and neighbouring columns of one tile belong to other
blocks, so the columns are gathered on chip instead: the block axis that picks the column
(`by`) becomes a loop inside the block (its blocks run in turn on one core), a fragment
`<S>_cols` of the row block's full width (whole tiles) is cleared before that loop, each trip
selects its column into it (`cols[i, j] = T.if_then_else(j == by, s[i], cols[i, j])`, an
index select the reader's masks carry out), and one copy after the loop writes it to
`S[bx * bm, 0]`. The loop must write every column of S (else the others would be zeroed):
anything else is left for a later refusal, which names the store.
"""

from __future__ import annotations

from typing import Any

from tt_ir import tir
from tt_passes._canon_staging import _base, _free, parallel_nest, split_parallel_bodies

TILE = 32


def _column_nests(body: Any) -> list:
    """[(loop, tensor, base, column, value)] of the 1-D T.Parallel nests `T[base + i, col] =
    value` with col free of i and not a constant."""
    out = []
    for loop in tir.collect(body, tir.For):
        if loop.kind != tir.ForKind.PARALLEL:
            continue
        nest, inner = parallel_nest(loop)
        if len(nest) != 1 or not isinstance(inner, tir.BufferStore):
            continue
        buf, idx = inner.buffer, list(inner.indices)
        if tir.scope_of(buf) != "global" or len(idx) != 2 or len(buf.shape) != 2:
            continue
        i = nest[0][0]
        base = _base(idx[0], i, [i])
        col = idx[1]
        if base is None or not _free(col, [i]) or tir.as_int(col) is not None:
            continue
        out.append((loop, buf, base, col, inner.value, nest[0][1]))
    return out


def _grid_axes(body: Any) -> list:
    return [a for a in tir.collect(body, tir.AttrStmt) if str(a.attr_key) == "thread_extent"
            and str(a.node.thread_tag).startswith("blockIdx")]


def _axis_to_loop(body: Any, axis: Any) -> Any:
    """`body` with the launch axis `axis` turned into a serial loop over its blocks."""
    g = axis.node.var
    v = tir.make_var(str(g.name), tir.dtype_of(g))
    loop = tir.For(v, tir.const(0, tir.dtype_of(v)), axis.value, tir.ForKind.SERIAL,
                   tir.substitute(axis.body, {g: v}))
    return tir.rewrite(body, lambda a: loop if a.same_as(axis) else a, types=tir.AttrStmt)


def _covers(col: Any, loop: Any, width: int) -> bool:
    """Whether `col` is the loop variable itself and the loop runs over all `width` columns."""
    return isinstance(col, tir.Var) and col.same_as(loop.loop_var) \
        and tir.as_int(loop.min) == 0 and tir.as_int(loop.extent) == width


def gather_columns(body: Any) -> Any:
    """See the module docstring."""
    body = split_parallel_bodies(body, only=lambda stores: any(
        tir.scope_of(x.buffer) == "global" for x in stores))  # a column store among others
    for _ in range(8):  # one store at a time: each rewrite changes the tree
        found = _column_nests(body)
        if not found:
            return body
        changed = _one(body, *found[0])
        if changed is None:
            return body
        body = changed
    return body


def _one(body: Any, nest: Any, tensor: Any, base: Any, col: Any, value: Any, n: int) -> Any:
    axes = [a for a in _grid_axes(body) if not _free(col, [a.node.var])]
    if len(axes) == 1 and isinstance(col, tir.Var):
        body = _axis_to_loop(body, axes[0])
        nest, tensor, base, col, value, n = next(
            f for f in _column_nests(body) if f[1].same_as(tensor))
    elif axes:
        return None
    width = tir.as_int(tensor.shape[1])
    loop = next((f for f in tir.collect(body, tir.For) if f.kind != tir.ForKind.PARALLEL
                 and isinstance(col, tir.Var) and f.loop_var.same_as(col)), None)
    if loop is None or width is None or not _covers(col, loop, width) \
            or not _free(base, [loop.loop_var]):
        return None
    wide = -(-width // TILE) * TILE
    cols = tir.make_buffer([n, wide], str(tensor.dtype), f"{tensor.name}_cols",
                           scope="local.fragment")
    i = tir.make_var("i", "int32")
    j = tir.make_var("j", "int32")
    (old_i,) = [v for v, _ in parallel_nest(nest)[0]]
    picked = tir.substitute(value, {old_i: i})
    if str(tir.dtype_of(picked)) != str(tensor.dtype):
        picked = tir.Cast(str(tensor.dtype), picked)
    select = tir.call_intrin(str(tensor.dtype), "prim.if_then_else", tir.eq(j, col), picked,
                             tir.load(cols, [i, j]))
    store = tir.BufferStore(cols, select, [i, j])
    stmt = tir.For(i, tir.const(0, "int32"), tir.const(n, "int32"), tir.ForKind.PARALLEL,
                   tir.For(j, tir.const(0, "int32"), tir.const(wide, "int32"),
                           tir.ForKind.PARALLEL, store))
    whole = [tir.const(0, "int32")] * 2
    extent = [tir.const(n, "int32"), tir.const(wide, "int32")]
    clear = tir.call_intrin("handle", "tl.tileop.fill",
                            tir.make_region(cols, whole, extent, tir.ACCESS_WRITE),
                            tir.const(0, str(tensor.dtype)))
    write = tir.call_intrin("handle", "tl.tileop.copy",
                            tir.make_region(cols, whole, extent, tir.ACCESS_READ),
                            tir.make_region(tensor, [base, tir.const(0, "int32")], extent,
                                            tir.ACCESS_WRITE))
    inner = tir.rewrite(loop, lambda s: stmt if s.same_as(nest) else s, types=tir.For)
    framed = tir.seq(tir.AllocBuffer(cols), tir.evaluate(clear), inner, tir.evaluate(write))
    return tir.rewrite(body, lambda s: framed if s.same_as(loop) else s, types=tir.For)
