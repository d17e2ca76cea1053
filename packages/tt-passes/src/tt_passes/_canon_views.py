"""canonicalize_tile_program's tensor views: `T.Tensor(shape, dtype, X.data)` declared in the
body (a convolution's `(KH * KW * C, F)` view of its `(KH, KW, C, F)` weights) resolved into
accesses of the tensor itself.

A tensor of rank 3 or 4 is stored as one 2-D matrix of tiles, its leading dims folded into
rows in C order, so a view that keeps the last dim and folds the leading ones is that same
matrix: `V[r, c]` is `X[0, ..., 0, r, c]` with the whole folded row in the row dim (the
pipeline folds leading indices back into `r`)."""

from __future__ import annotations

import math
from typing import Any

from tt_ir import tir


def _shape(buf: Any) -> list:
    return [tir.as_int(d) for d in buf.shape]


def views_of(func: Any) -> dict:
    """{view Buffer: tensor Buffer} of the views of `func`'s tensor parameters."""
    out = {}
    for decl in tir.collect(func.body, tir.DeclBuffer):
        data = decl.data  # `X.data`: tirx.buffer_data(X)
        if tir.is_call(data, "tirx.buffer_data") and tir.scope_of(data.args[0]) == "global":
            base = data.args[0]
            if any(base.same_as(p) for p in func.params):
                out[decl.buffer] = base
    return out


def check_view(owner: Any, view: Any, base: Any) -> None:
    vs, bs = _shape(view), _shape(base)
    name, bname = str(view.name), str(base.name)
    fits = None not in vs + bs and len(vs) >= 2 and vs[-1] == bs[-1] \
        and math.prod(vs[:-1]) == math.prod(bs[:-1]) and str(view.dtype) == str(base.dtype)
    if not fits:
        raise owner.error(f"view '{name}' {tuple(vs)} {view.dtype} of tensor '{bname}' "
                          f"{tuple(bs)} {base.dtype} is not supported", obj=f"buffer '{name}'",
                          numbers={"view": vs, "tensor": bs},
                          hint="a view must keep the tensor's dtype and last dim and fold its "
                               "leading dims (e.g. (KH * KW * C, F) of a (KH, KW, C, F) tensor)")


def _fold(view: Any, base: Any, idx: list) -> list:
    """The base tensor's indices of view element `idx`: the view's leading indices folded
    into one row, placed in the base's row dim (its other leading dims 0)."""
    shape = _shape(view)
    row = idx[0]
    for i, n in zip(idx[1:-1], shape[1:-1]):
        row = row * n + i
    zero = tir.const(0, tir.dtype_of(row))
    return [zero] * (len(base.shape) - 2) + [row, idx[-1]]


def resolve_views(owner: Any, func: Any) -> Any:
    """`func`'s body with each view's accesses on its tensor and the view declarations gone."""
    views = views_of(func)
    if not views:
        return func.body
    for view, base in views.items():
        check_view(owner, view, base)

    def base_of(buf: Any) -> Any:
        return next((b for v, b in views.items() if v.same_as(buf)), None)

    def region(call: Any) -> Any:
        if not tir.is_call(call, "tl.region"):
            return call
        r = tir.decode_region(call)
        base = base_of(r.buffer)
        if base is None:
            return call
        ext = list(r.extents)
        if any(tir.as_int(e) != 1 for e in ext[:-2]):
            raise owner.error(f"a copy of view '{r.buffer.name}' must take one index of each "
                              "leading dim but the last two", obj=f"buffer '{r.buffer.name}'")
        one = tir.const(1, "int32")
        extents = [one] * (len(base.shape) - 2) + ext[-2:]
        return tir.make_region(base, _fold(r.buffer, base, list(r.mins)), extents, r.access)

    def access(x: Any) -> Any:
        if isinstance(x, tir.TensorLoad) and base_of(x.source) is not None:
            base = base_of(x.source)
            return tir.load(base, _fold(x.source, base, list(x.indices)))
        if isinstance(x, tir.BufferStore) and base_of(x.buffer) is not None:
            base = base_of(x.buffer)
            return tir.BufferStore(base, x.value, _fold(x.buffer, base, list(x.indices)))
        if isinstance(x, tir.DeclBuffer) and base_of(x.buffer) is not None:
            return tir.evaluate(tir.const(0, "int32"))
        return x

    body = tir.rewrite(func.body, region, types=tir.Call)
    return tir.rewrite(body, access, types=(tir.TensorLoad, tir.BufferStore, tir.DeclBuffer))
