"""Tile operations with TileLang's exact encoding: copy, gemm, fill/clear, reduce_*.

Each op becomes one statement `Evaluate(tl.tileop.<op>(...))` wrapped in
`AttrStmt(0, "tt.source_line", "kernel.py:14")`. Operands are `tl.region(buf[mins],
access, *extents)` with access 1 = read, 2 = write, 3 = read-write.
"""

from __future__ import annotations

import enum
from typing import Any

from tvm.script import tirx as _T
from tvm.script.ir_builder import IRBuilder

from tt_ir import tir
from tt_ir.language._build import alloc_fragment, fail


class GemmWarpPolicy(enum.IntEnum):
    """TileLang's warp partition policy (kept for source compatibility; unused on TT)."""

    Square = 0
    FullRow = 1
    FullCol = 2


def _emit(call: Any) -> None:
    line = tir.current_parse_line()
    if line is None:
        _T.evaluate(call)
        return
    with _T.attr(0, tir.SOURCE_LINE_KEY, line):
        _T.evaluate(call)


def _operand(x: Any, op: str, role: str) -> tuple[Any, list, list | None]:
    """(buffer, mins, extents or None for a single-element corner `A[i, j]`)."""
    if tir.is_buffer(x):
        return x, [tir.const(0) for _ in x.shape], list(x.shape)
    if isinstance(x, tir.TensorLoad):
        return x.source, list(x.indices), None
    if isinstance(x, tir.TensorRegion):
        return x.source, [r.min for r in x.region], [r.extent for r in x.region]
    raise fail(f"T.{op}: {role} must be a buffer, a corner element like A[i, j] or a slice "
               f"like A[i:i + m, :]; got {type(x).__name__} {x!r}")


def _fmt(extents: list) -> str:
    vals = [tir.as_int(e) for e in extents]
    return "(" + ", ".join(str(v if v is not None else e) for v, e in zip(vals, extents)) + ")"


def _strip_units(extents: list) -> list:
    """The extents without unit dims (a [B, S, H, D] slice (1, 64, 1, 64) copies a (64, 64)
    block, as in TileLang)."""
    out = [e for e in extents if tir.as_int(e) != 1]
    return out or [tir.const(1)]


def _same_extents(a: list, b: list) -> bool:
    a, b = _strip_units(a), _strip_units(b)
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        xi, yi = tir.as_int(x), tir.as_int(y)
        if xi is not None and yi is not None and xi != yi:
            return False
    return True


def _fit(extents: list, ndim: int, op: str, role: str, buf: Any) -> list:
    """Extents for a corner operand of rank `ndim`: pad with leading 1s or drop leading 1s."""
    ext = list(extents)
    while len(ext) > ndim and tir.as_int(ext[0]) == 1:
        ext.pop(0)
    if len(ext) > ndim:
        raise fail(f"T.{op}: {role} {buf.name} has {ndim} dimensions but the copied tile "
                   f"{_fmt(extents)} has {len(ext)}")
    return [tir.const(1)] * (ndim - len(ext)) + ext


def copy(src: Any, dst: Any, **_options: Any) -> None:
    """`T.copy(src, dst)`: src/dst are buffers, corners `A[i, j]` or slices."""
    sbuf, smins, sext = _operand(src, "copy", "source")
    dbuf, dmins, dext = _operand(dst, "copy", "destination")
    if sext is None and dext is None:
        raise fail(f"T.copy: cannot deduce the tile shape: both {sbuf.name} and {dbuf.name} "
                   "are single elements; pass a buffer or a slice on one side")
    if sext is None:
        sext = _fit(dext, len(smins), "copy", "source", sbuf)
    elif dext is None:
        dext = _fit(sext, len(dmins), "copy", "destination", dbuf)
    elif not _same_extents(sext, dext):
        raise fail(f"T.copy: source {sbuf.name} tile shape {_fmt(sext)} does not match "
                   f"destination {dbuf.name} tile shape {_fmt(dext)}")
    _emit(tir.call_intrin("handle", "tl.tileop.copy",
                          tir.make_region(sbuf, smins, sext, tir.ACCESS_READ),
                          tir.make_region(dbuf, dmins, dext, tir.ACCESS_WRITE)))


def _whole(x: Any, op: str, role: str) -> tuple[Any, list, list]:
    buf, mins, ext = _operand(x, op, role)
    if ext is None:
        ext = [tir.const(1) for _ in mins]
    return buf, mins, ext


