"""propagate_tt_layout: a circular-buffer descriptor for every on-chip TileLang buffer.

Requires: `infer_tt_layout` (`tt.buffers`).
Rewrites: nothing in the body.
Guarantees: module attribute `tt.cbs` = one `CBInfo` per shared/fragment buffer the kernel
uses (one it only allocates gets none) that is loaded from or stored to global memory (role input/output, data format of the
global tensor it moves, page = one tile, block and transfer-unit tile shapes, depth),
and `tt.compute_config` (math fidelity, fp32 DST accumulation, DST capacity).
Depth policy (`cb_depth`): "num_stages" puts `num_stages` blocks in an input CB that
is filled inside a `T.Pipelined` loop (1 = no overlap, 2 = double buffering, ...) and
2 blocks otherwise; an int fixes the number of blocks. Output CBs hold two DST
sub-blocks (double buffered against the writer).
Reductions (`T.reduce_sum/max`): the output CB's block is bm/32 x 1 tiles (row reduction,
values in column 0) or 1 x bn/32 (column reduction, values in row 0), `reduced` =
"row"/"col"; each reduced source gets a one-tile input CB `<src>_scaler` (same format,
`reduced` = "scaler", filled by the reader once per kernel).
A reduction output that is not copied to a tensor is used on chip (`x - max`): role
"intermediate" (compute -> compute), the whole block deep, in the reduced source's format.
A block written only by index selects (`<name>_mask`, canonicalize_tile_program) is generated
by the reader: role "input" with no tensor, two blocks deep.
A 2-D (bm, 1) / (1, bn) buffer loaded from a tensor is a vector operand, stored like a
reduction's output (column 0 of an (M, 32) tensor / row 0 of a (32, N) one): block bm/32 x 1
/ 1 x bn/32, `reduced` "row" / "col".
Refuses: TileLang tile ops the pipeline cannot lower (checked here,
before their buffers' shapes are judged); reduction sources not loaded from a tensor; on-chip buffers whose dims are not multiples of 32; buffers that never move
to or from global memory (on-chip intermediates are not supported yet).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from tt_ir import dtypes, get_arch, tir
from tt_passes import _meta
from tt_passes._base import TTPass, kernel_func
from tt_passes._canon_elements import is_elements
from tt_passes._canon_im2col import is_im2col
from tt_passes._canon_masks import index_select
from tt_passes._canon_versions import gemm_onto_values
from tt_passes.insert_dst_management import choose_subblock
from tt_passes.lower_tt_tile_intrinsics import check_tile_ops

ON_CHIP_SCOPES = ("shared", "shared.dyn", "local.fragment", "local")
TILE = 32


# --- collect ---------------------------------------------------------------------
@dataclass
class Use:
    """What the kernel does with one on-chip buffer."""

    alloc: Any
    loaded_from: str | None = None
    stored_to: str | None = None
    accumulator: bool = False
    num_stages: int = 0
    line: str | None = None
    reduced: str | None = None     # "row" / "col": the output of a T.reduce_* over dim 1 / 0
    reduce_src: bool = False       # the input of a T.reduce_*
    reduce_of: str | None = None   # a reduction output: the buffer it reduces
    computed: bool = False         # written on chip (T.Parallel, on-chip T.copy, T.fill, T.reduce_*)
    loop_carried: bool = False     # also rewritten inside a deeper loop (acc += ... over k)
    depth: int | None = None       # loop depth of its first write
    generated: bool = False        # written only by index selects (a mask the reader generates)
    onto: bool = False             # a gemm adds to its on-chip value (_canon_versions.gemm_onto_values)
    other_writes: bool = False     # written by anything else
    gather: bool = False           # filled by an im2col gather (_canon_im2col), not a copy
    elements: bool = False         # computed by the reader element by element (_canon_elements)


def collect_uses(body: Any) -> dict:
    """{name: Use} for every on-chip AllocBuffer, from the tile ops that touch it."""
    uses = {str(a.buffer.name): Use(a) for a in tir.collect(body, tir.AllocBuffer)
            if tir.scope_of(a.buffer) in ON_CHIP_SCOPES}
    stages: list = [0]
    lines: list = [None]
    depth: list = [0]

    def write(name: str, generated: bool = False) -> None:
        use = uses.get(name)
        if use is None:
            return
        use.generated = generated and not use.other_writes
        use.other_writes = use.other_writes or not generated
        if use.depth is None:
            use.depth = depth[0]
        elif depth[0] > use.depth:
            use.loop_carried = True
        use.computed = True
        use.line = use.line or lines[-1]

    def on_for(loop: Any, m: Any) -> Any:
        ann = loop.annotations
        stages.append(tir.as_int(ann["num_stages"]) if ann is not None and "num_stages" in ann
                      else stages[-1])
        serial = loop.kind != tir.ForKind.PARALLEL
        depth[0] += serial
        m.default_mutate(loop)
        depth[0] -= serial
        stages.pop()
        return loop

    def on_store(store: Any, m: Any) -> Any:
        ivars = [i for i in store.indices if isinstance(i, tir.Var)]
        write(str(store.buffer.name), index_select(store.value, ivars) is not None)
        return store

    def on_attr(attr: Any, m: Any) -> Any:
        line = tir.source_line_of(attr)
        lines.append(line if line is not None else lines[-1])
        m.default_mutate(attr)
        lines.pop()
        return attr

    def on_call(call: Any, m: Any) -> Any:
        if tir.is_call(call, "tl.tileop.copy"):
            _note_copy(uses, call, stages[-1], lines[-1])
            src, dst = (tir.decode_region(a).buffer for a in call.args[:2])
            if tir.scope_of(src) != "global":
                write(str(dst.name))
        elif tir.is_call(call, "tl.tileop.fill"):
            write(str(tir.decode_region(call.args[0]).buffer.name))
        elif tir.is_call(call, "tl.tileop.gemm"):
            c = str(tir.decode_gemm(call).C.buffer.name)
            if c in uses:
                uses[c].accumulator = uses[c].computed = True
                uses[c].line = uses[c].line or lines[-1]
        elif tir.is_call(call, "tl.tileop.reduce"):
            r = tir.decode_reduce(call)
            src, dst = str(r.src.buffer.name), str(r.dst.buffer.name)
            if dst in uses:
                write(dst)
                uses[dst].reduced = "row" if r.dim == 1 else "col"
                uses[dst].reduce_of = src
                uses[dst].line = uses[dst].line or lines[-1]
            if src in uses:
                uses[src].reduce_src = True
                uses[src].line = uses[src].line or lines[-1]
        return call

    tir.mutate(body, [(tir.For, on_for), (tir.AttrStmt, on_attr), (tir.Call, on_call),
                      (tir.BufferStore, on_store)])
    for name in gemm_onto_values(body) & set(uses):
        uses[name].onto = True
    return uses


def _note_copy(uses: dict, call: Any, num_stages: int, line: str | None) -> None:
    src = tir.decode_region(call.args[0]).buffer
    dst = tir.decode_region(call.args[1]).buffer
    if str(dst.name) in uses and tir.scope_of(src) == "global":
        use = uses[str(dst.name)]
        use.loaded_from, use.num_stages, use.line = str(src.name), num_stages, use.line or line
        use.gather = use.gather or is_im2col(call)
        use.elements = use.elements or is_elements(call)
    if str(src.name) in uses and tir.scope_of(dst) == "global":
        use = uses[str(src.name)]
        use.stored_to, use.line = str(dst.name), use.line or line


# --- decide: which way a (n,) vector lies ---------------------------------------------
def vector_orientations(owner: Any, body: Any, uses: dict) -> dict:
    """{name: "row" | "col"} for the rank-1 on-chip buffers: "row" (one value per block row,
    kept in column 0 of its tiles) when a 2-D T.Parallel reads it as v[i] or a row
    reduction writes it; "col" (one per column, row 0) for v[j] or a column reduction.
    Vectors combined by a 1-D T.Parallel or an on-chip copy lie the same way; such a group
    moved to or from a rank-1 tensor, with nothing else to say, lies like the tensor (a row
    of tiles). A vector used both ways is refused."""
    vec = {n for n, u in uses.items() if len(u.alloc.buffer.shape) == 1}
    parent = {n: n for n in vec}

    def find(n: str) -> str:
        while parent[n] != n:
            n = parent[n]
        return n

    evidence: dict = {}

    def note(n: str, way: str, why: str) -> None:
        root = find(n)
        have = evidence.get(root)
        if have is not None and have[0] != way:
            raise owner.error(f"vector '{n}' is used both as a {_WAYS[have[0]]} ({have[1]}) and "
                              f"as a {_WAYS[way]} ({why})", obj=f"buffer '{n}'",
                              source_line=uses[n].line,
                              hint="use one vector per orientation (copy it into a second one)")
        evidence[root] = (way, why)

    def unify(names: list) -> None:
        names = [n for n in names if n in vec]
        for n in names[1:]:
            a, b = find(names[0]), find(n)
            if a != b:
                parent[b] = a
                if b in evidence:
                    note(a, *evidence.pop(b))

    inner_loops: list = []
    for loop in tir.collect(body, tir.For):
        if loop.kind != tir.ForKind.PARALLEL or any(loop.same_as(x) for x in inner_loops):
            continue
        vars_, inner = [], loop
        while isinstance(inner, tir.For) and inner.kind == tir.ForKind.PARALLEL:
            vars_.append(inner.loop_var)
            inner_loops.append(inner)
            inner = inner.body
        accesses = [(x.source, x.indices) for x in tir.collect(inner, tir.TensorLoad)] + \
                   [(x.buffer, x.indices) for x in tir.collect(inner, tir.BufferStore)]
        names = [str(b.name) for b, _ in accesses if str(b.name) in vec]
        if len(vars_) == 1:
            unify(names)
        for b, idx in accesses:
            n = str(b.name)
            if n not in vec or len(vars_) != 2 or not isinstance(idx[0], tir.Var):
                continue
            if idx[0].same_as(vars_[0]):
                note(n, "row", f"{n}[{vars_[0].name}]")
            elif idx[0].same_as(vars_[1]):
                note(n, "col", f"{n}[{vars_[1].name}]")
    for call in tir.collect(body, tir.Call):
        if tir.is_call(call, "tl.tileop.reduce"):
            r = tir.decode_reduce(call)
            n = str(r.dst.buffer.name)
            if n in vec:
                note(n, "row" if r.dim == 1 else "col", f"T.reduce_* over dim {r.dim}")
        elif tir.is_call(call, "tl.tileop.copy"):
            src, dst = (tir.decode_region(a).buffer for a in call.args[:2])
            unify([str(src.name), str(dst.name)])
    tensor_fed = {find(n) for n in vec if uses[n].loaded_from or uses[n].stored_to}
    out = {}
    for n in vec:
        have = evidence.get(find(n))
        out[n] = have[0] if have is not None else ("col" if find(n) in tensor_fed else "row")
    return out


_WAYS = {"row": "column vector, one value per row", "col": "row vector, one value per column"}


# --- decide ----------------------------------------------------------------------
def depth_blocks(num_stages: int, policy: Any) -> int:
    """Blocks an input CB holds under the depth `policy` ("num_stages" or an int)."""
    if isinstance(policy, int):
        return max(1, policy)
    return num_stages if num_stages >= 1 else 2


def wants_fp32_acc(uses: dict, buffers: dict) -> bool:
    """Auto rule: fp32 DST when an accumulator, an on-chip value computed in float32 (an
    fp32 fragment of a bf16 kernel: softmax/norm statistics; an int32 block, held as
    float32) or any moved tensor is float32 or int32 (typecast_tile needs 32-bit DST)."""
    for use in uses.values():
        fp32 = str(use.alloc.buffer.dtype) in ("float32", "float", *dtypes.INTEGER_DTYPES)
        if fp32 and (use.accumulator or use.computed):
            return True
    return any(buffers[n].dtype in ("float32", *dtypes.INTEGER_DTYPES) for u in uses.values()
               for n in (u.loaded_from, u.stored_to) if n is not None)


# --- pass ------------------------------------------------------------------------
@dataclass
class PropagateTTLayout(TTPass):
    name = "propagate_tt_layout"
    arch: str = "wormhole_b0"
    cb_depth: Any = "num_stages"
    fp32_acc: bool | None = None
    math_fidelity: str = "HiFi4"
    full_sync: bool = False
    math_approx: bool = False

    def run(self, mod: Any) -> Any:
        _, func = kernel_func(mod)
        check_tile_ops(self, func.body)
        buffers = _meta.by_name(_meta.get(mod, _meta.BUFFERS, []))
        uses = collect_uses(func.body)
        ints = sorted(n for n, b in buffers.items() if b.dtype in dtypes.INTEGER_DTYPES)
        fp32 = (wants_fp32_acc(uses, buffers) or bool(ints)) if self.fp32_acc is None \
            else bool(self.fp32_acc)
        if ints and not fp32:
            raise self.error("integer data needs DST in 32-bit mode (typecast_tile converts it "
                             "there), but fp32_acc=False was asked for",
                             obj=f"buffer '{ints[0]}'", numbers={"fp32_acc": False},
                             hint="leave fp32_acc unset (or True) for kernels with int32 tensors")
        orient = vector_orientations(self, func.body, uses)
        for name, use in uses.items():
            if use.reduced is None and name in orient:
                use.reduced = orient[name]
        touched = {str(x.source.name) for x in tir.collect(func.body, tir.TensorLoad)}

        def build(cap: int) -> list:
            cbs = []
            for name, use in uses.items():
                if name not in touched:  # allocated, never used: no CB
                    continue
                cbs += self._vector_cbs(name, use, buffers, cap, uses) or \
                    [self._cb(name, use, buffers, cap, uses)]
            cbs += [scaler_cb(cb) for cb in cbs if cb.name in uses and uses[cb.name].reduce_src]
            cbs += gather_scratch_cbs(cbs, uses, buffers)
            return self._one_family(cbs, uses)

        cap = get_arch(self.arch).dst_tiles(fp32, self.full_sync)
        cbs = build(cap)
        if not fp32 and self.fp32_acc is None and any(cb.widen for cb in cbs):
            # a widened tile holds float32 values: DST keeps them and the pack rounds once, as
            # the emulator computes (16-bit DST would have the unpacker convert them first)
            fp32 = True
            cap = get_arch(self.arch).dst_tiles(fp32, self.full_sync)
            cbs = build(cap)
        config = _meta.ComputeConfig(self.math_fidelity, fp32, self.math_approx,
                                     self.full_sync, cap)
        mod = _meta.put(mod, _meta.CBS, cbs)
        return _meta.put(mod, _meta.COMPUTE, config)

    def _one_family(self, cbs: list, uses: dict) -> list:
        """tt-metal builds a program only when its CBs' formats share one exponent family
        (`tt_ir.dtypes.exponent_family`). A bfloat16 or float16 tensor block of the other
        family than the rest of the program is read into a Float32 CB and widened there by the
        reader (`widen`: exact), with the scaler of a reduction over it; what still mixes
        (outputs or on-chip blocks of both families) is refused, naming a CB of each, rather
        than by the SDK's JIT build on silicon."""
        def widenable(cb: Any) -> bool:
            use = uses.get(cb.name)
            return cb.role == "input" and cb.buffer is not None and cb.data_format in WIDENED \
                and use is not None and not (use.elements or use.gather or use.generated)

        def family(cb: Any) -> str | None:
            return dtypes.exponent_family(cb.data_format)

        if len({family(cb) for cb in cbs} - {None}) < 2:
            return cbs
        fixed = [cb for cb in cbs if not widenable(cb) and cb.reduced != "scaler"]
        kept = {family(cb) for cb in fixed} - {None}
        if len(kept) > 1:
            self._refuse_mixed(next(cb for cb in fixed if family(cb) == "A"),
                               next(cb for cb in fixed if family(cb) == "B"))
        keep = kept.pop() if kept else "A"  # only inputs have families: widen the B ones
        widened = {cb.name for cb in cbs if widenable(cb) and family(cb) not in (None, keep)}
        fp32 = dtypes.tile_bytes("Float32")
        out = []
        for cb in cbs:
            src = cb.of if cb.reduced == "scaler" else None
            if cb.name in widened:
                cb = _meta.replace(cb, dtype="float32", data_format="Float32", page_size=fp32,
                                   widen=cb.data_format)
            elif src in widened:
                cb = _meta.replace(cb, dtype="float32", data_format="Float32", page_size=fp32)
            out.append(cb)
        return out

    def _refuse_mixed(self, a: Any, b: Any) -> None:
        def what(cb: Any) -> str:
            kind = f"tensor '{cb.buffer}'" if cb.buffer is not None and cb.role != "scratch" \
                else f"on-chip buffer '{cb.name}'"
            return f"{kind} ({cb.dtype}, {cb.data_format} tiles)"

        raise self.error(
            f"{what(a)} and {what(b)} cannot share a program: tt-metal builds a program only when "
            "all of its circular buffers set the unpackers to one exponent width (family A: "
            "float16, int8; family B: bfloat16, bfloat8_b; float32, int32 and uint8 fit either)",
            obj=f"buffer '{a.buffer or a.name}'", source_line=a.source_line or b.source_line,
            numbers={a.buffer or a.name: a.data_format, b.buffer or b.name: b.data_format},
            hint="keep float16 (or int8 tiles) and bfloat16 outputs and on-chip blocks in separate "
                 "kernels, or make one side float32; input tensors of the other family are widened "
                 "to float32 by the reader, and int8 tensors copied whole into int8 blocks are read "
                 "element by element")

    def _cb(self, name: str, use: Use, buffers: dict, cap: int, uses: dict) -> Any:
        shape = [tir.as_int(d) for d in use.alloc.buffer.shape]
        if use.reduced is None and len(shape) == 2 and 1 in shape \
                and shape != [1, 1]:  # a vector: (bm, 1) in column 0, (1, bn) in row 0
            use.reduced = "row" if shape[1] == 1 else "col"
        block = (self._reduced_block(name, shape, use) if use.reduced is not None
                 else self._block(name, shape, use.line))
        if use.generated and use.stored_to is None and use.loaded_from is None:
            fmt = dtypes.data_format(_dtype(use))
            return _meta.CBInfo(name=name, role="input", dtype=_dtype(use), data_format=fmt,
                                page_size=dtypes.tile_bytes(fmt), block=block, unit=block,
                                num_pages=2 * block[0] * block[1], source_line=use.line)
        if use.stored_to is None and use.loaded_from is None:
            return self._intermediate(name, use, block, buffers, cap, uses)
        if use.loaded_from is not None:
            src = buffers[use.loaded_from]
            if use.elements:  # the reader writes the block's own values, not the tensor's tiles
                fmt = dtypes.data_format(_dtype(use))
                src = dataclasses.replace(src, dtype=_dtype(use), data_format=fmt,
                                          page_size=dtypes.tile_bytes(fmt))
            blocks = depth_blocks(use.num_stages, self.cb_depth)
            return _meta.CBInfo(name=name, role="input", dtype=src.dtype,
                                data_format=src.data_format, page_size=src.page_size,
                                block=block, unit=block, num_pages=blocks * block[0] * block[1],
                                buffer=src.name, num_stages=use.num_stages,
                                accumulator=use.accumulator, source_line=use.line,
                                reduced=use.reduced)
        dst = buffers[use.stored_to]
        unit = list(choose_subblock(block[0], block[1], cap))
        return _meta.CBInfo(name=name, role="output", dtype=dst.dtype,
                            data_format=dst.data_format, page_size=dst.page_size,
                            block=block, unit=unit, num_pages=2 * unit[0] * unit[1],
                            buffer=dst.name, accumulator=use.accumulator, source_line=use.line,
                            reduced=use.reduced)

    def _vector_cbs(self, name: str, use: Use, buffers: dict, cap: int, uses: dict) -> list:
        """A column vector (bm,) moved to or from a rank-1 tensor (one row of tiles): its own
        CB is computed on chip, and a partner `<name>_t` CB holds it transposed (row 0 of
        each tile) for the reader / writer; compute transposes tile by tile between them."""
        tensor = use.loaded_from or use.stored_to
        if use.reduced != "row" or tensor is None or len(buffers[tensor].shape) != 1 \
                or use.elements:  # the reader fills an element read in place: no transpose
            return []
        info = buffers[tensor]
        n = tir.as_int(use.alloc.buffer.shape[0]) // TILE
        if use.loaded_from:
            use.computed = True
            blocks = depth_blocks(use.num_stages, self.cb_depth)
            partner = _meta.CBInfo(name=f"{name}_t", role="input", dtype=info.dtype,
                                   data_format=info.data_format, page_size=info.page_size,
                                   block=[1, n], unit=[1, n], num_pages=blocks * n,
                                   buffer=info.name, source_line=use.line, reduced="col",
                                   transpose=name)
        else:
            partner = _meta.CBInfo(name=f"{name}_t", role="output", dtype=info.dtype,
                                   data_format=info.data_format, page_size=info.page_size,
                                   block=[1, n], unit=[1, 1], num_pages=2, buffer=info.name,
                                   source_line=use.line, reduced="col", transpose=name)
        saved = (use.loaded_from, use.stored_to)
        use.loaded_from = use.stored_to = None
        own = self._intermediate(name, use, [n, 1], buffers, cap, uses)
        use.loaded_from, use.stored_to = saved
        return [_meta.replace(own, transpose=partner.name), partner]

    def _intermediate(self, name: str, use: Use, block: list, buffers: dict, cap: int,
                      uses: dict) -> Any:
        """A block computed and consumed on chip: a compute -> compute CB holding one block
        (two when it is rewritten inside a loop: the new value is pushed behind the old
        one, which is popped after). Its format is the buffer's dtype; a reduction of a
        tensor block keeps that block's format (the FPU broadcast's other operand)."""
        if not use.computed:
            raise self.error("on-chip buffer is read but never written (no T.copy into it, "
                             "T.fill, T.reduce_* or T.Parallel assignment)",
                             obj=f"buffer '{name}'", source_line=use.line,
                             hint=f"fill {name} before reading it (e.g. T.copy from a tensor "
                                  "or T.clear)")
        src = uses.get(use.reduce_of) if use.reduce_of else None
        if src is not None and src.loaded_from is not None:
            info = buffers[src.loaded_from]
            dtype, fmt = info.dtype, info.data_format
        else:
            dtype = _dtype(use)
            if dtype not in ("bfloat16", "float16", "float32"):
                raise self.error(f"on-chip buffer dtype {dtype} is not supported",
                                 obj=f"buffer '{name}'", source_line=use.line,
                                 hint="use bfloat16, float16 or float32")
            fmt = dtypes.data_format(dtype)
        unit = list(choose_subblock(block[0], block[1], cap))
        blocks = 2 if use.loop_carried else 1
        # a gemm target also rewritten on chip inside its loop (`acc_o *= s[i]` between the
        # gemms of attention), or holding an on-chip value when a gemm adds to it (a mask),
        # keeps its value in the CB, not in DST: each gemm loads it and packs the sum
        # (tt.matmul_onto)
        in_dst = use.accumulator and not use.loop_carried and not use.onto
        return _meta.CBInfo(name=name, role="intermediate", dtype=dtype, data_format=fmt,
                            page_size=dtypes.tile_bytes(fmt), block=block, unit=unit,
                            num_pages=blocks * block[0] * block[1], source_line=use.line,
                            reduced=use.reduced, accumulator=in_dst)

    def _reduced_block(self, name: str, shape: list, use: Use) -> list:
        """Tiles of a reduction's output: a row reduction (bm,) / (bm, 1) is bm/32 tiles
        whose column 0 holds the values; a column reduction (bn,) / (1, bn) bn/32 tiles
        whose row 0 holds them."""
        n = shape[0] if len(shape) == 1 or use.reduced == "row" else shape[1]
        if n is None or n % TILE:
            raise self.error(f"reduction output shape {shape} is not a multiple of 32",
                             obj=f"buffer '{name}'", numbers={"shape": shape},
                             source_line=use.line, hint="reduce blocks whose dims are "
                                                        "multiples of 32")
        return [n // TILE, 1] if use.reduced == "row" else [1, n // TILE]

    def _block(self, name: str, shape: list, line: str | None) -> list:
        if len(shape) != 2 or any(d is None or d % TILE for d in shape):
            raise self.error(f"block shape {shape} is not a 2-D multiple of 32x32 tiles",
                             obj=f"buffer '{name}'", numbers={"shape": shape},
                             source_line=line,
                             hint="use block sizes that are multiples of 32 (e.g. 32, 64, 128)")
        return [shape[0] // TILE, shape[1] // TILE]


def _dtype(use: Use) -> str:
    dtype = str(use.alloc.buffer.dtype)
    return "float32" if dtype in ("float", *dtypes.INTEGER_DTYPES) else dtype


# 2-byte float formats the reader can widen to Float32 in place (`tt_widen_tile`)
WIDENED = ("Float16_b", "Float16")


def scaler_cb(src: Any) -> Any:
    """The scaler CB of a reduction over `src`: one tile in src's format whose first row
    of every face holds 1.0 (reduce_tile's scale operand), filled once by the reader."""
    return _meta.CBInfo(name=f"{src.name}_scaler", role="input", dtype=src.dtype,
                        data_format=src.data_format, page_size=src.page_size, block=[1, 1],
                        unit=[1, 1], num_pages=1, source_line=src.source_line,
                        reduced="scaler", of=src.name)


def gather_scratch_cbs(cbs: list, uses: dict, buffers: dict) -> list:
    """One reader-local tile per tensor an im2col gather or an element read reads, in the
    tensor's format (1-byte ones as UInt8: only the reader touches it, as raw bytes, and Int8
    would put the program in an exponent family): the reader reads whole source tiles into it
    and copies their rows into place or computes from their elements (role "scratch", reader
    to reader)."""
    out: dict = {}
    for cb in cbs:
        use = uses.get(cb.name)
        if use is not None and (use.gather or use.elements) and cb.buffer not in out:
            src = buffers[cb.buffer]
            fmt = "UInt8" if src.page_size == dtypes.tile_bytes("UInt8") else src.data_format
            out[cb.buffer] = _meta.CBInfo(name=f"{cb.buffer}_tile", role="scratch",
                                          dtype=dtypes.dtype_of(fmt), data_format=fmt,
                                          page_size=src.page_size, block=[1, 1], unit=[1, 1],
                                          num_pages=1, buffer=cb.buffer,
                                          source_line=cb.source_line)
    return list(out.values())


def propagate_tt_layout(**options: Any) -> Any:
    """The `propagate_tt_layout` pass as a TVM pass (options: see `PropagateTTLayout`)."""
    return PropagateTTLayout(**options).as_tvm_pass()
