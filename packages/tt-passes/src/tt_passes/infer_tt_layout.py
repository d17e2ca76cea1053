"""infer_tt_layout: a DRAM layout for every global tensor of the kernel.

Requires: one TileLang-form PrimFunc (tensor parameters are Buffers, tile ops
`tl.tileop.*` with `tl.region` operands).
Rewrites: nothing in the body.
Guarantees: module attribute `tt.buffers` = one `BufferInfo` per tensor parameter in
signature order (role input/output, dtype and TT data format, tile grid, page = one
32x32 tile, DRAM interleaved) and `tt.kernel_name`.
A rank-1 tensor of length L is one row of L/32 tiles (values in row 0 of each tile; the
host program pads the other rows).
Refuses: dtypes other than bfloat16/float16/float32; tensors whose last two dims (rank 1:
whose length) are not multiples of 32; layouts other than DRAM interleaved (user
layouts from `T.annotate_layout` are read, and refused if sharded or in L1).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import Any

from tt_ir import dtypes, tir
from tt_passes import _meta
from tt_passes._base import TTPass, kernel_func

SUPPORTED_DTYPES = ("bfloat16", "float16", "float32")
TILE = 32


# --- collect ---------------------------------------------------------------------
def written_buffers(body: Any) -> set:
    """Names of global buffers written by a tile copy or a store."""
    out: set = set()

    def visit(node: Any) -> None:
        if tir.is_call(node, "tl.tileop.copy"):
            buf = tir.decode_region(node.args[1]).buffer
        elif isinstance(node, tir.BufferStore):
            buf = node.buffer
        else:
            return
        if tir.scope_of(buf) == "global":
            out.add(str(buf.name))

    tir.walk(body, visit)
    return out


def first_use_lines(body: Any) -> dict:
    """{buffer name: source line of its first tile op} (for error messages)."""
    lines: dict = {}
    for call, line in tir.tile_op_sites(body):
        for arg in call.args:
            if tir.is_call(arg, "tl.region"):
                lines.setdefault(str(tir.decode_region(arg).buffer.name), line)
    return lines


# --- decide ----------------------------------------------------------------------
def tile_grid(shape: list) -> list:
    """[rows/32, cols/32] with the outer dims folded into the rows; a rank-1 tensor is one
    row of tiles (its values in row 0 of each, the rest padding)."""
    if len(shape) == 1:
        return [1, shape[0] // TILE]
    return [prod(shape[:-1]) // TILE, shape[-1] // TILE]


# --- pass ------------------------------------------------------------------------
@dataclass
class InferTTLayout(TTPass):
    name = "infer_tt_layout"

    def run(self, mod: Any) -> Any:
        gv, func = kernel_func(mod)
        written = written_buffers(func.body)
        lines = first_use_lines(func.body)
        layouts = tir.get_attr(func, "tt.layouts", {}) or {}
        infos = []
        for param in func.params:
            if tir.is_buffer(param):
                infos.append(self._info(param, len(infos), written, lines, layouts))
        name = tir.get_attr(func, "global_symbol") or str(gv.name_hint)
        mod = _meta.put(mod, _meta.BUFFERS, infos)
        return _meta.put(mod, _meta.KERNEL_NAME, name)

    def _info(self, buf: Any, index: int, written: set, lines: dict, layouts: dict) -> Any:
        name = str(buf.name)
        line = lines.get(name)
        dtype = str(buf.dtype)
        if dtype not in SUPPORTED_DTYPES:
            raise self.error(f"dtype {dtype} is not supported", obj=f"buffer '{name}'",
                             numbers={"dtype": dtype}, source_line=line,
                             hint=f"use one of {', '.join(SUPPORTED_DTYPES)}")
        shape = [tir.as_int(d) for d in buf.shape]
        self._check_shape(name, shape, line)
        self._check_layout(name, layouts.get(name), line)
        fmt = dtypes.data_format(dtype)
        tiles = tile_grid(shape)
        return _meta.BufferInfo(
            name=name, index=index, role="output" if name in written else "input",
            shape=shape, dtype=dtype, data_format=fmt, page_size=dtypes.tile_bytes(fmt),
            num_pages=tiles[0] * tiles[1], tiles=tiles)

    def _check_shape(self, name: str, shape: list, line: str | None) -> None:
        if any(d is None for d in shape):
            raise self.error("symbolic shapes are not supported", obj=f"buffer '{name}'",
                             source_line=line, hint="bind every dimension to a number")
        if len(shape) == 1 and shape[0] % TILE:
            raise self.error(f"shape {shape}: a rank-1 tensor's length must be a multiple of 32",
                             obj=f"buffer '{name}'", numbers={"shape": shape,
                                                              "remainder": shape[0] % TILE},
                             source_line=line, hint="pad the tensor to a multiple of 32")
        bad = [d for d in shape[-2:] if d % TILE] if len(shape) > 1 else []
        if bad:
            raise self.error(f"shape {shape}: the last two dims must be multiples of 32",
                             obj=f"buffer '{name}'",
                             numbers={"shape": shape, "remainders": [d % TILE for d in shape[-2:]]},
                             source_line=line,
                             hint="pad the tensor to a multiple of 32 (32x32 tiles)")

    def _check_layout(self, name: str, layout: dict | None, line: str | None) -> None:
        if not layout:
            return
        memory, kind = layout.get("memory", "dram"), layout.get("kind", "interleaved")
        if (memory, kind) != ("dram", "interleaved"):
            raise self.error(f"layout {memory}/{kind} is not supported yet",
                             obj=f"buffer '{name}'", source_line=line,
                             hint="use the default DRAM interleaved layout")


def infer_tt_layout() -> Any:
    """The `infer_tt_layout` pass as a TVM pass."""
    return InferTTLayout().as_tvm_pass()
