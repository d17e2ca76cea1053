"""canonicalize_tile_program's convolution gathers: `T.im2col(img, col, nhw_step, c_step,
kernel, stride, dilation, pad)` becomes a tile copy from the image's folded (N * H * W, C)
matrix into `col` that carries the gather's parameters, so that layout, CB and pipelining
decisions treat it as the copy it is (one block into one CB per loop trip); at the end of
stage C the reader lowers it to the gather (`tt.im2col_in`).

The marked copy: `tl.tileop.copy(img[0, 0, 0, 0] (1, 1, bm, bk), col, "im2col", nhw_step,
c_step, kernel, stride, dilation, pad)`."""

from __future__ import annotations

from typing import Any

from tt_ir import tir

MARK = "im2col"
TILE = 32


def is_im2col(call: Any) -> bool:
    """Whether a `tl.tileop.copy` is a gather this module made."""
    return len(call.args) > 2 and isinstance(call.args[2], tir.StringImm) \
        and call.args[2].value == MARK


def params(call: Any) -> tuple:
    """(nhw_step, c_step, kernel, stride, dilation, pad) of a marked copy."""
    return tuple(call.args[3:9])


def im2col_as_copies(owner: Any, body: Any) -> Any:
    def visit(s: Any) -> Any:
        call = s.value if isinstance(s, tir.Evaluate) else None
        if call is None or not tir.is_call(call, "tl.tileop.im2col"):
            return s
        img, col = tir.decode_region(call.args[0]), tir.decode_region(call.args[1])
        nhw, cstep, kernel, stride, dilation, pad = call.args[2:8]
        _check(owner, img.buffer, col, [kernel, stride, dilation, pad])
        bm, bk = col.static_extents
        zero, one = tir.const(0, "int32"), tir.const(1, "int32")
        src = tir.make_region(img.buffer, [zero] * 4, [one, one, tir.const(bm, "int32"),
                                                       tir.const(bk, "int32")], tir.ACCESS_READ)
        return tir.evaluate(tir.call_intrin("handle", "tl.tileop.copy", src, call.args[1],
                                            tir.StringImm(MARK), nhw, cstep, kernel, stride,
                                            dilation, pad))

    return tir.rewrite(body, visit, types=tir.Evaluate)


def _check(owner: Any, img: Any, col: Any, scalars: list) -> None:
    shape = [tir.as_int(d) for d in img.shape]
    ext = col.static_extents
    name = str(col.buffer.name)
    what = f"T.im2col({img.name}, {name})"
    if any(tir.as_int(x) is None for x in scalars) or None in shape + ext:
        raise owner.error(f"{what}: the image shape, block and kernel, stride, dilation and "
                          "padding must be numbers", obj=f"buffer '{name}'")
    if ext[0] % TILE or ext[1] % TILE:
        raise owner.error(f"{what}: the column block {tuple(ext)} must be whole 32 x 32 tiles",
                          obj=f"buffer '{name}'", numbers={"block": ext},
                          hint="use block_M and block_K multiples of 32")
    channels = shape[3]
    if channels % ext[1]:
        raise owner.error(f"{what}: the image's {channels} channels are not a multiple of "
                          f"block_K = {ext[1]} (each K block must lie in one kernel position)",
                          obj=f"buffer '{name}'", numbers={"C": channels, "block_K": ext[1]},
                          hint="pick block_K dividing C (and a multiple of 32), or pad C")
