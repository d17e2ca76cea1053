"""insert_dst_management: DST register protocol, sub-blocking and packing in compute.

Requires: `lower_cb_intrinsics` (compute waits/pops its input CBs); the compute
kernel still holds `tt.matmul_block`, `tt.binary_block`, `tt.unary_block`, `tt.expr_block`,
`tt.acc_clear` and `tt.pack_out`; `tt.cbs` (each output CB's `unit` is its DST
sub-block), `tt.compute_config`.
Rewrites, per output CB C (sub-block sh x sw tiles, n = sh*sw <= DST capacity):

    tile_regs_acquire()
    <tile math for the sub-block into DST[0..n)>     matmul_tiles / add_tiles / ...
    <epilogue: relu_tile(t) for each DST slot>
    tile_regs_commit()
    cb_reserve_back(C, n); tile_regs_wait(); pack_tile(t, C) x n; tile_regs_release();
    cb_push_back(C, n)

over the sub-blocks of the block in row-major order. For a gemm:
- block <= DST: one sub-block; DST accumulates across the whole K loop (acquire
  before it, commit and pack after the epilogue).
- block > DST, one K trip: the sub-block loop sits inside the K trip.
- block > DST, several K trips (a `<C>_partials` CB exists): each sub-block's partial
  sums are packed to the partials CB at the end of the first K trip, added onto those
  pages by the packer (`pack_reconfig_l1_acc(1)`) at the end of every trip but the last,
  and reloaded with `copy_tile` at the start of the last (`if k > 0 and k == last`); only the last K
  trip applies the epilogue and packs to C. So partial sums stay exact across K.
Reductions (`tt.reduce_block`): per DST sub-block of the reduced output, acquire,
(max: fill_tile_bitcast(-inf)), reduce_init<Pool, Dim>(src, scaler, out), reduce_tile over
the block's tiles accumulating in DST, commit, pack, reduce_uninit(src)
(`reduce_section`). A reduction into an intermediate CB (used on chip: `x - max`) is
lowered in place, its whole block packed to the CB; the expression reading it waits for
the block before its sub-blocks and pops it after.
Expressions (`tt.expr_block`): the tree's instructions (tt_passes._expr.program, Sethi-
Ullman order) run op by op over the sub-block's n tiles: register 0 of tile t is DST[t]
(the result, packed; for an epilogue also the accumulator tile), register r > 0 is
DST[n + (r - 1) * g + u], g the tiles per group (all n for an elementwise output; for an
epilogue the largest divisor of n that fits beside the accumulator), u t's place in its
group. Leaves are `copy_tile`d, `$a op $b` of two CBs uses the FPU (`add_tiles`), a broadcast
`$a op col($b)` / `row($b)` the FPU broadcast (`sub_tiles_bcast_cols(A, V, idx, r, d)`: V's
tile r is block row r (col) / block column (row) of the tile), inner
ops the binary SFPU ops on DST, scalars the binop-with-scalar ops (fp32 bit patterns).
The epilogue's CB waits are placed once per block (under `if k == last` with partials).
`matmul_tiles(A, B, a, b, dst)` indexes A's block row-major (m*Kt + k) and B's
(k*Nt + n, or n*Kt + k with transpose_B), both counted from the CB front.
Integer CBs (Int32 / Int8 / UInt8: on chip integer blocks are float32): `typecast_tile<IN,
Float32>` follows each `copy_tile` from one, and `typecast_tile<Float32, OUT>` precedes the
`tile_regs_commit` of each sub-block packed to one (on the last K trip only, with partials).
A gemm whose K loop has one trip and holds other on-chip work takes DST inside that trip.
Guarantees: every DST index is < capacity; acquire/commit/wait/release are balanced
on every path; every page pushed to C or the partials CB is later popped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir import dtypes, tir
from tt_passes import _build as B
from tt_passes import _expr, _meta, _tileops
from tt_passes._base import TTPass, replace_func, role_funcs

SFPU = {"relu": "relu_tile"}
BINARY = {"add": "add_tiles", "sub": "sub_tiles", "mul": "mul_tiles"}


# --- decide ----------------------------------------------------------------------
def choose_subblock(h: int, w: int, capacity: int) -> tuple[int, int]:
    """The largest sh x sw (sh | h, sw | w, sh*sw <= capacity); ties: wider (full rows)."""
    best = (1, 1)
    for sh in range(1, h + 1):
        for sw in range(1, w + 1):
            if h % sh or w % sw or sh * sw > capacity:
                continue
            if (sh * sw, sw) > (best[0] * best[1], best[1]):
                best = (sh, sw)
    return best


# --- emit --------------------------------------------------------------------------
def _loops(nest: list, body: Any) -> Any:
    for v, n in reversed(nest):
        if n > 1:
            body = B.loop(v, n, body)
    return body


def last_trip(loop: Any) -> Any:
    """The last value of `loop`'s variable (a runtime trip count: `k_div32 - 1`)."""
    n = tir.as_int(loop.extent)
    return B.u32(n - 1) if n is not None else loop.extent - B.u32(1)


