"""canonicalize_tile_program's buffer versions: whole redefinitions of on-chip buffers get
new buffers, blocks both stored and read on chip get a copy for the writer, and the record
of the names this makes (`origins`)."""

from __future__ import annotations

from typing import Any

from tt_ir import tir
from tt_passes._canon_masks import constant_value
from tt_passes._canon_staging import ON_CHIP

# --- buffer versions ----------------------------------------------------------------


def _peel(s: Any) -> Any:
    while isinstance(s, tir.AttrStmt):
        s = s.body
    return s


def gemm_targets(body: Any) -> list:
    return [tir.decode_gemm(c).C.buffer for c in tir.collect(body, tir.Call)
            if tir.is_call(c, "tl.tileop.gemm")]


def gemm_onto_values(body: Any) -> set:
    """Names of gemm targets that a gemm adds to a value made on chip, not to a T.clear: the
    last write before a gemm (in program order) is a store, a copy or a non-zero fill (a
    mask copied in before Q @ K^T, a bias), or they are written so inside a loop that also
    holds a gemm into them (attention's `acc_o *= s[i]` between its P @ V gemms). Their
    value lives in a CB, not in DST, and each gemm starts from it (tt.matmul_onto)."""
    held: set = set()
    last: dict = {}  # name -> its last write was a value made on chip

    def walk(s: Any) -> None:
        if isinstance(s, tir.SeqStmt):
            for x in s.seq:
                walk(x)
        elif isinstance(s, tir.For):
            if s.kind != tir.ForKind.PARALLEL:
                inside = {str(b.name) for b in gemm_targets(s)}
                held.update(inside & _valued_writes(s))
            walk(s.body)
        elif isinstance(s, tir.AttrStmt):
            walk(s.body)
        elif isinstance(s, tir.BufferStore):
            last[str(s.buffer.name)] = True
        elif isinstance(s, tir.Evaluate) and tir.is_call(s.value, "tl.tileop.gemm"):
            name = str(tir.decode_gemm(s.value).C.buffer.name)
            if last.get(name):
                held.add(name)
            last[name] = False
        elif isinstance(s, tir.Evaluate):
            last.update({n: True for n in _valued_writes(s)})
            last.update({n: False for n in _clears(s)})

    walk(body)
    return held


def _valued_writes(s: Any) -> set:
    """On-chip buffers `s` writes with a value (stores, copies, reductions, non-zero fills)."""
    out = {str(x.buffer.name) for x in tir.collect(s, tir.BufferStore)}
    for call in tir.collect(s, tir.Call):
        if tir.is_call(call, "tl.tileop.copy", "tl.tileop.reduce"):
            out.add(str(tir.decode_region(call.args[1]).buffer.name))
        elif tir.is_call(call, "tl.tileop.fill") and constant_value(call.args[1]) != 0.0:
            out.add(str(tir.decode_region(call.args[0]).buffer.name))
    return out


