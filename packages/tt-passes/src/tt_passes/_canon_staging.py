"""canonicalize_tile_program's element-level rewrites: scalar locals forwarded, T.Parallel
nests on tensors staged through on-chip blocks, one assignment per nest (see the pass's
docstring for the contract; this module holds its helpers)."""

from __future__ import annotations

from typing import Any

from tt_ir import dtypes, tir

ON_CHIP = ("shared", "shared.dyn", "local.fragment")


# --- exponent families -------------------------------------------------------------
def exponent_families(body: Any) -> set:
    """The exponent families ("A", "B": `tt_ir.dtypes.exponent_family`) of the data a kernel
    body reads and writes: its tensors' and on-chip buffers' dtypes. tt-metal builds a program
    only when its CBs share one."""
    bufs = [x.source for x in tir.collect(body, tir.TensorLoad)]  # tile-op regions too
    bufs += [x.buffer for x in tir.collect(body, tir.BufferStore)]
    bufs += [x.buffer for x in tir.collect(body, tir.AllocBuffer)]
    out = set()
    for buf in bufs:
        dtype = str(buf.dtype)
        if dtype not in dtypes.DTYPES or (tir.scope_of(buf) in ON_CHIP
                                          and dtype in dtypes.INTEGER_DTYPES):
            continue  # on chip an integer block is float32, of no family
        if dtypes.exponent_family(dtype) is not None:
            out.add(dtypes.exponent_family(dtype))
    return out


def mask_float(body: Any) -> str:
    """The dtype of small-valued blocks the compiler adds to a kernel (masks the reader
    generates): bfloat16, or float32 in a kernel with exponent-family-A data (float16, int8),
    where bfloat16 tiles would keep tt-metal from building it."""
    return "float32" if "A" in exponent_families(body) else "bfloat16"


# --- scalar locals ------------------------------------------------------------------
def _is_scalar(buf: Any) -> bool:
    """A one-element local buffer: a TVMScript scalar local or a T.alloc_var."""
    shape = [tir.as_int(d) for d in buf.shape]
    return tir.scope_of(buf) in ("local", "local.var") and shape in ([1], [])


def _stored_in(s: Any) -> list:
    return [st.buffer for st in tir.collect(s, tir.BufferStore)]


def _without(env: list, bufs: list) -> list:
    return [(b, v) for b, v in env if not any(b.same_as(x) for x in bufs)]


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


def _forward(s: Any, env: list, own: list | None = None) -> Any:
    """`s` with scalar stores forwarded into later loads (env: [(buffer, value)]). A value
    that reads buffers (`norm = (x[i, j] - m[i]) * r[i]` in a T.Parallel body) is forwarded
    only when nothing after it in its sequence stores to those buffers.
    Inside a loop (`own`: the buffers allocated in its body) only the loop's own scalars are
    forwarded: a variable that lives across trips (`acc = acc + x` in a T.serial loop, a
    T.alloc_var counter) keeps its stores, and a value forwarded from before the loop does not
    enter a statement that stores to it."""
    if isinstance(s, tir.SeqStmt):
        out, env = [], list(env)
        items = list(s.seq)
        for k, x in enumerate(items):
            if isinstance(x, tir.BufferStore):
                x = _subst_loads(x, env)
                if _is_scalar(x.buffer) and (own is None or any(x.buffer.same_as(b) for b in own)) \
                        and (not _reads_buffers(x.value)
                             or not _stores_to(items[k + 1:], _read_buffers(x.value))):
                    env.append((x.buffer, x.value))
                    continue
                out.append(x)
                env = _without(env, [x.buffer])
                continue
            stored = _stored_in(x)
            out.append(_forward(_subst_loads(x, _without(env, stored)), _without(env, stored), own))
            env = _without(env, stored)
        return tir.seq(*out) if out else tir.evaluate(tir.const(0, "int32"))
    if isinstance(s, tir.For):
        local = [a.buffer for a in tir.collect(s.body, tir.AllocBuffer)]
        return tir.For(s.loop_var, s.min, s.extent, s.kind, _forward(s.body, env, local),
                       annotations=s.annotations)
    if isinstance(s, tir.AttrStmt):
        return tir.AttrStmt(s.node, s.attr_key, s.value, _forward(s.body, env, own))
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