def _idx(name: str, extent: int) -> Any:
    return B.var(name) if extent > 1 else 0


def pack(cb: int, n: int) -> Any:
    t = _idx("t", n)
    return B.seq(B.extern("cb_reserve_back", cb, n), B.extern("tile_regs_wait"),
                 _loops([(t, n)], B.extern("pack_tile", t, cb)),
                 B.extern("tile_regs_release"), B.extern("cb_push_back", cb, n))


def pack_accumulate(cb: int, n: int) -> Any:
    """Pack DST[0..n) onto the n pages at the front of `cb` with the packer's L1 accumulation:
    they are popped and reserved again, which lands on the same L1 pages because the partials
    CB holds exactly one block and every trip visits its sub-blocks in the same order (as
    tt-metal's matmul does with PACKER_L1_ACC)."""
    t = _idx("t", n)
    return B.seq(B.extern("cb_wait_front", cb, n), B.extern("cb_pop_front", cb, n),
                 B.extern("cb_reserve_back", cb, n), B.extern("tile_regs_wait"),
                 B.extern("pack_reconfig_l1_acc", 1),
                 _loops([(t, n)], B.extern("pack_tile", t, cb)),
                 B.extern("pack_reconfig_l1_acc", 0),
                 B.extern("tile_regs_release"), B.extern("cb_push_back", cb, n))


def reload(cb: int, n: int) -> Any:
    t = _idx("t", n)
    return B.seq(B.extern("cb_wait_front", cb, n), _loops([(t, n)], B.extern("copy_tile", cb, t, t)),
                 B.extern("cb_pop_front", cb, n))


def reload_block(src: int, cb: Any, si: Any, sj: Any) -> Any:
    """copy_tile of sub-block (si, sj) of `cb`'s block, from the same-shaped block at the front
    of CB `src`, into DST[0..n)."""
    (sh, sw), w = cb.unit, cb.block[1]
    i, j = _idx("i", sh), _idx("j", sw)
    idx = B.add(B.mul(B.add(B.mul(si, sh), i), w), B.mul(sj, sw), j)
    return _loops([(i, sh), (j, sw)], B.extern("copy_tile", src, idx, B.add(B.mul(i, sw), j)))


def sfpu(unary: list, n: int, cb: Any = None, si: Any = 0, sj: Any = 0,
         cap: int = 0, dst32: bool = False) -> Any:
    """The epilogue: each entry (op, text, waits) in order, on the n tiles in DST[0..n)
    (the waits for the CBs it reads are placed by the caller, once per block).

    op is an SFPU op name applied to every tile in place, or an expression
    (`tt.expr_block`: tree and input CBs) whose `acc` leaf is the tile in DST.
    """
    stmts = []
    for op, text, _ in unary:
        if isinstance(op, str):
            t = _idx("t", n)
            body = _loops([(t, n)], B.extern(SFPU[op], t))
        else:
            body = expr_tiles(op[0], op[1], cb, si, sj, cap, in_place=True, dst32=dst32)
        stmts.append(B.comment(text, body))
    return B.seq(*stmts) if stmts else None


def group_size(n: int, need: int, cap: int, in_place: bool) -> int:
    """Tiles per group: all n (n x need <= cap), or, beside n tiles held in DST, the
    largest divisor g of n with n + (need - 1) x g <= cap."""
    if not in_place or need == 1:
        assert n * need <= cap, (n, need, cap)
        return n
    g = max(d for d in range(1, n + 1) if n % d == 0 and n + (need - 1) * d <= cap)
    return g


