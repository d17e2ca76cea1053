"""infer_tt_layout: a DRAM layout for every global tensor of the kernel.

Requires: one TileLang-form PrimFunc (tensor parameters are Buffers, tile ops
`tl.tileop.*` with `tl.region` operands).
Rewrites: nothing in the body, unless tensor dims are runtime sizes (`T.dynamic`): then each
size `m` becomes `granule * m_div<granule>` everywhere (shapes, launch and loop extents,
indices; see `_sizes`), and module attribute `tt.sizes` lists the sizes (name, granule, unit,
the input dim the host reads it from). Sizes the kernels cannot take (an on-chip shape, a
value, a dim that is an expression of sizes) are refused here.
Guarantees: module attribute `tt.buffers` = one `BufferInfo` per tensor parameter in
signature order (role input/output, or inout when the kernel reads and writes it, dtype and TT data format, tile grid, page = one
32x32 tile, DRAM interleaved) and `tt.kernel_name`.
A rank >= 3 tensor is a stack of 2-D tile matrices (rows: the second last dim, columns: the
last), unless its copies all take their rows from another dim (`Q[bz, r:r + bm, by, :]` of a
[B, S, H, D] tensor): then that dim gives the rows (`row_dim`) and the host stores the tensor
as [B, H, S, D] matrices (the other leading dims in order, then the row dim).
A rank-1 tensor of length L is one row of L/32 tiles (values in row 0 of each tile; the
host program pads the other rows).
Tensors of rank 1 and 2 may have any size: the last tile row and column are padded (the host
fills zeros, as TileLang's T.copy reads past a tensor's edge; the writer's extra elements are
dropped); so may the last dim of larger ranks.
Refuses: dtypes other than bfloat16/float16/float32; rank >= 3 tensors whose row dim (the
second last, or `row_dim`) is not a multiple of 32; layouts other than DRAM interleaved (user
layouts from `T.annotate_layout` are read, and refused if sharded or in L1).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import Any

from tt_ir import dtypes, tir
from tt_passes import _meta, _sizes
from tt_passes._base import TTPass, kernel_func, replace_func

SUPPORTED_DTYPES = ("bfloat16", "float16", "float32", "int32", "int8", "uint8")
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


def read_buffers(body: Any) -> set:
    """Names of global buffers read: a tile copy's source, or a load in a stored value."""
    bufs = [tir.decode_region(c.args[0]).buffer for c in tir.collect(body, tir.Call)
            if tir.is_call(c, "tl.tileop.copy")]
    for store in tir.collect(body, tir.BufferStore):
        bufs += [x.source for x in tir.collect(store.value, tir.TensorLoad)]
    return {str(b.name) for b in bufs if tir.scope_of(b) == "global"}


def first_use_lines(body: Any) -> dict:
    """{buffer name: source line of its first tile op} (for error messages)."""
    lines: dict = {}
    for call, line in tir.tile_op_sites(body):
        for arg in call.args:
            if tir.is_call(arg, "tl.region"):
                lines.setdefault(str(tir.decode_region(arg).buffer.name), line)
    return lines


# --- decide ----------------------------------------------------------------------
def row_dims(body: Any) -> dict:
    """{tensor name: the dim its tile copies take rows from}, for rank >= 3 tensors whose
    copies all slice one leading dim other than the second last (`Q[bz, r:r + bm, by, :]` of a
    [B, S, H, D] tensor: dim 1); the others take their rows from the second last dim."""
    seen: dict = {}
    for call in tir.collect(body, tir.Call):
        if not tir.is_call(call, "tl.tileop.copy"):
            continue
        for arg in call.args[:2]:
            region = tir.decode_region(arg)
            rank = len(region.buffer.shape)
            if tir.scope_of(region.buffer) != "global" or rank < 3:
                continue
            wide = [d for d, e in enumerate(region.static_extents[:-1]) if e != 1]
            row = wide[0] if len(wide) == 1 else rank - 2
            seen.setdefault(str(region.buffer.name), set()).add((row, rank))
    return {name: next(iter(rows))[0] for name, rows in seen.items()
            if len(rows) == 1 and next(iter(rows))[0] != next(iter(rows))[1] - 2}