def _check_dim(op: str, what: str, a: Any, b: Any, shapes: str) -> None:
    ai, bi = tir.as_int(a), tir.as_int(b)
    if ai is not None and bi is not None and ai != bi:
        raise fail(f"T.{op}: {what} mismatch ({ai} vs {bi}); {shapes}")


def gemm(A: Any, B: Any, C: Any, transpose_A: bool = False, transpose_B: bool = False,
         policy: Any = GemmWarpPolicy.Square, clear_accum: bool = False, k_pack: int = 1,
         wg_wait: int = 0, mbar: Any = None) -> None:
    """`T.gemm(A, B, C, transpose_A, transpose_B, policy, clear_accum)`: C (+)= op(A) @ op(B)."""
    abuf, amins, aext = _whole(A, "gemm", "A")
    bbuf, bmins, bext = _whole(B, "gemm", "B")
    cbuf, cmins, cext = _whole(C, "gemm", "C")
    shapes = (f"A {abuf.name} {_fmt(aext)}{' (transposed)' if transpose_A else ''}, "
              f"B {bbuf.name} {_fmt(bext)}{' (transposed)' if transpose_B else ''}, "
              f"C {cbuf.name} {_fmt(cext)}")
    if len(cext) != 2 or len(aext) < 2 or len(bext) < 2:
        raise fail(f"T.gemm: C must be 2-D and A, B at least 2-D; {shapes}")
    M, N = cext
    M_A, K = (aext[-1], aext[-2]) if transpose_A else (aext[-2], aext[-1])
    K_B, N_B = (bext[-1], bext[-2]) if transpose_B else (bext[-2], bext[-1])
    _check_dim("gemm", "K", K, K_B, shapes)
    _check_dim("gemm", "M", M_A, M, shapes)
    _check_dim("gemm", "N", N_B, N, shapes)
    c_access = tir.ACCESS_WRITE if clear_accum else tir.ACCESS_READ_WRITE
    _emit(tir.call_intrin(
        "handle", "tl.tileop.gemm",
        tir.make_region(abuf, amins, aext, tir.ACCESS_READ),
        tir.make_region(bbuf, bmins, bext, tir.ACCESS_READ),
        tir.make_region(cbuf, cmins, cext, c_access),
        tir.const(bool(transpose_A)), tir.const(bool(transpose_B)),
        M, N, K, tir.const(int(policy)), tir.const(bool(clear_accum)),
        tir.const(0), cmins[0], cmins[1]))


def fill(buffer: Any, value: Any) -> None:
    """`T.fill(buf, v)`: every element of buf (a buffer or a slice) := v."""
    buf, mins, ext = _whole(buffer, "fill", "buffer")
    _emit(tir.call_intrin("handle", "tl.tileop.fill",
                          tir.make_region(buf, mins, ext, tir.ACCESS_WRITE), tir.convert(value)))


def clear(buffer: Any) -> None:
    """`T.clear(buf)` == `T.fill(buf, 0)`."""
    fill(buffer, 0)


def _reduce_call(src: Any, dst: Any, kind: str, dim: int, clear_: bool) -> Any:
    sbuf, smins, sext = _whole(src, "reduce", "source")
    dbuf, dmins, dext = _whole(dst, "reduce", "destination")
    return tir.call_intrin("handle", "tl.tileop.reduce",
                           tir.make_region(sbuf, smins, sext, tir.ACCESS_READ),
                           tir.make_region(dbuf, dmins, dext, tir.ACCESS_WRITE),
                           tir.StringImm(kind), tir.const(int(dim)), tir.const(bool(clear_)))


def _frag_copy(buf: Any, suffix: str) -> Any:
    frag = alloc_fragment(tuple(buf.shape), str(buf.dtype))
    IRBuilder.name(f"{buf.name}{suffix}", frag)
    return frag


def reduce(buffer: Any, out: Any, reduce_type: str, dim: int, clear: bool) -> None:
    """`tl.tileop.reduce(src, dst, kind, dim, clear)`; shared operands go through fragments."""
    sbuf = tir.buffer_of(buffer) if not tir.is_buffer(buffer) else buffer
    dbuf = tir.buffer_of(out) if not tir.is_buffer(out) else out
    sshape, dshape = [tir.as_int(s) for s in sbuf.shape], [tir.as_int(s) for s in dbuf.shape]
    if not 0 <= dim < len(sshape):
        raise fail(f"T.reduce_{reduce_type}: dim {dim} out of range for {sbuf.name} {_fmt(list(sbuf.shape))}")
    expected = [sshape[:dim] + sshape[dim + 1:], sshape[:dim] + [1] + sshape[dim + 1:]]
    if dshape not in expected:
        raise fail(f"T.reduce_{reduce_type}: output {dbuf.name} shape {_fmt(list(dbuf.shape))} "
                   f"does not fit input {sbuf.name} {_fmt(list(sbuf.shape))} reduced over dim "
                   f"{dim}; expected {tuple(expected[0])} or {tuple(expected[1])}")
    src_shared = tir.scope_of(sbuf).startswith("shared")
    dst_shared = tir.scope_of(dbuf).startswith("shared")
    src, dst = buffer, out
    if src_shared:
        src = _frag_copy(sbuf, "_frag")
    if dst_shared:
        dst = _frag_copy(dbuf, "_frag")
        if not clear:
            copy(out, dst)
    if src_shared:
        copy(buffer, src)
    _emit(_reduce_call(src, dst, reduce_type, dim, clear))
    if dst_shared:
        copy(dst, out)