def expr_tiles(tree: Any, inputs: list, cb: Any, si: Any, sj: Any, cap: int,
               in_place: bool, dst32: bool = False) -> Any:
    """The tile program of an expression over the DST sub-block (si, sj) of `cb`.

    Register r of tile t (t-th tile of the sub-block, row-major) lives in DST slot t
    for r = 0 (the result, which pack_tile reads; for an epilogue also the `acc`
    leaf) and n + (r - 1) x g + u for r > 0 (u: t's place in its group of g tiles).
    Each instruction runs over a whole group before the next (one init per op).
    """
    need, prog = _expr.slots(tree), _expr.program(tree)
    n, (sh, sw), w = cb.unit_tiles, cb.unit, cb.block[1]
    g = group_size(n, need, cap, in_place)
    gi, u = _idx("g", n // g), _idx("t", g)
    t = B.add(B.mul(gi, g), u)
    if sw == w or sh == 1:
        idx = B.add(B.mul(si, n), t) if sw == w else B.add(B.mul(si, w), B.mul(sj, sw), t)
    else:
        idx = B.add(B.mul(B.add(B.mul(si, sh), tir.floordiv(t, B.u32(sw))), w), B.mul(sj, sw),
                    tir.floormod(t, B.u32(sw)))

    def slot(r: int) -> Any:
        return t if r == 0 else B.add(n + (r - 1) * g, u)

    calls = []
    for ins in prog:
        kind = ins[0]
        if kind == "copy":
            call = B.extern("copy_tile", inputs[ins[2]], idx, slot(ins[1]))
        elif kind == "vload":  # a vector tile into DST, broadcast over the block's tile
            kind_t = f"<BroadcastType::{'COL' if ins[1] == 'col' else 'ROW'}>"
            vidx = _vector_tile(ins[1], idx, cb)
            calls.append(B.extern("unary_bcast_init" + kind_t, inputs[ins[3]]))
            call = B.extern("unary_bcast" + kind_t, inputs[ins[3]], vidx, slot(ins[2]))
        elif kind == "fpu":
            call = B.extern(_expr.FPU[ins[1]], inputs[ins[3]], inputs[ins[4]], idx, idx,
                            slot(ins[2]))
        elif kind == "bcast":  # the vector CB holds one tile per block row (col) / column (row)
            vidx = _vector_tile("col" if ins[1].endswith("_col") else "row", idx, cb)
            call = B.extern(_expr.BCAST[ins[1]], inputs[ins[3]], inputs[ins[4]], idx, vidx,
                            slot(ins[2]))
        elif kind == "binary":
            call = B.extern(_tileops.SFPU_BINARY[ins[1]], slot(ins[2]), slot(ins[3]), slot(ins[4]))
        elif kind == "scalar":
            call = B.extern(_tileops.SFPU_SCALAR[ins[1]], slot(ins[2]),
                            B.u32(_expr.fp32_bits(ins[3])))
        elif kind == "fill":
            call = B.extern("fill_tile_bitcast", slot(ins[1]), B.u32(_expr.fp32_bits(ins[2])))
        elif kind == "where":  # its template names DST's format (32-bit or bfloat16 mode)
            fmt = "Float32" if dst32 else "Float16_b"
            call = B.extern(f"where_tile<DataFormat::{fmt}>", *(slot(r) for r in ins[1:]))
        else:
            call = B.extern(_tileops.SFPU_UNARY[ins[1]].call, slot(ins[2]))
        calls.append(_loops([(u, g)], call))
    return _loops([(gi, n // g)], B.seq(*calls))


def transpose_tiles(src: int, dst: Any, h: int, w: int) -> Any:
    """dst (h x w tiles) = src (w x h tiles) transposed: dst tile (r, c) is src tile (c, r)
    (front index c * h + r) through transpose_tile, one DST tile at a time, packed in the
    order dst's blocks are read (sub-block by sub-block of its unit, row-major inside).
    Self-contained: acquire to push."""
    sh, sw = dst.unit if dst.unit[0] * dst.unit[1] and h % dst.unit[0] == 0 \
        and w % dst.unit[1] == 0 else (h, w)
    si, sj, i, j = _idx("si", h // sh), _idx("sj", w // sw), _idx("i", sh), _idx("j", sw)
    r, c = B.add(B.mul(si, sh), i), B.add(B.mul(sj, sw), j)
    body = B.seq(B.extern("tile_regs_acquire"),
                 B.extern("transpose_tile", src, B.add(B.mul(c, h), r), 0),
                 B.extern("tile_regs_commit"), pack(dst.index, 1))
    return B.seq(B.extern("transpose_init", src),
                 _loops([(si, h // sh), (sj, w // sw), (i, sh), (j, sw)], body))


def _vector_tile(dim: str, idx: Any, cb: Any) -> Any:
    """The tile of a vector CB beside tile `idx` of `cb`'s block: a column vector has one
    tile per block row, a row vector one per block column."""
    h, w = cb.block
    if dim == "col":
        return idx if w == 1 else tir.floordiv(idx, B.u32(w))
    return idx if h == 1 else tir.floormod(idx, B.u32(w))


def matmul_tiles(args: list, unit: list, si: Any, sj: Any) -> Any:
    a, b, _, _, nt, kt, transpose = B.ints(args)
    sh, sw = unit
    i, j, kk = _idx("i", sh), _idx("j", sw), _idx("kk", kt)
    row, col = B.add(B.mul(si, sh), i), B.add(B.mul(sj, sw), j)
    a_idx = B.add(B.mul(row, kt), kk)
    b_idx = B.add(B.mul(col, kt), kk) if transpose else B.add(B.mul(kk, nt), col)
    call = B.extern("matmul_tiles", a, b, a_idx, b_idx, B.add(B.mul(i, sw), j))
    return _loops([(i, sh), (j, sw), (kk, kt)], call)


def binary_tiles(op: str, args: list, unit: list, si: Any, sj: Any) -> Any:
    a, b, _, _, w = B.ints(args)
    sh, sw = unit
    n = sh * sw
    if sw == w:  # the sub-block is a run of whole rows: contiguous tiles
        t = _idx("t", n)
        idx = B.add(B.mul(si, n), t)
        return _loops([(t, n)], B.extern(BINARY[op], a, b, idx, idx, t))
    i, j = _idx("i", sh), _idx("j", sw)
    idx = B.add(B.mul(B.add(B.mul(si, sh), i), w), B.mul(sj, sw), j)
    return _loops([(i, sh), (j, sw)], B.extern(BINARY[op], a, b, idx, idx, B.add(B.mul(i, sw), j)))


POOL = {"sum": "PoolType::SUM", "max": "PoolType::MAX"}
REDUCE_DIM = {"row": "ReduceDim::REDUCE_ROW", "col": "ReduceDim::REDUCE_COL"}
NEG_INF_BITS = 0xFF800000  # fp32 -inf: the start value of a max reduction in DST


def reduce_section(args: list, cb: Any, si: Any, sj: Any) -> Any:
    """One DST sub-block of a reduction, acquire to pack.

    Row (unit sh x 1): DST[i] accumulates reduce_tile over the w tiles of block row
    si*sh + i (values in column 0). Column (unit 1 x sw): DST[j] accumulates over the h
    tiles of block column sj*sw + j (values in row 0). A max starts from -inf
    (fill_tile_bitcast): DST is zero after acquire. reduce_init programs the packer
    masks (the rest of each output tile packs as zero); reduce_uninit clears them.
    """
    kind, dim = B.string(args[0]), B.string(args[1])
    src, scaler, out, h, w = B.ints(args[2:])
    tmpl = f"<{POOL[kind]}, {REDUCE_DIM[dim]}>"
    n = cb.unit_tiles
    if dim == "row":
        sh = cb.unit[0]
        i, j = _idx("i", sh), _idx("j", w)
        tile = B.add(B.mul(B.add(B.mul(si, sh), i), w), j)
        math = _loops([(i, sh), (j, w)], B.extern("reduce_tile" + tmpl, src, scaler, tile, 0, i))
    else:
        sw = cb.unit[1]
        j, i = _idx("j", sw), _idx("i", h)
        tile = B.add(B.mul(i, w), B.mul(sj, sw), j)
        math = _loops([(j, sw), (i, h)], B.extern("reduce_tile" + tmpl, src, scaler, tile, 0, j))
    t = _idx("t", n)
    fill = _loops([(t, n)], B.extern("fill_tile_bitcast", t, B.u32(NEG_INF_BITS))) \
        if kind == "max" else None
    return B.seq(B.extern("tile_regs_acquire"), fill,
                 B.extern("reduce_init" + tmpl, src, scaler, out), math,
                 B.extern("tile_regs_commit"), pack(out, n), B.extern("reduce_uninit", src))


# --- integer outputs ----------------------------------------------------------------
def typecast(fmt_in: str, fmt_out: str) -> str:
    """`typecast_tile<IN, OUT>` of two data formats (their tt::DataFormat codes)."""
    return f"typecast_tile<{dtypes.format_code(fmt_in)}, {dtypes.format_code(fmt_out)}>"


def _calls(stmt: Any, name: str) -> bool:
    return isinstance(stmt, tir.Evaluate) and tir.extern_name(stmt.value) == name


def typecast_int_packs(body: Any, cbs: dict) -> Any:
    """Before the `tile_regs_commit` of a sub-block packed to an integer CB (an int32 tensor's
    output CB: on chip its values are float32), `typecast_tile<Float32, Int32>` of each tile
    it packs: the packer moves DST's bits, so the SFPU turns them into integers first
    (truncating, as C's cast does; the values are integers already where the kernel is
    exact)."""
    def packs_int(stmt: Any) -> bool:
        calls = [c for c in tir.collect(stmt, tir.Call) if tir.extern_name(c) is not None]
        return bool(calls) and all(tir.extern_name(c) == "pack_tile" for c in calls) and all(
            cbs[tir.as_int(c.args[2])].data_format in dtypes.INTEGER_FORMATS for c in calls)

    def cast(stmt: Any) -> Any:
        def one(e: Any) -> Any:
            if tir.extern_name(e.value) != "pack_tile":
                return e
            fmt = cbs[tir.as_int(e.value.args[2])].data_format
            return B.extern(typecast("Float32", fmt), e.value.args[1])
        return tir.rewrite(stmt, one, types=tir.Evaluate)

    def branch(stmt: Any) -> Any:  # the casts of a branch's packs to integer CBs, or None
        if stmt is None:
            return None
        parts = list(stmt.seq) if isinstance(stmt, tir.SeqStmt) else [stmt]
        casts = [cast(x) for x in parts if packs_int(x)]
        return B.seq(*casts) if casts else None

    def visit(s: Any) -> Any:
        stmts = list(s.seq)
        out = []
        for k, stmt in enumerate(stmts):
            if _calls(stmt, "tile_regs_commit"):
                for later in stmts[k + 1:]:
                    if _calls(later, "tile_regs_release"):
                        break
                    if packs_int(later):
                        out.append(cast(later))
                    elif isinstance(later, tir.IfThenElse):  # the last K trip packs to C
                        then, other = branch(later.then_case), branch(later.else_case)
                        if then is not None or other is not None:
                            out.append(tir.IfThenElse(
                                later.condition, then if then is not None else B.seq(), other))
            out.append(stmt)
        return tir.seq(*out) if len(out) != len(stmts) else s

    return tir.rewrite(body, visit, types=tir.SeqStmt)


def typecast_int_unpacks(body: Any, cbs: dict) -> Any:
    """After each `copy_tile` from an integer CB (an int32 tensor's tiles as the reader
    brought them), `typecast_tile<Int32, Float32>` of the DST slot it filled: on chip integer
    blocks are float32, exact below 2^24."""
    def visit(e: Any) -> Any:
        if tir.extern_name(e.value) != "copy_tile":
            return e
        cb, _, slot = e.value.args[1:4]
        fmt = cbs[tir.as_int(cb)].data_format
        if fmt not in dtypes.INTEGER_FORMATS:
            return e
        return B.seq(e, B.extern(typecast(fmt, "Float32"), slot))

    return tir.rewrite(body, visit, types=tir.Evaluate)


# --- collect -----------------------------------------------------------------------
def matmul_configs(body: Any) -> list:
    """[{"in0", "in1", "transpose"}] of the gemms (matmul_init needs the transpose flag)."""
    out: list = []

    def visit(s: Any) -> None:
        hit = B.intrinsic_of(s)
        if hit is not None and hit[0] == "tt.matmul_onto_expr":
            a, b, tr = B.ints([hit[1][1], hit[1][2], hit[1][7]])
            if {"in0": a, "in1": b, "transpose": tr} not in out:
                out.append({"in0": a, "in1": b, "transpose": tr})
        if hit is not None and hit[0] in ("tt.matmul_block", "tt.matmul_onto"):
            a, b, tr = B.ints(hit[1])[0], B.ints(hit[1])[1], B.ints(hit[1])[-1]
            if {"in0": a, "in1": b, "transpose": tr} not in out:
                out.append({"in0": a, "in1": b, "transpose": tr})

    tir.walk(body, visit, types=tir.Evaluate)
    return out


# --- rewrite -----------------------------------------------------------------------
def _find_op(stmt: Any, names: tuple, out_cb: int) -> Any:
    def pred(s: Any) -> bool:
        hit = B.intrinsic_of(s)
        return hit is not None and hit[0] in names and _out_cb(hit) == out_cb

    return tir.find(stmt, pred, types=tir.Evaluate)


def _out_cb(hit: tuple) -> int | None:
    op = _tileops.OPS.get(hit[0])
    if op is None:
        return None
    return tir.as_int(hit[1][0]) if op.name == "tt.pack_out" else op.out(hit[1])


def _epilogue_entry(stmt: Any, out: int) -> tuple | None:
    """(op, text, waits) if `stmt` is an epilogue op on `out` (a unary SFPU op or an
    expression), with the cb_wait_fronts lower_cb_intrinsics put before it."""
    text, body = B.unwrap_comment(stmt)
    items = B.items(body)
    hit = B.intrinsic_of(items[-1]) if items else None
    if hit is None or hit[0] not in ("tt.unary_block", "tt.expr_block") or _out_cb(hit) != out:
        return None
    waits = items[:-1]
    if not all(isinstance(w, tir.Evaluate) and tir.extern_name(w.value) == "cb_wait_front"
               for w in waits):
        return None
    if hit[0] == "tt.unary_block":
        return B.string(hit[1][0]), text, waits
    return (_expr.of_ir(hit[1][0]), B.ints(hit[1][4:])), text, waits


def _replace(stmt: Any, target: Any, new: Any) -> Any:
    return tir.rewrite(stmt, lambda s: new if s.same_as(target) else s, types=tir.Evaluate)


class _DstPlanner(B.SeqRewriter):
    """Rewrites one sequence holding `tt.pack_out(C)` and the ops that produce C."""

    def __init__(self, cbs: dict, cap: int, dst32: bool = False):
        self.cbs, self.cap, self.dst32 = cbs, cap, dst32
        self.self_packed: set = set()  # CBs whose op packs them itself (transposes)
        self.partials = {cb.of: cb for cb in cbs.values() if cb.role == "intermediate" and cb.of}

    def on_chip_ops(self, body: Any) -> Any:
        """Ops writing an intermediate CB (a block used on chip, no pack_out) are lowered
        in place, DST sub-block by sub-block: acquire, math, commit, pack to the CB
        (reserve/push). The CB protocol around them (waits, pops) is lower_cb_intrinsics'."""
        def visit(s: Any) -> Any:
            hit = B.intrinsic_of(s)
            if hit is not None and hit[0] == "tt.transpose_block":
                src, dst, h, w = B.ints(hit[1])
                self.self_packed.add(dst)
                return transpose_tiles(src, self.cbs[dst], h, w)
            if hit is None or hit[0] not in ("tt.reduce_block", "tt.expr_block", "tt.fill_block",
                                             "tt.matmul_onto", "tt.matmul_onto_expr"):
                return s
            cb = self.cbs[_out_cb(hit)]
            if cb.role != "intermediate":
                return s
            si, sj = _idx("si", cb.block[0] // cb.unit[0]), _idx("sj", cb.block[1] // cb.unit[1])
            nest = [(si, cb.block[0] // cb.unit[0]), (sj, cb.block[1] // cb.unit[1])]
            if hit[0] == "tt.reduce_block":
                return _loops(nest, reduce_section(hit[1], cb, si, sj))
            n = cb.unit_tiles
            if hit[0] == "tt.fill_block":
                t = _idx("t", n)
                math = _loops([(t, n)], B.extern("fill_tile_bitcast", t, hit[1][1]))
            elif hit[0] == "tt.matmul_onto_expr":  # the rewrite into DST, then accumulate
                tree, inputs = _expr.of_ir(hit[1][0]), B.ints(hit[1][8:])
                a, b, _, mt, nt, kt, tr = hit[1][1:8]
                math = B.seq(expr_tiles(tree, inputs, cb, si, sj, self.cap, in_place=False,
                                  dst32=self.dst32),
                             matmul_tiles([a, b, 0, mt, nt, kt, tr], cb.unit, si, sj))
            elif hit[0] == "tt.matmul_onto":  # init's sub-block into DST, then accumulate
                a, b, init, _, mt, nt, kt, tr = hit[1]
                math = B.seq(reload_block(tir.as_int(init), cb, si, sj),
                             matmul_tiles([a, b, init, mt, nt, kt, tr], cb.unit, si, sj))
            else:
                tree, inputs = _expr.of_ir(hit[1][0]), B.ints(hit[1][4:])
                math = expr_tiles(tree, inputs, cb, si, sj, self.cap, in_place=False,
                                  dst32=self.dst32)
            return _loops(nest, self.section(math, [], cb, n, (cb, si, sj, self.cap)))

        return tir.rewrite(body, visit, types=tir.Evaluate)

    def seq(self, stmts: list) -> Any:
        for p, s in enumerate(stmts):
            hit = B.intrinsic_of(s)
            if hit is not None and hit[0] == "tt.pack_out":
                out = tir.as_int(hit[1][0])
                if self.cbs[out].transpose is not None or out in self.self_packed:
                    # transpose_tiles packed it already
                    return self.seq(stmts[:p] + stmts[p + 1:])
                return self.seq(self.plan(stmts, p, out))
        return B.seq(*[self.stmt(s) for s in stmts])

    def plan(self, stmts: list, p: int, out: int) -> list:
        cb = self.cbs[out]
        q = self.producer(stmts, p, out)
        unary, rest = [], []
        for k, s in enumerate(stmts):
            entry = _epilogue_entry(s, out) if q < k < p else None
            hit = B.intrinsic_of(B.unwrap_comment(s)[1])
            if entry is not None:
                unary.append(entry)
            elif hit is not None and hit[0] == "tt.acc_clear" and _out_cb(hit) == out:
                continue
            elif k != p:
                rest.append(s)
        producer = stmts[q]
        at = rest.index(producer)
        rest[at] = self.produce(producer, cb, unary)
        return rest

    def producer(self, stmts: list, p: int, out: int) -> int:
        """The last statement before the pack that computes `out` (gemm / FPU binary
        first, else an expression that does not read `out`)."""
        for names in (("tt.matmul_block", "tt.binary_block", "tt.reduce_block"),
                      ("tt.expr_block",)):
            for k in range(p - 1, -1, -1):
                op = _find_op(stmts[k], names, out)
                if op is not None and not (names[0] == "tt.expr_block"
                                           and _expr.of_ir(B.intrinsic_of(op)[1][0]).has_acc):
                    return k
        raise AssertionError(f"no producer for CB {self.cbs[out].name}")

    def produce(self, producer: Any, cb: Any, unary: list) -> Any:
        op = _find_op(producer, ("tt.matmul_block", "tt.binary_block", "tt.expr_block",
                                 "tt.reduce_block"), cb.index)
        name, args = B.intrinsic_of(op)
        n = cb.unit_tiles
        si, sj = _idx("si", cb.block[0] // cb.unit[0]), _idx("sj", cb.block[1] // cb.unit[1])
        nest = [(si, cb.block[0] // cb.unit[0]), (sj, cb.block[1] // cb.unit[1])]
        epi = (cb, si, sj, self.cap, self.dst32)
        waits = [w for entry in unary for w in entry[2]]  # once per block, not per sub-block
        if name == "tt.reduce_block":
            return _replace(producer, op, B.seq(*waits, _loops(nest, reduce_section(
                args, cb, si, sj))))
        if name == "tt.binary_block":
            math = binary_tiles(B.string(args[0]), args[1:], cb.unit, si, sj)
            return _replace(producer, op, B.seq(*waits, _loops(nest, self.section(
                math, unary, cb, n, epi))))
        if name == "tt.expr_block":
            tree, inputs = _expr.of_ir(args[0]), B.ints(args[4:])
            math = expr_tiles(tree, inputs, cb, si, sj, self.cap, in_place=False,
                                  dst32=self.dst32)
            return _replace(producer, op, B.seq(
                *waits, _loops(nest, self.section(math, unary, cb, n, epi))))
        math = matmul_tiles(args, cb.unit, si, sj)
        if cb.unit == cb.block and cb.name not in self.partials and isinstance(producer, tir.For) \
                and tir.as_int(producer.extent) == 1 and any(
                    tir.extern_name(c) == "tile_regs_acquire" for c in tir.collect(producer, tir.Call)):
            # a K loop of one trip that other on-chip work in it needs DST for: take DST
            # around the gemm inside the trip
            return _replace(producer, op, B.seq(
                B.extern("tile_regs_acquire"), math, *waits, sfpu(unary, n, *epi),
                B.extern("tile_regs_commit"), pack(cb.index, n)))
        if cb.unit == cb.block and cb.name not in self.partials:  # DST holds it across K
            body = _replace(producer, op, math)
            return B.seq(B.extern("tile_regs_acquire"), body, *waits, sfpu(unary, n, *epi),
                         B.extern("tile_regs_commit"), pack(cb.index, n))
        partial = self.partials.get(cb.name)
        if partial is None or not isinstance(producer, tir.For):
            return _replace(producer, op, B.seq(*waits, _loops(nest, self.section(
                math, unary, cb, n, epi))))
        is_last = tir.eq(producer.loop_var, last_trip(producer))
        return _replace(producer, op, B.seq(
            B.if_(is_last, B.seq(*waits)) if waits else None,
            _loops(nest, self.spill(producer, math, unary, cb, partial, n, epi))))

    def section(self, math: Any, unary: list, cb: Any, n: int, epi: tuple) -> Any:
        return B.seq(B.extern("tile_regs_acquire"), math, sfpu(unary, n, *epi),
                     B.extern("tile_regs_commit"), pack(cb.index, n))

    def spill(self, loop: Any, math: Any, unary: list, cb: Any, partial: Any, n: int,
              epi: tuple) -> Any:
        """One sub-block's K trip with partial sums in L1: the first trip packs them, the
        trips between add theirs with the packer (L1 accumulation, no reload), and the last
        reloads the sum into DST, adds its own products and packs the result."""
        k = loop.loop_var
        is_last = tir.eq(k, last_trip(loop))
        epilogue = sfpu(unary, n, *epi)
        return B.seq(B.extern("tile_regs_acquire"),
                     B.if_(tir.logical_and(k > B.u32(0), is_last), reload(partial.index, n)), math,
                     B.if_(is_last, epilogue) if epilogue is not None else None,
                     B.extern("tile_regs_commit"),
                     B.if_(is_last, pack(cb.index, n),
                           B.if_(k > B.u32(0), pack_accumulate(partial.index, n), pack(partial.index, n))))


# --- pass ------------------------------------------------------------------------
@dataclass
class InsertDstManagement(TTPass):
    name = "insert_dst_management"

    def run(self, mod: Any) -> Any:
        cbs = {cb.index: cb for cb in _meta.get(mod, _meta.CBS, [])}
        gv, func = role_funcs(mod)["compute"]
        matmuls = matmul_configs(func.body)
        compute = _meta.get(mod, _meta.COMPUTE)
        planner = _DstPlanner(cbs, compute.dst_tiles, compute.fp32_dest_acc_en)
        body = planner.stmt(planner.on_chip_ops(func.body))
        body = typecast_int_unpacks(typecast_int_packs(body, cbs), cbs)
        mod = replace_func(mod, gv, func.with_body(body))
        return _meta.put(mod, _meta.MATMULS, matmuls)


def insert_dst_management() -> Any:
    """The `insert_dst_management` pass as a TVM pass."""
    return InsertDstManagement().as_tvm_pass()