def flat_tensors(body: Any) -> set:
    """Names of rank >= 3 tensors accessed only as their folded 2-D matrix: every index
    before the second last is 0 (views `T.Tensor((N * H * W, C), ..., X.data)` and im2col
    gathers, after canonicalize_tile_program). Their rows need not fill whole tiles per
    matrix: the folded matrix is padded once, at its end."""
    flat: dict = {}

    def note(buf: Any, idx: list) -> None:
        rank = len(buf.shape)
        if tir.scope_of(buf) != "global" or rank < 3:
            return
        name = str(buf.name)
        flat[name] = flat.get(name, True) and all(tir.as_int(i) == 0 for i in idx[:rank - 2])

    for call in tir.collect(body, tir.Call):
        if tir.is_call(call, "tl.tileop.copy"):
            for arg in call.args[:2]:
                region = tir.decode_region(arg)
                note(region.buffer, list(region.mins))
    for load in tir.collect(body, tir.TensorLoad):
        note(load.source, list(load.indices))
    for store in tir.collect(body, tir.BufferStore):
        note(store.buffer, list(store.indices))
    return {name for name, ok in flat.items() if ok}


def tile_grid(shape: list) -> list:
    """[rows/32, cols/32] with the outer dims folded into the rows; a rank-1 tensor is one
    row of tiles (its values in row 0 of each, the rest padding). Runtime sizes (plan
    monomials, see `_sizes`) give monomials; None where a count is not one."""
    if all(isinstance(d, int) for d in shape):
        if len(shape) == 1:
            return [1, -(-shape[0] // TILE)]
        return [-(-prod(shape[:-1]) // TILE), -(-shape[-1] // TILE)]
    rows = _sizes.mul(*shape[:-1]) if len(shape) > 1 else (TILE, ())
    out = []
    for n in (rows, _sizes.mono(shape[-1])):
        out.append(-(-n[0] // TILE) if not n[1] else _sizes.div_exact(n, TILE))
    return [x if x is None or isinstance(x, int) else _sizes.plan_value(x) for x in out]


def _dtype_hint(dtype: str) -> str:
    supported = f"use one of {', '.join(SUPPORTED_DTYPES)}"
    if dtype.startswith(("float8", "float4", "float6")):
        return (f"Tenstorrent tiles have no {dtype} format: their 8-bit float is bfloat8_b "
                "(block float: 8-bit mantissas sharing one exponent per row of 16 values), "
                f"which this compiler does not move yet; {supported} (e.g. store the "
                "quantized values as bfloat16)")
    return supported


# --- pass ------------------------------------------------------------------------
@dataclass
class InferTTLayout(TTPass):
    name = "infer_tt_layout"

    def run(self, mod: Any) -> Any:
        gv, func = kernel_func(mod)
        written = written_buffers(func.body)
        lines = first_use_lines(func.body)
        read = read_buffers(func.body)
        for param in func.params:
            for d in (param.shape if tir.is_buffer(param) else []):
                if tir.as_int(d) is None and not isinstance(d, tir.Var):
                    raise self.error(f"dim `{d}` is an expression of runtime sizes; each dim must "
                                     "be a number or one T.dynamic size",
                                     obj=f"buffer '{param.name}'",
                                     source_line=lines.get(str(param.name)),
                                     hint="declare that dim as a size of its own")
        sizes = _sizes.size_vars(func)
        for param in func.params:
            if not tir.is_buffer(param) and not any(v.same_as(param) for v in sizes.values()):
                raise self.error(f"scalar parameter '{param.name}' ({tir.dtype_of(param)}): the "
                                 "kernels take tensors only, not values passed at call time",
                                 obj=f"parameter '{param.name}'",
                                 hint="make it a parameter of the kernel's factory (a number "
                                      "when it compiles: @tt_cli.jit compiles each value on its "
                                      "own), or a T.dynamic size of a tensor dim")
        if sizes:
            func, rows_ = self._runtime_sizes(func, sizes, read, lines)
            mod = _meta.put(replace_func(mod, gv, func), _meta.SIZES, rows_)
        layouts = tir.get_attr(func, "tt.layouts", {}) or {}
        rows = row_dims(func.body)
        flat = flat_tensors(func.body)
        infos = []
        for param in func.params:
            if tir.is_buffer(param):
                infos.append(self._info(param, len(infos), written, lines, layouts,
                                        rows.get(str(param.name)), read, flat))
        name = tir.get_attr(func, "global_symbol") or str(gv.name_hint)
        mod = _meta.put(mod, _meta.BUFFERS, infos)
        return _meta.put(mod, _meta.KERNEL_NAME, name)

    def _info(self, buf: Any, index: int, written: set, lines: dict, layouts: dict,
              row_dim: int | None, read: set = frozenset(), flat: set = frozenset()) -> Any:
        name = str(buf.name)
        line = lines.get(name)
        dtype = str(buf.dtype)
        if dtype not in SUPPORTED_DTYPES:
            raise self.error(f"dtype {dtype} is not supported", obj=f"buffer '{name}'",
                             numbers={"dtype": dtype}, source_line=line,
                             hint=_dtype_hint(dtype))
        shape = [tir.as_int(d) for d in buf.shape]
        if any(d is None for d in shape):  # runtime sizes: granule * unit monomials
            shape = [_sizes.plan_value(_sizes.of_expr(d)) for d in buf.shape]
        self._check_shape(name, shape, line, row_dim, name in flat)
        self._check_layout(name, layouts.get(name), line)
        fmt = dtypes.data_format(dtype)
        tiles = tile_grid(shape)
        if None in tiles:
            raise self.error(f"shape {shape}: with runtime sizes, the rows of a rank-"
                             f"{len(shape)} tensor must fill whole tiles", obj=f"buffer '{name}'",
                             source_line=line, hint="make the dims before the last a multiple "
                                                    "of 32, or give that size a T.const")
        return _meta.BufferInfo(
            name=name, index=index,
            role=("inout" if name in read else "output") if name in written else "input",
            shape=shape, dtype=dtype, data_format=fmt, page_size=dtypes.tile_bytes(fmt),
            num_pages=_sizes.plan_value(_sizes.mul(*tiles)), tiles=tiles, row_dim=row_dim)

    def _runtime_sizes(self, func: Any, sizes: dict, read: set, lines: dict) -> tuple:
        """`func` with every runtime size as granule * unit, and the plan's `sizes` rows."""
        grains = _sizes.granules(func, sizes)
        rows = []
        for name, var in sizes.items():
            source = next(({"buffer": str(p.name), "dim": i} for p in func.params
                           if tir.is_buffer(p) and str(p.name) in read
                           for i, d in enumerate(p.shape) if d.same_as(var)), None)
            if source is None:
                raise self.error(f"runtime size '{name}' is a dim of no input tensor, so the "
                                 "host cannot read it from the inputs", obj=f"size '{name}'",
                                 hint="make it a T.const size, or a dim of an input")
            rows.append({"name": name, "granule": grains[name],
                         "unit": _sizes.unit_name(name, grains[name]), "source": source})
        out = _sizes.rewrite(func, sizes, grains)
        bad = _sizes.misuse(out, {r["unit"] for r in rows})
        if bad is not None:
            names = ", ".join(f"'{n}'" for n in sizes)
            raise self.error(f"a runtime size ({names}) is used where the kernels cannot take it: "
                             f"{bad[0]}", obj="T.dynamic", source_line=bad[1],
                             hint="make that size a T.const (an eager @tt_cli.jit kernel compiles "
                                  "each shape on its own)")
        return out, rows

    def _check_shape(self, name: str, shape: list, line: str | None,
                     row_dim: int | None = None, flat: bool = False) -> None:
        if any(d is None for d in shape):
            raise self.error("symbolic shapes are not supported", obj=f"buffer '{name}'",
                             source_line=line, hint="bind every dimension to a number")
        if any(not isinstance(d, int) for d in shape):
            return  # runtime sizes: their granules are multiples of 32 along the tiled dims
        if len(shape) < 3 or flat:  # the last tile row / column is padded (zeros,
            return  # as T.copy reads past a tensor's edge) and the writer's extra elements dropped
        rows = row_dim if row_dim is not None else len(shape) - 2
        if shape[rows] % TILE:  # a stack of matrices: each one's rows must fill whole tiles
            which = f"dim {row_dim} (the rows its copies move)" if row_dim is not None \
                else "the second last dim"
            raise self.error(f"shape {shape}: {which} must be a multiple of 32 in a rank-"
                             f"{len(shape)} tensor (its matrices are stacked tile row by tile "
                             "row)", obj=f"buffer '{name}'",
                             numbers={"shape": shape, "remainder": shape[rows] % TILE},
                             source_line=line,
                             hint="pad that dim to a multiple of 32, or fold the tensor to 2-D")

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
