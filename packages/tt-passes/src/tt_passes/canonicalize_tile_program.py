"""canonicalize_tile_program: TileLang's element-level idioms in the one tile form the pipeline reads.

Requires: one TileLang-form PrimFunc.
Rewrites:
- Scalar locals (`y = by * bm + i`, TVMScript's `x: T.int32 = ...`, `T.alloc_var` written
  once): a `local` buffer of one element stored once with an index expression (no tensor
  or fragment read) is forwarded into every later load in the same sequence, and its
  buffer dropped.
- T.Parallel nests that read or write tensors directly (`C[by * bm + i, bx * bn + j] =
  A[by * bm + i, bx * bn + j] + B[...]`): each tensor indexed as `base + i` / `base + j`
  in the nest's last dims (the same bases at every access, leading dims free of the nest's
  variables) is staged through an on-chip block named like the tensor, shaped like the
  nest: a tensor the nest reads gets a `shared.dyn` block and a `T.copy(A[base], A)`
  before the nest; a tensor it writes a `local.fragment` block and a `T.copy(C, C[base])`
  after it. The nest then reads and writes the blocks as `A[i, j]`, exactly as if the
  kernel had copied them itself.
Guarantees: the body is otherwise unchanged; nothing is staged that does not match the
pattern exactly (later passes refuse what is left, naming it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir import tir
from tt_passes._base import TTPass, kernel_func, with_kernel_body


# --- scalar locals ------------------------------------------------------------------
def _is_scalar(buf: Any) -> bool:
    shape = [tir.as_int(d) for d in buf.shape]
    return tir.scope_of(buf) == "local" and shape in ([1], [])


def _reads_buffers(expr: Any) -> bool:
    return tir.find(expr, lambda x: True, types=tir.TensorLoad) is not None


def _forward(s: Any, env: list) -> Any:
    """`s` with scalar stores forwarded into later loads (env: [(buffer, value)])."""
    if isinstance(s, tir.SeqStmt):
        out, env = [], list(env)
        for x in s.seq:
            x = _subst_loads(x, env)
            if isinstance(x, tir.BufferStore) and _is_scalar(x.buffer) \
                    and not _reads_buffers(x.value):
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


def block_origin(accesses: list, nest: list) -> list | None:
    """The tensor index where the nest's block starts, if every access is `base + var`
    in the last dims (same bases) and leading dims are free of the nest's vars."""
    vars_ = [v for v, _ in nest]
    origin = None
    for idx in accesses:
        if len(idx) < len(nest):
            return None
        lead, tail = idx[:len(idx) - len(nest)], idx[len(idx) - len(nest):]
        bases = [_base(i, v, vars_) for i, v in zip(tail, vars_)]
        if any(b is None for b in bases) or any(_base(i, vars_[0], vars_) is None for i in lead):
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
    shape = [n for _, n in nest]
    vars_ = [v for v, _ in nest]
    before, after, swaps = [], [], []
    for tensor, (reads, writes) in tensor_accesses(loop).items():
        if reads and writes:
            continue  # read-modify-write of a tensor in place: left for the refusal
        origin = block_origin(reads or writes, nest)
        if origin is None:
            continue
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
        swaps.append((tensor, block))
    if not swaps:
        return loop
    return tir.seq(*before, _swap(loop, swaps, vars_), *after)


def _swap(loop: Any, swaps: list, vars_: list) -> Any:
    def block_of(buf: Any) -> Any:
        return next((b for t, b in swaps if t.same_as(buf)), None)

    def visit(x: Any) -> Any:
        if isinstance(x, tir.TensorLoad) and block_of(x.source) is not None:
            return tir.load(block_of(x.source), vars_)
        if isinstance(x, tir.BufferStore) and block_of(x.buffer) is not None:
            return tir.BufferStore(block_of(x.buffer), x.value, list(vars_))
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


# --- pass ------------------------------------------------------------------------
@dataclass
class CanonicalizeTileProgram(TTPass):
    name = "canonicalize_tile_program"

    def run(self, mod: Any) -> Any:
        _, func = kernel_func(mod)
        body = _drop_dead_scalars(_forward(func.body, []))
        body = stage_parallel_nests(body)
        return with_kernel_body(mod, body)


def canonicalize_tile_program() -> Any:
    """The `canonicalize_tile_program` pass as a TVM pass."""
    return CanonicalizeTileProgram().as_tvm_pass()
