"""canonicalize_tile_program's split-K: `T.atomic_add` of partial sums, on one core.

TileLang's split-K GEMM launches a third grid axis over K slices; each block adds its
partial product into the output with `T.atomic_add`:

    with T.Kernel(gx, gy, split_k) as (bx, by, bz):
        T.clear(C_local)
        for ko in T.Pipelined(n):
            T.copy(A[by * bm, bz * splitK + ko * bk], A_s) ...
            T.gemm(A_s, B_s, C_local)
        for i, j in T.Parallel(bm, bn):
            T.atomic_add(C[by * bm + i, bx * bn + j], C_local[i, j])

Tenstorrent has no atomic add to DRAM. When the split axis is used only inside the K loop,
the slices run one after another in that block instead: the axis leaves the grid and the
K loop runs over every slice's blocks (`bz * splitK + ko * bk` becomes `k * bk` for k in
range(split_k * n); a loop over the slices around the K loop when they do not tile K
evenly), the accumulator summing all of K, and each atomic add becomes one read-modify-write of the block, `C = C + C_local`
(C's tile read, added to, written back: the tensor is read and written, "inout").
Otherwise `T.atomic_add` stays and is refused later, naming it.
"""

from __future__ import annotations

from typing import Any

from tt_ir import tir
from tt_passes._canon_staging import _base, _free, parallel_nest


def _atomic_nests(body: Any) -> list:
    """The T.Parallel nests whose body is one `tl.atomic_add(C[...], value)`."""
    out = []
    for loop in tir.collect(body, tir.For):
        if loop.kind != tir.ForKind.PARALLEL or any(loop.same_as(x) for x, _ in out):
            continue
        nest, inner = parallel_nest(loop)
        if isinstance(inner, tir.Evaluate) and tir.is_call(inner.value, "tl.atomic_add"):
            out.append((loop, nest))
    return out


def split_k_loops(body: Any) -> Any:
    """See the module docstring."""
    atomics = _atomic_nests(body)
    if not atomics:
        return body
    axis = next((a for a in tir.collect(body, tir.AttrStmt) if str(a.attr_key) == "thread_extent"
                 and str(a.node.thread_tag) == "blockIdx.z"), None)
    if axis is None or tir.as_int(axis.value) is None:
        return body
    bz, splits = axis.node.var, tir.as_int(axis.value)
    loops = [f for f in tir.collect(axis.body, tir.For) if f.kind != tir.ForKind.PARALLEL
             and _uses(f, bz)]
    outer = [f for f in loops if not any(g is not f and _inside(f, g) for g in loops)]
    if len(outer) != 1 or _uses_outside(axis.body, outer[0], bz):
        return body
    k_loop = outer[0]
    moved = _one_k_loop(k_loop, bz, splits)
    if moved is None:  # slices that do not tile K evenly: a loop over them around the K loop
        kz = tir.make_var("bz", tir.dtype_of(bz))
        moved = tir.For(kz, tir.const(0, tir.dtype_of(kz)), tir.const(splits, tir.dtype_of(kz)),
                        tir.ForKind.SERIAL, tir.substitute(k_loop, {bz: kz}))
    new_body = tir.rewrite(axis.body, lambda s: moved if s.same_as(k_loop) else s, types=tir.For)
    for loop, nest in _atomic_nests(new_body):
        new_body = tir.rewrite(new_body, lambda s, lp=loop, n=nest: _read_modify_write(s, n)
                               if s.same_as(lp) else s, types=tir.For)
    return tir.rewrite(body, lambda a: new_body if a.same_as(axis) else a, types=tir.AttrStmt)


def _one_k_loop(k_loop: Any, bz: Any, splits: int) -> Any | None:
    """`for ko in range(n)` over slice bz as one loop over all slices' blocks, `for k in
    range(splits * n)` (bz = k // n, ko = k % n), when every index then simplifies to one
    free of // and % (the slices tile K: `bz * splitK + ko * bk` = `k * bk`); else None.
    One loop keeps one accumulation (and its partials schedule) over the whole of K."""
    n = tir.as_int(k_loop.extent)
    if n is None:
        return None
    k = tir.make_var(str(k_loop.loop_var.name), tir.dtype_of(k_loop.loop_var))
    body = tir.substitute(k_loop.body, {bz: tir.floordiv(k, n), k_loop.loop_var: tir.floormod(k, n)})
    loads = []

    def simplified(x: Any) -> Any:
        new = tir.load(x.source, [tir.simplify(i) for i in x.indices])
        loads.append(new)
        return new

    body = tir.rewrite(body, simplified, types=tir.TensorLoad)
    if any(tir.find(i, lambda e: True, types=(tir.FloorDiv, tir.FloorMod)) is not None
           for x in loads for i in x.indices):
        return None
    return tir.For(k, tir.const(0, tir.dtype_of(k)), tir.const(splits * n, tir.dtype_of(k)),
                   k_loop.kind, body, annotations=k_loop.annotations)


def _read_modify_write(loop: Any, nest: list) -> Any:
    """`for i, j: T.atomic_add(C[y + i, x + j], v)` -> C's block read, v added, written back."""
    _, inner = parallel_nest(loop)
    dst, value = inner.value.args
    tensor, idx = dst.source, list(dst.indices)
    vars_ = [v for v, _ in nest]
    bases = [_base(i, v, vars_) for i, v in zip(idx[-len(vars_):], vars_)]
    if any(b is None for b in bases):
        return loop
    shape = [n for _, n in nest]
    dtype = str(tensor.dtype)
    old = tir.make_buffer(shape, dtype, f"{tensor.name}_old", scope="shared.dyn")
    new = tir.make_buffer(shape, dtype, f"{tensor.name}_sum", scope="local.fragment")
    lead = idx[:len(idx) - len(vars_)]
    origin = lead + bases
    extents = [tir.const(1, "int32")] * len(lead) + [tir.const(n, "int32") for n in shape]
    zeros = [tir.const(0, "int32")] * len(shape)
    local = [tir.const(n, "int32") for n in shape]
    read = tir.call_intrin("handle", "tl.tileop.copy",
                           tir.make_region(tensor, origin, extents, tir.ACCESS_READ),
                           tir.make_region(old, zeros, local, tir.ACCESS_WRITE))
    write = tir.call_intrin("handle", "tl.tileop.copy",
                            tir.make_region(new, zeros, local, tir.ACCESS_READ),
                            tir.make_region(tensor, origin, extents, tir.ACCESS_WRITE))
    add = value if str(tir.dtype_of(value)) == dtype else tir.Cast(dtype, value)
    store = tir.BufferStore(new, tir.load(old, vars_) + add, vars_)
    nest_stmt = tir.rewrite(loop, lambda s: store if s.same_as(inner) else s, types=tir.Evaluate)
    return tir.seq(tir.AllocBuffer(old), tir.AllocBuffer(new), tir.evaluate(read), nest_stmt,
                   tir.evaluate(write))


def _uses(node: Any, var: Any) -> bool:
    return not _free(node, [var])


def _inside(inner: Any, outer: Any) -> bool:
    return tir.find(outer.body, lambda f: f.same_as(inner), types=tir.For) is not None


def _uses_outside(body: Any, loop: Any, var: Any) -> bool:
    """Whether `var` is used in `body` outside `loop`."""
    rest = tir.rewrite(body, lambda s: tir.evaluate(tir.const(0, "int32")) if s.same_as(loop)
                       else s, types=tir.For)
    return _uses(rest, var)