def _dim(buffer: Any, dim: int) -> int:
    buf = buffer if tir.is_buffer(buffer) else tir.buffer_of(buffer)
    return dim + len(buf.shape) if dim < 0 else dim


def _gpu_reduce_options(kind: str, batch: Any, nan_propagate: bool, annotations: Any) -> None:
    """TileLang's GPU controls of a reduction: `batch` (output elements per warp AllReduce,
    sharing barriers) and `annotations` (CUDA lowering switches) mean nothing for the tile
    engines and are accepted; `nan_propagate=True` (CUDA's __hmax_nan) is refused, since the
    NaN behaviour of the Tensix max reduction is not modelled."""
    if not isinstance(batch, int) or isinstance(batch, bool) or batch < 1:
        raise fail(f"T.reduce_{kind}: batch must be an int >= 1, got {batch!r}")
    if annotations is not None and not isinstance(annotations, dict):
        raise fail(f"T.reduce_{kind}: annotations must be a dict, got {type(annotations).__name__}")
    if nan_propagate:
        raise fail(f"T.reduce_{kind}(nan_propagate=True): how the Tensix max/min reduction treats "
                   "NaN is not modelled by this compiler, so NaN propagation cannot be promised; "
                   "leave nan_propagate at False, or test for NaN on the host")


def reduce_max(buffer: Any, out: Any, dim: int = -1, clear: bool = True, batch: int = 1,
               nan_propagate: bool = False, annotations: Any = None) -> None:
    """out[...] = max over `dim` of buffer (clear=False: max with out's old value)."""
    _gpu_reduce_options("max", batch, nan_propagate, annotations)
    reduce(buffer, out, "max", _dim(buffer, dim), clear)


def reduce_min(buffer: Any, out: Any, dim: int = -1, clear: bool = True, batch: int = 1,
               nan_propagate: bool = False, annotations: Any = None) -> None:
    """out[...] = min over `dim` of buffer."""
    _gpu_reduce_options("min", batch, nan_propagate, annotations)
    reduce(buffer, out, "min", _dim(buffer, dim), clear)


def reduce_sum(buffer: Any, out: Any, dim: int = -1, clear: bool = True, batch: int = 1,
               annotations: Any = None) -> None:
    """out[...] = sum over `dim` of buffer (clear=False: accumulate into out)."""
    _gpu_reduce_options("sum", batch, False, annotations)
    reduce(buffer, out, "sum", _dim(buffer, dim), clear)


def reduce_abssum(buffer: Any, out: Any, dim: int = -1, batch: int = 1,
                  annotations: Any = None) -> None:
    """out[...] = sum of |x| over `dim`."""
    _gpu_reduce_options("abssum", batch, False, annotations)
    reduce(buffer, out, "abssum", _dim(buffer, dim), True)


def reduce_absmax(buffer: Any, out: Any, dim: int = -1, clear: bool = True, batch: int = 1,
                  nan_propagate: bool = False, annotations: Any = None) -> None:
    """out[...] = max of |x| over `dim`."""
    _gpu_reduce_options("absmax", batch, nan_propagate, annotations)
    reduce(buffer, out, "absmax", _dim(buffer, dim), clear)