def forward_scalars(body: Any) -> Any:
    """Scalar locals stored once with an index expression, forwarded into their uses and
    their buffers dropped."""
    return _drop_dead_scalars(_forward(body, []))


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


# --- T.Parallel nests touching tensors ------------------------------------------------
def parallel_nest(loop: Any) -> tuple[list, Any]:
    """([(var, extent)], innermost body) of a perfect nest of parallel loops."""
    nest, s = [], loop
    while isinstance(s, tir.For) and s.kind == tir.ForKind.PARALLEL:
        nest.append((s.loop_var, tir.as_int(s.extent)))
        s = s.body
    return nest, s


def fresh_nest(nest: list, body: Any) -> Any:
    """`body` (written over the nest's variables) in a T.Parallel nest of the same extents
    with variables of its own: a loop variable is defined once in TIR."""
    vars_ = [v for v, _ in nest]
    fresh = [tir.make_var(str(v.name), tir.dtype_of(v)) for v in vars_]
    stmt = tir.substitute(body, dict(zip(vars_, fresh)))
    for v, (_, n) in reversed(list(zip(fresh, nest))):
        stmt = tir.For(v, tir.const(0, tir.dtype_of(v)), tir.const(n, tir.dtype_of(v)),
                       tir.ForKind.PARALLEL, stmt)
    return stmt


def covers_block(nest: list, store: Any) -> bool:
    """Whether `store` in the nest writes a whole on-chip buffer as `buf[i, j]` (one var per
    dim, the nest's extents its shape)."""
    shape = [tir.as_int(d) for d in store.buffer.shape]
    vars_ = [v for v, _ in nest]
    return tir.scope_of(store.buffer) in ON_CHIP and [n for _, n in nest] == shape \
        and len(store.indices) == len(vars_) \
        and all(isinstance(i, tir.Var) and i.same_as(v) for i, v in zip(store.indices, vars_))


def _base(index: Any, var: Any, nest_vars: list) -> Any | None:
    """`index - var` when index is `base + var` with base free of the nest's vars."""
    base = tir.simplify(index - var)
    return base if _free(base, nest_vars) else None


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


def block_dims(accesses: list, nest: list, all_vars: list | None = None) -> tuple | None:
    """(origin, dims): the tensor index where the nest's block starts and the tensor dims the
    nest's variables run along, if every access is `base + var` in those dims (same bases) and
    the bases and the other dims are free of the nest's vars (`all_vars`: every variable of
    the nest, when `nest` is the part a vector follows). The dims are the last ones, or, in a
    rank-3/4 tensor, any dims in the nest's order (`Q[bz, bx * bm + i, by, j]` of a
    [B, S, H, D] tensor: dims 1 and 3)."""
    vars_ = [v for v, _ in nest]
    every = all_vars or vars_
    origin, dims = None, None
    for idx in accesses:
        if len(idx) < len(nest):
            return None
        here_dims = _var_dims(idx, vars_, every)
        if here_dims is None:
            return None
        bases = [_base(idx[d], v, every) for d, v in zip(here_dims, vars_)]
        others = [idx[d] for d in range(len(idx)) if d not in here_dims]
        if any(b is None for b in bases) or not all(_free(i, every) for i in others):
            return None
        here = list(idx)
        for d, b in zip(here_dims, bases):
            here[d] = b
        if origin is None:
            origin, dims = here, here_dims
        elif here_dims != dims or not all(
                tir.structural_equal(tir.simplify(a - b), tir.const(0, "int32"))
                or tir.as_int(tir.simplify(a - b)) == 0 for a, b in zip(origin, here)):
            return None
    return None if origin is None else (origin, dims)


def _var_dims(idx: list, vars_: list, every: list) -> list | None:
    """The dims of `idx` that the nest's vars index, in the nest's order: the last ones, or
    (rank 3 and up) the one dim each var appears in."""
    tail = list(range(len(idx) - len(vars_), len(idx)))
    if all(_base(idx[d], v, every) is not None for d, v in zip(tail, vars_)) or len(idx) < 3:
        return tail
    dims = []
    for v in vars_:
        hits = [d for d, x in enumerate(idx) if not _free(x, [v])]
        if len(hits) != 1:
            return None
        dims.append(hits[0])
    return dims if dims == sorted(set(dims)) else None