def _clears(s: Any) -> set:
    return {str(tir.decode_region(c.args[0]).buffer.name) for c in tir.collect(s, tir.Call)
            if tir.is_call(c, "tl.tileop.fill") and constant_value(c.args[1]) == 0.0}


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
    is loop-carried and keeps its buffer; so does a GEMM accumulator's epilogue."""

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
        they are loop-carried (the next trip reads the last write), so never split. A GEMM
        accumulator is rewritten in place (its epilogue) unless another op has read it since
        its last gemm (`S = exp(S - rowmax(S))`): then the rewrite is a new version too."""
        cur, defined, out, read = list(cur), [], [], []
        for x in _flatten(stmts):
            for orig, now in cur:
                x = _rename(x, orig, now)
            for buf in written_here(x):
                orig = next((o for o, n in cur if n.same_as(buf)), buf)
                if any(orig.same_as(o) for o in outer):
                    continue
                if any(orig.same_as(k) for k in self.keep) and \
                        not any(orig.same_as(r) for r in read):
                    if not any(orig.same_as(d) for d in defined):
                        defined.append(orig)
                    continue
                if any(orig.same_as(d) for d in defined):
                    new = self.version(orig)
                    x = _rename(x, buf, new, writes_only=True)
                    out.append(tir.AllocBuffer(new))
                    cur = [(o, n) for o, n in cur if not o.same_as(orig)] + [(orig, new)]
                else:
                    defined.append(orig)
            read = self.note_reads(x, cur, read)
            out.append(self.stmt(x, cur, outer + defined))
        return tir.seq(*out)

    def note_reads(self, x: Any, cur: list, read: list) -> list:
        """GEMM accumulators read by `x` (not as its own target), minus those it accumulates."""
        def orig_of(buf: Any) -> Any:
            return next((o for o, n in cur if n.same_as(buf)), buf)

        written = [b for b in written_here(x)]
        for buf in reads_on_chip(x):
            orig = orig_of(buf)
            if any(orig.same_as(k) for k in self.keep) and not any(buf.same_as(w) for w in written):
                read = read + [orig]
        accumulated = [orig_of(tir.decode_gemm(c).C.buffer) for c in tir.collect(x, tir.Call)
                       if tir.is_call(c, "tl.tileop.gemm")]
        return [r for r in read if not any(r.same_as(a) for a in accumulated)]

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


def reads_on_chip(s: Any) -> list:
    """Buffers `s` reads on chip: an on-chip copy's or a reduction's source, a gemm's A and
    B, and the loads of stored values (a store's own target excluded)."""
    out = []
    for call in tir.collect(s, tir.Call):
        if tir.is_call(call, "tl.tileop.copy"):
            src, dst = (tir.decode_region(a).buffer for a in call.args[:2])
            if tir.scope_of(dst) != "global":
                out.append(src)
        elif tir.is_call(call, "tl.tileop.reduce"):
            out.append(tir.decode_region(call.args[0]).buffer)
        elif tir.is_call(call, "tl.tileop.gemm"):
            g = tir.decode_gemm(call)
            out += [g.A.buffer, g.B.buffer]
    for store in tir.collect(s, tir.BufferStore):
        out += [x.source for x in tir.collect(store.value, tir.TensorLoad)
                if not x.source.same_as(store.buffer)]
    return out


def _loaded_from_tensor(body: Any, buf: Any) -> bool:
    for call in tir.collect(body, tir.Call):
        if tir.is_call(call, "tl.tileop.copy"):
            src = tir.decode_region(call.args[0]).buffer
            dst = tir.decode_region(call.args[1]).buffer
            if dst.same_as(buf) and tir.scope_of(src) == "global":
                return True
    return False


def _built_on_chip(body: Any, buf: Any) -> bool:
    """Whether `buf`, not a gemm accumulator (whose T.clear starts its sum), is filled by a
    T.fill or rewritten by a serial loop from its own old value (`blk[i, j] = ... blk[i, j]
    ...` built up over the trips): its value reaches the writer through a copy."""
    if any(t.same_as(buf) for t in gemm_targets(body)):
        return False
    if any(tir.is_call(c, "tl.tileop.fill") and tir.decode_region(c.args[0]).buffer.same_as(buf)
           for c in tir.collect(body, tir.Call)):
        return True
    for loop in tir.collect(body, tir.For):
        if loop.kind == tir.ForKind.PARALLEL:
            continue
        for store in tir.collect(loop.body, tir.BufferStore):
            if store.buffer.same_as(buf) and any(
                    x.source.same_as(buf) for x in tir.collect(store.value, tir.TensorLoad)):
                return True
    return False


def staged_loads(body: Any) -> Any:
    """A block copied from a tensor is loaded into a fresh `<name>_in` and copied on chip into
    the block when
    - the tensor holds integers: its CB keeps the tensor's Int32 tiles, and the on-chip copy
      turns them into the float32 values integer blocks hold on chip (typecast_tile);
    - the block is then rewritten inside a serial loop that loads it from no tensor (top-k's
      `s[i, j] = T.if_then_else(..., -10000.0, s[i, j])` trip after trip over logits loaded
      once): the loop then carries a block made on chip, like one a T.fill started."""
    loads = [c for c in tir.collect(body, tir.Call) if tir.is_call(c, "tl.tileop.copy")
             and len(c.args) == 2  # not a gather or an element read: their CBs are their own
             and tir.scope_of(tir.decode_region(c.args[0]).buffer) == "global"
             and tir.scope_of(tir.decode_region(c.args[1]).buffer) in ON_CHIP]
    staged = [c for c in loads if str(tir.decode_region(c.args[0]).buffer.dtype).startswith(
        ("int", "uint"))]
    for load in loads:
        buf = tir.decode_region(load.args[1]).buffer
        for loop in tir.collect(body, tir.For):
            if loop.kind == tir.ForKind.PARALLEL or any(  # the loop loads it itself
                    tir.decode_region(c.args[1]).buffer.same_as(buf) and tir.find(
                        loop, lambda x, c=c: x.same_as(c)) is not None for c in loads):
                continue
            if any(b.same_as(buf) for b in written_on_chip(loop.body)):
                staged.append(load)
                break

    def visit(s: Any) -> Any:
        if not (isinstance(s, tir.Evaluate) and any(s.value.same_as(c) for c in staged)):
            return s
        src, dst = (tir.decode_region(a) for a in s.value.args[:2])
        buf = dst.buffer
        fresh = tir.make_buffer(list(buf.shape), str(buf.dtype), f"{buf.name}_in",
                                scope="local.fragment")
        load = tir.call_intrin("handle", "tl.tileop.copy", s.value.args[0],
                               tir.make_region(fresh, dst.mins, dst.extents, tir.ACCESS_WRITE))
        move = tir.call_intrin("handle", "tl.tileop.copy",
                               tir.make_region(fresh, dst.mins, dst.extents, tir.ACCESS_READ),
                               s.value.args[1])
        return tir.seq(tir.AllocBuffer(fresh), tir.evaluate(load), tir.evaluate(move))

    return tir.rewrite(body, visit, types=tir.Evaluate) if staged else body


def written_on_chip(s: Any, copies: bool = True) -> list:
    """Buffers `s` writes on chip: stores, on-chip copies' (unless `copies` is False) and
    reductions' destinations, fills, gemm targets."""
    out = [x.buffer for x in tir.collect(s, tir.BufferStore)]
    for call in tir.collect(s, tir.Call):
        if tir.is_call(call, "tl.tileop.copy", "tl.tileop.reduce"):
            src, dst = (tir.decode_region(a).buffer for a in call.args[:2])
            if (copies and tir.scope_of(src) != "global") or tir.is_call(call, "tl.tileop.reduce"):
                out.append(dst)
        elif tir.is_call(call, "tl.tileop.fill"):
            out.append(tir.decode_region(call.args[0]).buffer)
        elif tir.is_call(call, "tl.tileop.gemm"):
            out.append(tir.decode_gemm(call).C.buffer)
    return out


def split_stores(body: Any) -> Any:
    """A block copied to a tensor and also used on chip (or loaded from a tensor: a pure
    copy; a gemm target kept in a CB: `gemm_onto_values`; a block a loop builds up in place; a
    filled block)
    is copied on chip into a fresh fragment first (`x_out`), which the writer drains."""
    held = gemm_onto_values(body)

    def visit(s: Any) -> Any:
        if not (isinstance(s, tir.Evaluate) and tir.is_call(s.value, "tl.tileop.copy")):
            return s
        src, dst = (tir.decode_region(a) for a in s.value.args[:2])
        buf = src.buffer
        if tir.scope_of(dst.buffer) != "global" or tir.scope_of(buf) not in ON_CHIP:
            return s
        read = any(b.same_as(buf) for b in reads_on_chip(body)) or _built_on_chip(body, buf)
        if not read and not _loaded_from_tensor(body, buf) and str(buf.name) not in held:
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
                        ("_abssum", "|{}|"), ("_absmax", "|{}|"), ("_out", "{}"),
                        ("_mask", "the index mask written to {}"),
                        ("_keep", "the index mask of {}"), ("_fill", "the index mask of {}"),
                        ("_drop", "the index mask of {}"), ("_T", "{} transposed"),
                        ("_in", "{} (as loaded)"), ("_cols", "{} (its columns gathered)"),
                        ("_index", "the indices read as values in {}"),
                        ("_old", "{} (read for T.atomic_add)"), ("_sum", "{} + the atomic add")):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and base in mine:
            return fmt.format(base)
    base, _, k = name.rpartition("_")
    if k.isdigit() and base in mine:
        return f"{base}" + (" (its value after the first rewrite)" if k == "1" else
                            f" (its value after rewrite {k})")
    return name