def im2col(img: Any, col: Any, nhw_step: Any, c_step: Any, kernel: int, stride: int = 1,
           dilation: int = 1, pad: int = 0, eviction_policy: Any = None,
           annotations: Any = None) -> None:
    """`T.im2col(img, col, nhw_step, c_step, kernel, stride, dilation, pad)`: the
    (block_M, block_K) block of a 2-D convolution's im2col matrix of the NHWC tensor `img`
    into `col`, as TileLang encodes it: row i is output pixel `nhw_step * block_M + i`
    (n, oh, ow in C order), column j is `c_step * block_K + j` = (kh * kernel + kw) * C + c;
    the element is img[n, oh * stride + kh * dilation - pad, ow * stride + kw * dilation - pad,
    c], zero outside the image. `eviction_policy` and `annotations` mean nothing here."""
    ibuf, imins, iext = _whole(img, "im2col", "image")
    cbuf, cmins, cext = _whole(col, "im2col", "column block")
    if len(ibuf.shape) != 4:
        raise fail(f"T.im2col: the image {ibuf.name} must be a 4-D NHWC tensor, got "
                   f"{_fmt(list(ibuf.shape))}")
    if len(cext) != 2:
        raise fail(f"T.im2col: the column block {cbuf.name} must be 2-D (block_M, block_K), got "
                   f"{_fmt(cext)}")
    _emit(tir.call_intrin("handle", "tl.tileop.im2col",
                          tir.make_region(ibuf, imins, iext, tir.ACCESS_READ),
                          tir.make_region(cbuf, cmins, cext, tir.ACCESS_WRITE),
                          tir.convert(nhw_step), tir.convert(c_step), tir.convert(kernel),
                          tir.convert(stride), tir.convert(dilation), tir.convert(pad),
                          tir.const(0)))


c2d_im2col = im2col


def transpose(src: Any, dst: Any) -> None:
    """`T.transpose(src, dst)`: dst[i, j] = src[j, i] over a whole (h, w) dst and (w, h) src,
    written as the T.Parallel nest the pipeline lowers to a tile transpose."""
    sbuf, dbuf = (x if tir.is_buffer(x) else tir.buffer_of(x) for x in (src, dst))
    ss, ds = [tir.as_int(d) for d in sbuf.shape], [tir.as_int(d) for d in dbuf.shape]
    if len(ss) != 2 or len(ds) != 2 or ss != ds[::-1]:
        raise fail(f"T.transpose: {dbuf.name} {_fmt(list(dbuf.shape))} must be {sbuf.name} "
                   f"{_fmt(list(sbuf.shape))} transposed (both 2-D)")
    with _T.parallel(0, ds[0]) as i:
        with _T.parallel(0, ds[1]) as j:
            _T.buffer_store(dbuf, tir.load(sbuf, [j, i]), [i, j])


def reshape(src: Any, shape: Any) -> Any:
    """`T.reshape(X, shape)` of a tensor: a view of its data with the new shape (the pipeline
    resolves views that keep the last dim and fold the leading ones). On-chip buffers cannot
    be reshaped: their tiles have a fixed 32 x 32 layout."""
    return view(src, shape)


def view(src: Any, shape: Any = None, dtype: Any = None) -> Any:
    """`T.view(X, shape, dtype)` of a tensor: its data seen with another shape (same dtype)."""
    buf = src if tir.is_buffer(src) else tir.buffer_of(src)
    if tir.scope_of(buf) != "global":
        raise fail(f"T.reshape / T.view of on-chip buffer {buf.name}: its tiles have a fixed "
                   "32 x 32 layout, so it cannot be seen with another shape; reshape the tensor "
                   "(T.reshape(X, ...) of a kernel parameter) or copy into a buffer of the new shape")
    shape = list(buf.shape) if shape is None else list(shape)
    return _T.decl_buffer(shape, str(dtype or buf.dtype), data=buf.data)


def _whole_block(x: Any, role: str) -> Any:
    """The buffer a scan operand names, which must be all of it (a scan of part of a block
    would need a GEMM over part of its tiles)."""
    buf, mins, ext = _operand(x, "cumsum", role)
    if ext is None or any(tir.as_int(m) != 0 for m in mins) \
            or [tir.as_int(e) for e in ext] != [tir.as_int(d) for d in buf.shape]:
        where = _fmt(ext) if ext is not None else "one element"
        raise fail(f"T.cumsum: {role} is {where} of {buf.name} {_fmt(list(buf.shape))}; a scan takes a "
                   "whole block: copy the part into a block of its own shape and scan that")
    return buf