def block_namer(body: Any) -> Any:
    """`name(base)`: a name for a new on-chip block made from tensor `base`: `base` itself
    unless an on-chip block already has it, else `base_1`, `base_2`, ... skipping every name
    the kernel uses (blocks become CBs by name: one name, one CB)."""
    on_chip = {str(a.buffer.name) for a in tir.collect(body, tir.AllocBuffer)}
    used = on_chip | {str(x.source.name) for x in tir.collect(body, tir.TensorLoad)}
    used |= {str(x.buffer.name) for x in tir.collect(body, tir.BufferStore)}
    made: set = set()

    def name(base: str) -> str:
        n, out = 0, base
        while out in made or out in on_chip or (out != base and out in used):
            n += 1
            out = f"{base}_{n}"
        made.add(out)
        return out

    return name


def stage_nest(loop: Any, name: Any = str, known: list | None = None) -> Any:
    """The nest with its tensors staged through on-chip blocks (or unchanged). `name` gives
    each new block its name; `known` lists the blocks earlier nests of the sequence staged
    (tensor, origin, shape, block): a read of the same tensor block reuses one, no new copy,
    and the reads staged here are added to it."""
    nest, _ = parallel_nest(loop)
    if any(n is None for _, n in nest):
        return loop
    vars_ = [v for v, _ in nest]
    before, after, swaps = [], [], []
    for tensor, (reads, writes) in tensor_accesses(loop).items():
        if reads and writes:
            continue  # read-modify-write of a tensor in place: left for the refusal
        sub = _vector_subnest(reads or writes, nest)  # Bias[bx * bn + j] in an (i, j) nest
        found = block_dims(reads or writes, sub, vars_)
        if found is None:
            continue
        origin, dims = found
        shape = [n for _, n in sub]
        seen = _known_block(known, tensor, origin, shape) if reads and known is not None else None
        if seen is not None:  # the same block of the tensor, staged by an earlier nest
            swaps.append((tensor, seen, [v for v, _ in sub]))
            continue
        scope = "shared.dyn" if reads else "local.fragment"
        block = tir.make_buffer(shape, str(tensor.dtype), name(str(tensor.name)), scope=scope)
        if reads and known is not None:
            known.append((tensor, origin, shape, block))
        extents = [tir.const(1, "int32")] * len(origin)  # one index of every other dim
        for d, n in zip(dims, shape):
            extents[d] = tir.const(n, "int32")
        glob = tir.make_region(tensor, origin, extents,
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


def _known_block(known: list, tensor: Any, origin: list, shape: list) -> Any | None:
    for t, o, sh, block in known:
        if t.same_as(tensor) and sh == shape and len(o) == len(origin) and \
                all(tir.as_int(tir.simplify(a - b)) == 0 for a, b in zip(o, origin)):
            return block
    return None


def _written_tensors(s: Any) -> list:
    """Global tensors `s` stores to or copies into."""
    out = [x.buffer for x in tir.collect(s, tir.BufferStore) if tir.scope_of(x.buffer) == "global"]
    for call in tir.collect(s, tir.Call):
        if tir.is_call(call, "tl.tileop.copy"):
            dst = tir.decode_region(call.args[1]).buffer
            if tir.scope_of(dst) == "global":
                out.append(dst)
    return out


def stage_parallel_nests(body: Any) -> Any:
    """Each T.Parallel nest's tensor accesses staged through on-chip blocks (stage_nest);
    nests in one sequence that read the same block of a tensor (TileLang's `A[i] = X[i] * 3;
    B[i] = X[i] + 1`, split nest by nest) share one staged block, read from DRAM once, until
    something writes that tensor."""
    name = block_namer(body)

    def visit(s: Any, known: list) -> Any:
        if isinstance(s, tir.For) and s.kind == tir.ForKind.PARALLEL:
            return stage_nest(s, name, known)
        if isinstance(s, tir.For):  # a loop body is a sequence of its own
            return tir.For(s.loop_var, s.min, s.extent, s.kind, visit(s.body, []),
                           annotations=s.annotations)
        if isinstance(s, tir.AttrStmt):
            return tir.AttrStmt(s.node, s.attr_key, s.value, visit(s.body, known))
        if isinstance(s, tir.SeqStmt):
            out = []
            for x in s.seq:
                out.append(visit(x, known))
                for t in _written_tensors(x):
                    known[:] = [k for k in known if not k[0].same_as(t)]
            return tir.seq(*out)
        return s

    return visit(body, [])


# --- tensor -> tensor copies ---------------------------------------------------------
def stage_tensor_copies(body: Any) -> Any:
    """`T.copy(A[...], B[...])` between two tensors (a copy or a cast: TileLang's
    vectorized-cast kernels) -> through an on-chip block named like the source, shaped like
    the region's last dims: `T.copy(A[...], A); T.copy(A, B[...])`. The unit moves the
    tiles; packing into B's CB converts the format. `T.fill` of a tensor region likewise
    fills a fragment named like the tensor and copies it out. A second copy from the same
    tensor stages through `A_1`, as does a copy from a tensor a T.Parallel nest staged as `A`
    (blocks are CBs by name: one name, one CB)."""
    name_of = block_namer(body)

    def visit(s: Any) -> Any:
        call = s.value if isinstance(s, tir.Evaluate) else None
        if call is None or not tir.is_call(call, "tl.tileop.copy", "tl.tileop.fill"):
            return s
        fill = tir.is_call(call, "tl.tileop.fill")
        regions = [tir.decode_region(a) for a in call.args[:1 if fill else 2]]
        if any(tir.scope_of(r.buffer) != "global" for r in regions):
            return s
        staged = _block_like(regions[0], "local.fragment" if fill else "shared.dyn",
                             name_of(str(regions[0].buffer.name)))
        if staged is None:
            return s  # left for the refusal, which names the op
        block, written, read = staged
        if fill:
            first = tir.call_intrin("handle", "tl.tileop.fill", written, call.args[1])
            out = tir.call_intrin("handle", "tl.tileop.copy", read, call.args[0])
        else:
            first = tir.call_intrin("handle", "tl.tileop.copy", call.args[0], written,
                                    *call.args[2:])
            out = tir.call_intrin("handle", "tl.tileop.copy", read, call.args[1], *call.args[2:])
        return tir.seq(tir.AllocBuffer(block), tir.evaluate(first), tir.evaluate(out))

    return tir.rewrite(body, visit, types=tir.Evaluate)


def _block_like(region: Any, scope: str, name: str) -> tuple | None:
    """(block, its whole region to write, to read) for a tensor region: named `name`, shaped
    like the region's last dims (leading unit dims dropped); None when that is not a static
    1-D or 2-D shape."""
    shape = [tir.as_int(e) for e in region.extents]
    while len(shape) > 1 and shape[0] == 1:
        shape = shape[1:]
    if any(n is None for n in shape) or len(shape) > 2:
        return None
    block = tir.make_buffer(shape, str(region.buffer.dtype), name, scope=scope)
    whole = [tir.const(0, "int32")] * len(shape)
    extents = [tir.const(n, "int32") for n in shape]
    return (block, tir.make_region(block, whole, extents, tir.ACCESS_WRITE),
            tir.make_region(block, whole, extents, tir.ACCESS_READ))


# --- one statement per T.Parallel nest ------------------------------------------------
def split_parallel_bodies(body: Any, only: Any = None) -> Any:
    """`for i, j in T.Parallel: s1; s2` -> one nest per statement (each iteration touches
    only its own elements, so the statements may run nest after nest); `only(stores)`, when
    given, picks the nests to split."""
    def visit(s: Any) -> Any:
        if not (isinstance(s, tir.For) and s.kind == tir.ForKind.PARALLEL):
            return s
        nest, inner = parallel_nest(s)
        if not isinstance(inner, tir.SeqStmt) or \
                not all(isinstance(x, tir.BufferStore) for x in inner.seq) or \
                (only is not None and not only(inner.seq)):
            return s
        return tir.seq(*[fresh_nest(nest, store) for store in inner.seq])

    return tir.rewrite(body, visit, types=tir.For)