def cumsum(src: Any, dst: Any = None, dim: int = 0, reverse: bool = False,
           annotations: Any = None) -> None:
    """`T.cumsum(src, dst=None, dim=0, reverse=False)`: inclusive prefix sums of a 2-D on-chip
    block along `dim`, or of a vector (reverse: from the end), into `dst` (default: `src`).

    No Tensix engine scans, but a prefix sum is a product with a triangle of ones, which the
    FPU does as a GEMM: along dim 1, dst = src @ U with U[k, j] = 1 where k <= j (k >= j
    reversed); along dim 0, dst = L @ src with L[i, k] = 1 where k <= i (k >= i reversed). The
    triangle is an index mask the reader generates, the sums accumulate in float32 and are
    rounded once to dst's dtype. A vector is broadcast into the 32 rows of a block, scanned
    as one, and taken back as the rows' maximum (they are equal)."""
    if annotations is not None and not isinstance(annotations, dict):
        raise fail(f"T.cumsum: annotations must be a dict, got {type(annotations).__name__}")
    sbuf = _whole_block(src, "src")
    dbuf = sbuf if dst is None else _whole_block(dst, "dst")
    shape = [tir.as_int(d) for d in sbuf.shape]
    if not isinstance(dim, int) or isinstance(dim, bool) or not -len(shape) <= dim < len(shape):
        raise fail(f"T.cumsum: dim {dim!r} is out of range for {sbuf.name} {_fmt(list(sbuf.shape))}")
    dim = dim + len(shape) if dim < 0 else dim
    if len(shape) not in (1, 2) or any(n is None or n % 32 for n in shape):
        raise fail(f"T.cumsum: {sbuf.name} {_fmt(list(sbuf.shape))} must be a vector or a 2-D block "
                   "whose sides are multiples of 32 (the scan is a GEMM with a triangle of ones, in "
                   "whole 32x32 tiles); scan a (bm, bn) block, e.g. 32 rows at a time")
    if [tir.as_int(d) for d in dbuf.shape] != shape:
        raise fail(f"T.cumsum: dst {dbuf.name} {_fmt(list(dbuf.shape))} must have the shape of src "
                   f"{sbuf.name} {_fmt(list(sbuf.shape))}")
    for buf in (sbuf, dbuf):
        if tir.scope_of(buf) == "global":
            raise fail(f"T.cumsum: {buf.name} is a tensor; T.copy its block into a shared or "
                       "fragment buffer and scan that")
    dtype = str(sbuf.dtype)
    if not dtype.startswith(("float", "bfloat")):
        raise fail(f"T.cumsum: {sbuf.name} is {dtype}; the scan runs on the FPU, in floats: copy "
                   "the block into a float32 one first (integers below 2^24 stay exact)")
    n = shape[dim]
    vector = len(shape) == 1  # scanned as the rows of a (32, n) block it is broadcast into
    tri = alloc_fragment((n, n), dtype)
    IRBuilder.name(f"{sbuf.name}_scan_ones", tri)
    with _T.parallel(0, n) as a:
        with _T.parallel(0, n) as b:
            # dim 1: tri[k, j] multiplies src[:, k] into dst[:, j]; dim 0: tri[i, k] takes src[k, :]
            # into dst[i, :]. Forward: k up to the output's index; reversed: k from it on.
            k, out = (a, b) if dim == 1 or vector else (b, a)
            keep = k >= out if reverse else k <= out
            _T.buffer_store(tri, _T.if_then_else(keep, tir.const(1.0, dtype), tir.const(0.0, dtype)), [a, b])
    if vector:
        rows = alloc_fragment((32, n), dtype)
        IRBuilder.name(f"{sbuf.name}_scan_rows", rows)
        with _T.parallel(0, 32) as i:
            with _T.parallel(0, n) as j:
                _T.buffer_store(rows, tir.load(sbuf, [j]), [i, j])
        acc = alloc_fragment((32, n), "float32")
        IRBuilder.name(f"{dbuf.name}_scan_acc", acc)
        gemm(rows, tri, acc, clear_accum=True)
        sums = alloc_fragment((n,), "float32")
        IRBuilder.name(f"{dbuf.name}_scan_sums", sums)
        reduce(acc, sums, "max", 0, True)  # the 32 rows are equal: their max is any one of them
        copy(sums, dbuf)
        return
    acc = alloc_fragment(tuple(shape), "float32")
    IRBuilder.name(f"{dbuf.name}_scan_acc", acc)
    if dim == 1:
        gemm(sbuf, tri, acc, clear_accum=True)
    else:
        gemm(tri, sbuf, acc, clear_accum=True)
    copy(acc, dbuf)


def cummax(src: Any, dst: Any = None, dim: int = 0, reverse: bool = False,
           annotations: Any = None) -> None:
    """`T.cummax`: refused (no tile engine computes a running maximum)."""
    buf = src if tir.is_buffer(src) else tir.buffer_of(src)
    raise fail(f"T.cummax({buf.name}): a running maximum has no Tenstorrent tile op (the FPU and "
               "SFPU work element by element or reduce whole rows or columns; T.cumsum is a GEMM "
               "with a triangle of ones, a maximum has no such form); compute it on the host")
