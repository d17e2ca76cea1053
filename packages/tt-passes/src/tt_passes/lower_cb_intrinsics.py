"""lower_cb_intrinsics: the CB protocol and the NoC transfers around each block.

Requires: `configure_tensor_accessor` (accessor Binds `<buf>_acc`), `tt.cbs`, `tt.buffers`.
Rewrites:
- reader, `tt.copy_in(cb, "A", r0, c0, h, w, gr, gc)`: `cb_reserve_back(cb, h*w)`,
  `A_s_l1 = get_write_ptr(cb)`, for each tile (i, j) of the block (row-major)
  `noc_async_read_page((r0 + i) * Wt + c0 + j, A_acc, A_s_l1 + (i*w + j) * page)` (a
  tile past the tensor's edge, possible only when gr/gc is set, is zero-filled with
  `tt_fill_zeros(l1, page)` instead), one `noc_async_read_barrier()`, `cb_push_back`. A
  widened CB (`cb.widen`: a bfloat16 / float16 block read into a Float32 CB to keep the
  program in one exponent family) reads each tile into the upper half of its page and,
  after the barrier, widens it in place with `tt_widen_tile(l1, is_fp16)`.
- reader, `tt.index_block(cb, cond, i, j, yes, no, h, w)` (a mask, canonicalize_tile_program):
  `cb_reserve_back`, then per tile of the block either `tt_fill_tile(l1, page, v)` (every
  comparison of cond has one outcome on the tile: the same at its four corners) or
  `tt_mask_put(l1, elem_bytes, r, c, cond ? yes : no)` per element, `cb_push_back`; a value
  that is an index expression (cond then may be true) goes through `tt_f32_bits`.
- reader, `tt.im2col_in(cb, "img", row, col, h, w, scratch, N, H, W, C, kernel, stride,
  dilation, pad, OH, OW)` (a convolution's gather, canonicalize_tile_program): `cb_reserve_back`,
  the scratch tile reserved, `tt_im2col_tile(...)` per tile of the block (whole source tiles
  read into the scratch tile, their rows copied into place, padding rows zeroed), the
  scratch tile pushed, waited for and popped by the reader itself, `cb_push_back`.
- reader, `tt.elements_in(cb, "B", h, w, scratch, value, i, j)` (a block computed element by
  element, canonicalize_tile_program): `cb_reserve_back`, the scratch tile reserved, per
  element the value with each tensor element read by `tt_tensor_elem` (whole source tiles
  read into the scratch tile as they are needed) and written by `tt_mask_put` as fp32 bits,
  the scratch tile pushed, waited for and popped by the reader itself, `cb_push_back`.
- reader, `tt.print("msg", value?)` (T.print): `DPRINT("msg{}\n", value)` (TT-Metalium 0.81's
  format-string DPRINT; braces in the message doubled).
- reader, `tt.scaler_fill(cb)` (once per kernel): `cb_reserve_back(cb, 1)`,
  `tt_fill_scaler(get_write_ptr(cb), page, word)` (1.0 in the first row of every face,
  the rest zero; word = 1.0 in the CB's format, repeated to 32 bits), `cb_push_back`;
  compute waits for it before the block loop and pops it after.
- writer, `tt.copy_out(...)`: per transfer unit of the CB (the DST sub-block that
  compute packs, row-major over the block): `cb_wait_front(cb, n)`, `get_read_ptr`,
  `noc_async_write_page` per tile inside the tensor (tiles past the edge are
  skipped), one `noc_async_write_barrier()`, `cb_pop_front(cb, n)`.
- compute, `tt.cb_in(cb)` markers: `cb_wait_front(cb, n)` just before the first tile
  op that reads the CB and `cb_pop_front(cb, n)` at the end of the loop trip in which
  the block arrived.
- reader with the "tiled" work order (reuse="mcast"): a `tt.copy_in` whose tensor
  coordinates depend on `by` only (or `bx` only), outside any branch, of a core row
  (column) with more than one core, becomes the multicast handshake of `_mcast`:
  the sender reads and multicasts the block, receivers wait for it; both push. The
  reader gets the semaphore prologue / barrier epilogue; `tt.mcast` records the
  shared CBs, their axis and semaphore ids for finalize_persistent_signature.
Guarantees: per loop trip, every page a reader pushes is waited for and popped by
compute; every page compute will push (insert_dst_management) is popped by the writer.
`tt.pack_out` and the tile-math intrinsics are left to insert_dst_management.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir import dtypes, get_arch, tir
from tt_passes import _build as B
from tt_passes import _mcast, _meta, _sizes, _tileops
from tt_passes._base import TTPass, map_roles
from tt_passes._canon_elements import float_bits
from tt_passes._canon_masks import SELECTS, comparisons
from tt_passes.grid_to_core_grid import block_vars, persistent_loop

TILE = 32


# --- reader / writer ----------------------------------------------------------------
def _idx(name: str, extent: int) -> Any:
    return B.var(name) if extent > 1 else 0


def tiles_of(buf: Any) -> list:
    """A tensor's [tile rows, tile cols]: ints, or uint32 TIR of runtime-size units."""
    return [_sizes.expr(t) for t in buf.tiles]


def _inside(r: Any, c: Any, tiles: list, guard_r: int, guard_c: int) -> Any | None:
    conds = []
    if guard_r:
        conds.append(r < B.as_expr(tiles[0]))
    if guard_c:
        conds.append(c < B.as_expr(tiles[1]))
    if not conds:
        return None
    return conds[0] if len(conds) == 1 else tir.logical_and(conds[0], conds[1])


def read_block(cb: Any, buf: Any, acc: Any, args: list, mcast: dict | None = None) -> Any:
    r0, c0 = args[2], args[3]
    h, w, gr, gc = B.ints(args[4:8])
    l1 = B.var(f"{cb.name}_l1")
    i, j = _idx("i", h), _idx("j", w)
    r, c = B.add(r0, i), B.add(c0, j)
    addr = B.add(l1, B.mul(B.add(B.mul(i, w), j), cb.page_size))
    extent = tiles_of(buf)
    # a widened CB (propagate_tt_layout: one exponent family) takes the 2-byte tile in the
    # upper half of its Float32 page and widens it there once it has landed
    landing = B.add(addr, cb.page_size // 2) if cb.widen else addr
    read = B.extern("noc_async_read_page", B.add(B.mul(r, extent[1]), c0, j), acc, landing)
    cond = _inside(r, c, extent, gr, gc)
    if cond is not None:
        read = B.if_(cond, read, B.extern("tt_fill_zeros", addr, cb.page_size))
    tiles = _loops([(i, h), (j, w)], read)
    if cb.widen:
        widen = _loops([(i, h), (j, w)], B.extern("tt_widen_tile", addr, int(cb.widen == "Float16")))
        return B.seq(B.extern("cb_reserve_back", cb.index, h * w),
                     tir.Bind(l1, B.call("get_write_ptr", cb.index, ret=B.U32)),
                     tiles, B.extern("noc_async_read_barrier"), widen,
                     B.extern("cb_push_back", cb.index, h * w))
    if mcast is not None:
        tiles = _mcast.mcast_block(cb, mcast["axis"], mcast["vars"], mcast["num_dests"],
                                   tiles, l1, h * w, mcast["spread"])
        return B.seq(B.extern("cb_reserve_back", cb.index, h * w),
                     tir.Bind(l1, B.call("get_write_ptr", cb.index, ret=B.U32)),
                     tiles, B.extern("cb_push_back", cb.index, h * w))
    return B.seq(B.extern("cb_reserve_back", cb.index, h * w),
                 tir.Bind(l1, B.call("get_write_ptr", cb.index, ret=B.U32)),
                 tiles, B.extern("noc_async_read_barrier"),
                 B.extern("cb_push_back", cb.index, h * w))


def write_block(cb: Any, buf: Any, acc: Any, args: list) -> Any:
    r0, c0 = args[2], args[3]
    h, w, gr, gc = B.ints(args[4:8])
    sh, sw = cb.unit
    si, sj = _idx("si", h // sh), _idx("sj", w // sw)
    i, j = _idx("i", sh), _idx("j", sw)
    l1 = B.var(f"{cb.name}_l1")
    r = B.add(r0, B.mul(si, sh), i)
    c = B.add(c0, B.mul(sj, sw), j)
    addr = B.add(l1, B.mul(B.add(B.mul(i, sw), j), cb.page_size))
    extent = tiles_of(buf)
    write = B.extern("noc_async_write_page", B.add(B.mul(r, extent[1]), c0, B.mul(sj, sw), j),
                     acc, addr)
    cond = _inside(r, c, extent, gr, gc)
    if cond is not None:
        write = B.if_(cond, write)
    n = sh * sw
    unit = B.seq(B.extern("cb_wait_front", cb.index, n),
                 tir.Bind(l1, B.call("get_read_ptr", cb.index, ret=B.U32)),
                 _loops([(i, sh), (j, sw)], write), B.extern("noc_async_write_barrier"),
                 B.extern("cb_pop_front", cb.index, n))
    return _loops([(si, h // sh), (sj, w // sw)], unit)


def index_block(cb: Any, args: list) -> Any:
    """The reader's generated block of `tt.index_block`: per tile, when every comparison of the
    condition has one outcome over the tile (the same at its four corners: they are affine in
    i and j) and both values are constants, `tt_fill_tile` with that value; else each element
    by `tt_mask_put`, an index value converted by `tt_f32_bits`."""
    cond, i, j, yes, no = args[1:6]
    h, w = B.ints(args[6:8])
    l1 = B.var(f"{cb.name}_l1")
    ti, tj, r, c = _idx("ti", h), _idx("tj", w), B.var("r"), B.var("c")
    addr = B.add(l1, B.mul(B.add(B.mul(ti, w), tj), cb.page_size))
    dtype = tir.dtype_of(i)

    def at(e: Any, dr: Any, dc: Any) -> Any:
        row = tir.cast(dtype, B.add(B.mul(ti, TILE), dr))
        col = tir.cast(dtype, B.add(B.mul(tj, TILE), dc))
        return tir.substitute(e, {i: row, j: col})

    def bits(v: Any, dr: Any, dc: Any) -> Any:
        if tir.as_int(v) is not None and tir.dtype_of(v) == "uint32":
            return v  # a constant's fp32 bits
        return B.call("tt_f32_bits", at(v, dr, dc), ret=B.U32)

    ebytes = _elem_bytes(cb)
    constant = tir.as_int(yes) is not None and tir.as_int(no) is not None \
        and tir.dtype_of(yes) == tir.dtype_of(no) == "uint32"
    if tir.as_int(cond) == 1 and _free_of(yes, [i, j]):  # one value over the block
        body = B.extern("tt_fill_tile", addr, cb.page_size, bits(yes, 0, 0))
    elif tir.as_int(cond) == 1:  # an index value
        put = B.extern("tt_mask_put", addr, ebytes, r, c, bits(yes, r, c))
        body = B.loop(r, TILE, B.loop(c, TILE, put))
    else:
        put = B.if_(at(cond, r, c), B.extern("tt_mask_put", addr, ebytes, r, c, bits(yes, r, c)),
                    B.extern("tt_mask_put", addr, ebytes, r, c, bits(no, r, c)))
        body = B.loop(r, TILE, B.loop(c, TILE, put))
        if constant:
            uniform = None
            for atom in comparisons(cond, [i, j]):
                first = at(atom, 0, 0)
                for dr, dc in ((TILE - 1, 0), (0, TILE - 1), (TILE - 1, TILE - 1)):
                    same = tir.eq(first, at(atom, dr, dc))
                    uniform = same if uniform is None else tir.logical_and(uniform, same)
            fill = B.if_(at(cond, 0, 0), B.extern("tt_fill_tile", addr, cb.page_size, yes),
                         B.extern("tt_fill_tile", addr, cb.page_size, no))
            body = B.if_(uniform, fill, body)
    return B.seq(B.extern("cb_reserve_back", cb.index, h * w),
                 tir.Bind(l1, B.call("get_write_ptr", cb.index, ret=B.U32)),
                 _loops([(ti, h), (tj, w)], body),
                 B.extern("cb_push_back", cb.index, h * w))


def _free_of(e: Any, ivars: list) -> bool:
    return tir.find(e, lambda v: any(v.same_as(x) for x in ivars), types=tir.Var) is None


def gather_block(cb: Any, scratch: Any, acc: Any, args: list) -> Any:
    """The reader's im2col gather of `tt.im2col_in`: per tile of the block,
    `tt_im2col_tile(acc, l1, scratch_l1, elem_bytes, m0, k0, N, H, W, C, kernel, stride,
    dilation, pad, OH, OW)` (m0, k0: the tile's first output pixel and K index) reads whole
    source tiles into the scratch tile and copies their rows into place. The scratch page
    is reserved for the block and then pushed and popped by the reader itself."""
    row, col = args[2], args[3]
    h, w = B.ints(args[4:6])
    conv = B.ints(args[7:17])
    l1, sl1 = B.var(f"{cb.name}_l1"), B.var(f"{scratch.name}_l1")
    ti, tj = _idx("ti", h), _idx("tj", w)
    addr = B.add(l1, B.mul(B.add(B.mul(ti, w), tj), cb.page_size))
    ebytes = _elem_bytes(cb)
    tile = B.extern("tt_im2col_tile", acc, addr, sl1, ebytes, B.mul(B.add(row, ti), TILE),
                    B.mul(B.add(col, tj), TILE), *conv)
    return B.seq(B.extern("cb_reserve_back", cb.index, h * w),
                 tir.Bind(l1, B.call("get_write_ptr", cb.index, ret=B.U32)),
                 B.extern("cb_reserve_back", scratch.index, 1),
                 tir.Bind(sl1, B.call("get_write_ptr", scratch.index, ret=B.U32)),
                 _loops([(ti, h), (tj, w)], tile),
                 B.extern("cb_push_back", scratch.index, 1),
                 B.extern("cb_wait_front", scratch.index, 1),
                 B.extern("cb_pop_front", scratch.index, 1),
                 B.extern("cb_push_back", cb.index, h * w))


def matrix_position(buf: Any, idx: list) -> list:
    """[row, col] of a tensor element in the tile matrix the tensor is stored as: a rank-1
    tensor is row 0; a rank-3/4 tensor is a stack of 2-D matrices, the leading dims other than
    the row dim folded in order (as lower_tt_tile_intrinsics folds a copy's region)."""
    if len(idx) <= 2:  # a rank-1 tensor is row 0
        return [B.u32(0), idx[0]] if len(idx) == 1 else list(idx)
    rank = len(idx)
    row_dim = buf.row_dim if buf.row_dim is not None else rank - 2
    row, stride = idx[row_dim], int(buf.shape[row_dim])  # static: _canon_elements checked
    for d in reversed([d for d in range(rank - 1) if d != row_dim]):
        row = row + idx[d] * stride
        stride *= int(buf.shape[d])
    return [row, idx[-1]]


def elements_block(cb: Any, scratch: Any, buf: Any, acc: Any, args: list) -> Any:
    """The reader's block of `tt.elements_in`: per element (r, c) of each tile (ti, tj), the
    value with i = ti * 32 + r, j = tj * 32 + c and each tensor element read by
    `tt_tensor_elem(acc, scratch_l1, cached, row, col, tile_rows, tiles_per_row, elem_bytes)`
    (its tile read into the scratch tile when it is not the one already there; 0 past the
    tensor's tiles), written as fp32 bits
    by `tt_mask_put`. The scratch page is reserved for the block, then pushed and popped by
    the reader itself."""
    h, w = B.ints(args[2:4])
    value, i, j = args[5], args[6], args[7]
    l1, sl1, cached = B.var(f"{cb.name}_l1"), B.var(f"{scratch.name}_l1"), B.var("cached_tile")
    ti, tj, r, c = _idx("ti", h), _idx("tj", w), B.var("r"), B.var("c")
    addr = B.add(l1, B.mul(B.add(B.mul(ti, w), tj), cb.page_size))
    src_bytes = dtypes.tile_bytes(buf.data_format) // (TILE * TILE)  # 1, 2 or 4

    def raw_element(load: Any) -> Any:  # the element's bits
        row, col = (tir.cast(B.U32, x) for x in matrix_position(buf, list(load.indices)))
        return B.call("tt_tensor_elem", acc, sl1, cached, row, col, *tiles_of(buf),
                      src_bytes, ret=B.U32)

    def element(load: Any) -> Any:
        return tir.cast(tir.dtype_of(load), raw_element(load))

    def bit_cast(call: Any) -> Any:  # reinterpret(T, x) -> tt_bit_cast<T>(x) (T: its dtype)
        if tir.op_name(call) in SELECTS:  # a scalar select: C++'s `c ? a : b`
            return tir.Select(*call.args)
        if tir.op_name(call) not in ("tirx.reinterpret", "tir.reinterpret"):
            return call
        to, (x,) = tir.dtype_of(call), call.args
        return tir.call_extern(to, "tt_bit_cast", tir.cast(tir.dtype_of(x), x))

    dtype = tir.dtype_of(i)
    at = {i: tir.cast(dtype, B.add(B.mul(ti, TILE), r)), j: tir.cast(dtype, B.add(B.mul(tj, TILE), c))}
    bits = float_bits(value)  # a float given as its bits: they go into the tile as they are
    if isinstance(value, tir.TensorLoad) and str(tir.dtype_of(value)).startswith(("float", "bfloat")):
        bits = value  # a float element of the block's own dtype: its bits, as they are
        computed = raw_element(value)
    else:
        computed = tir.rewrite(tir.rewrite(value if bits is None else bits, element,
                                           types=tir.TensorLoad), bit_cast, types=tir.Call)
    computed = tir.substitute(computed, at)
    if bits is not None:
        word = tir.cast(B.U32, computed)
        word = word if _elem_bytes(cb) == 4 else B.mul(word, 65536)  # 2 bytes: the upper half
    else:
        word = B.call("tt_f32_bits", tir.cast("int32", computed), ret=B.U32)
    put = B.extern("tt_mask_put", addr, _elem_bytes(cb), r, c, word)
    return B.seq(B.extern("cb_reserve_back", cb.index, h * w),
                 tir.Bind(l1, B.call("get_write_ptr", cb.index, ret=B.U32)),
                 B.extern("cb_reserve_back", scratch.index, 1),
                 tir.Bind(sl1, B.call("get_write_ptr", scratch.index, ret=B.U32)),
                 tir.Bind(cached, B.u32(0xFFFFFFFF)),
                 _loops([(ti, h), (tj, w)], B.loop(r, TILE, B.loop(c, TILE, put))),
                 B.extern("cb_push_back", scratch.index, 1),
                 B.extern("cb_wait_front", scratch.index, 1),
                 B.extern("cb_pop_front", scratch.index, 1),
                 B.extern("cb_push_back", cb.index, h * w))


# the 32-bit word tt_fill_scaler repeats over the first row of each face: 1.0 twice (16-bit
# formats) or once (Float32)
SCALER_WORD = {"Float16_b": 0x3F803F80, "Float16": 0x3C003C00, "Float32": 0x3F800000}


def fill_scaler(cb: Any) -> Any:
    """The reader's one-time fill of a reduction's scaler tile (1.0 in row 0 of each face)."""
    l1 = B.var(f"{cb.name}_l1")
    return B.seq(B.extern("cb_reserve_back", cb.index, 1),
                 tir.Bind(l1, B.call("get_write_ptr", cb.index, ret=B.U32)),
                 B.extern("tt_fill_scaler", l1, cb.page_size, B.u32(SCALER_WORD[cb.data_format])),
                 B.extern("cb_push_back", cb.index, 1))


def _elem_bytes(cb: Any) -> int:
    """Bytes of one element of a CB's tiles (4 for Float32, else 2)."""
    return 4 if cb.data_format == "Float32" else 2


def _loops(nest: list, body: Any) -> Any:
    for v, n in reversed(nest):
        if n > 1:
            body = B.loop(v, n, body)
    return body


def lower_moves(body: Any, cbs: dict, buffers: dict, accs: dict,
                shared: dict | None = None) -> Any:
    shared = shared or {}

    def visit(stmt: Any) -> Any:
        hit = B.intrinsic_of(stmt)
        if hit is not None and hit[0] == "tt.scaler_fill":
            return fill_scaler(cbs[tir.as_int(hit[1][0])])
        if hit is not None and hit[0] == "tt.index_block":
            return index_block(cbs[tir.as_int(hit[1][0])], hit[1])
        if hit is not None and hit[0] == "tt.print":  # T.print: DPRINT("msg{}\n", value)
            msg = B.string(hit[1][0]).replace("{", "{{").replace("}", "}}")
            value = hit[1][1:]
            return B.extern("DPRINT", tir.StringImm(msg + ("{}" if value else "") + "\n"), *value)
        if hit is not None and hit[0] == "tt.elements_in":
            args = hit[1]
            buf = buffers[B.string(args[1])]
            return elements_block(cbs[tir.as_int(args[0])], cbs[tir.as_int(args[4])], buf,
                                  accs[buf.name], args)
        if hit is not None and hit[0] == "tt.im2col_in":
            args = hit[1]
            return gather_block(cbs[tir.as_int(args[0])], cbs[tir.as_int(args[6])],
                                accs[B.string(args[1])], args)
        if hit is None or hit[0] not in ("tt.copy_in", "tt.copy_out"):
            return stmt
        name, args = hit
        cb, buf = cbs[tir.as_int(args[0])], buffers[B.string(args[1])]
        if name == "tt.copy_in":
            return read_block(cb, buf, accs[buf.name], args, shared.get(cb.index))
        return write_block(cb, buf, accs[buf.name], args)

    return tir.rewrite(body, visit, types=tir.Evaluate)


# --- reader: multicast (reuse="mcast") ---------------------------------------------------
def shared_copies(body: Any, cbs: dict, work: Any, max_sems: int) -> dict:
    """{CB index: {"cb", "axis", "sems", "num_dests"}} of the copies to multicast."""
    if work.order != "tiled":
        return {}
    cx, cy = work.grid[0] // work.tile[0], work.grid[1] // work.tile[1]
    allowed = _mcast.lockstep_loop_vars(body, persistent_loop(body))
    block = block_vars(body)
    axes: dict = {}   # CB index -> the axis of every copy site (None: not shareable)
    for stmt in tir.collect(body, tir.Evaluate):
        hit = B.intrinsic_of(stmt)
        if hit is None or hit[0] != "tt.copy_in":
            continue
        axis = _mcast.shared_axis(hit[1], allowed, block)
        if _mcast.under_branch(body, stmt):
            axis = None
        axes.setdefault(tir.as_int(hit[1][0]), []).append(axis)
    out: dict = {}
    for index, sites in axes.items():
        axis = sites[0]
        num_dests = (cx if axis == "row" else cy) - 1
        if axis is None or set(sites) != {axis} or num_dests < 1 or cbs[index].widen:
            continue
        if 2 * (len(out) + 1) > max_sems:
            break
        out[index] = {"cb": cbs[index].name, "axis": axis, "num_dests": num_dests,
                      "sems": [2 * len(out), 2 * len(out) + 1],
                      "vars": _mcast.reader_vars(cbs[index].name, axis)}
    spread = {m["axis"] for m in out.values()} == {"row", "col"} and _mcast.spread_senders(cx, cy)
    for m in out.values():
        m["spread"] = spread
    return out


def with_mcast_frame(body: Any, shared: dict) -> Any:
    if not shared:
        return body
    head = [s for m in shared.values()
            for s in _mcast.prologue(m["cb"], m["axis"], m["sems"], m["vars"])]
    return B.seq(*head, body, *_mcast.epilogue())


def accessor_vars(body: Any, accessors: list) -> dict:
    """{tensor name: accessor Var} from the `TensorAccessor` Binds, each matched to its tensor
    by its compile-time-arg offset (the kernel's accessor table: [{"buffer", "cta_offset"}])."""
    buffer_at = {a["cta_offset"]: a["buffer"] for a in accessors}
    out = {}
    for bind in tir.collect(body, tir.Bind):
        if tir.extern_name(bind.value) == "TensorAccessor":
            out[buffer_at[tir.as_int(bind.value.args[1])]] = bind.var
    return out


# --- compute ------------------------------------------------------------------------
def pops_of(stmt: Any) -> set:
    """CB indices popped (explicit `cb_pop_front`) under `stmt`."""
    return {tir.as_int(c.args[1]) for c in tir.collect(stmt, tir.Call)
            if tir.extern_name(c) == "cb_pop_front"}


class _ComputeWaits(B.SeqRewriter):
    def __init__(self, cbs: dict):
        self.cbs = cbs

    def seq(self, stmts: list) -> Any:
        out, pending, arrived = [], [], []
        for s in _hoist_markers(stmts):
            hit = B.intrinsic_of(s)
            if hit is not None and hit[0] == "tt.cb_in":
                cb = self.cbs[tir.as_int(hit[1][0])]
                pending.append(cb)
                arrived.append(cb)
                continue
            needed = _tileops.reads_of(s)
            waits = [B.extern("cb_wait_front", cb.index, cb.block_tiles)
                     for cb in pending if cb.index in needed]
            pending = [cb for cb in pending if cb.index not in needed]
            out.append(_prepend(waits, self.stmt(s)))
            # a loop that rewrote a value in place (pushed the new block, popped the old)
            # leaves a new block at the front: the next reader waits for it again
            popped = pops_of(s)
            pending += [cb for cb in arrived if cb.index in popped and cb not in pending]
        # a value nothing read (dead on chip) is waited for before it is popped
        unread = [B.extern("cb_wait_front", cb.index, cb.block_tiles) for cb in pending]
        pops = [B.extern("cb_pop_front", cb.index, cb.block_tiles) for cb in arrived]
        return B.seq(*out, *unread, *pops)


def _hoist_markers(stmts: list) -> list:
    """`tt.cb_in` markers that end a commented op (an on-chip value it produced) move
    after the comment, into the sequence the value lives in."""
    out = []
    for s in stmts:
        text, body = B.unwrap_comment(s)
        items = B.items(body) if text is not None else []
        k = len(items)
        while k and (B.intrinsic_of(items[k - 1]) or ("",))[0] == "tt.cb_in":
            k -= 1
        if text is None or k == len(items) or k == 0:
            out.append(s)
            continue
        out.append(B.comment(text, B.seq(*items[:k])))
        out.extend(items[k:])
    return out


def _prepend(waits: list, s: Any) -> Any:
    if not waits:
        return s
    text, body = B.unwrap_comment(s)
    return B.comment(text, B.seq(*waits, body)) if text is not None else B.seq(*waits, s)


# --- pass ---------------------------------------------------------------------------
@dataclass
class LowerCBIntrinsics(TTPass):
    name = "lower_cb_intrinsics"
    arch: str = "wormhole_b0"

    def run(self, mod: Any) -> Any:
        cbs = {cb.index: cb for cb in _meta.get(mod, _meta.CBS, [])}
        buffers = _meta.by_name(_meta.get(mod, _meta.BUFFERS, []))
        work = _meta.get(mod, _meta.WORK)
        tables = {k.role: k.accessors for k in _meta.get(mod, _meta.KERNELS, [])}
        records: list = []

        def lower(role: str, func: Any) -> Any:
            if role == "compute":
                return func.with_body(_ComputeWaits(cbs).stmt(func.body))
            shared = {}
            if role == "reader" and work is not None:
                shared = shared_copies(func.body, cbs, work, get_arch(self.arch).num_semaphores)
                records.extend({k: m[k] for k in ("cb", "axis", "sems", "spread")} for m in shared.values())
            body = lower_moves(func.body, cbs, buffers, accessor_vars(func.body, tables.get(role, [])),
                               shared)
            return func.with_body(with_mcast_frame(body, shared))

        mod = map_roles(mod, lower)
        return _meta.put(mod, _meta.MCAST, records) if records else mod


def lower_cb_intrinsics(**options: Any) -> Any:
    """The `lower_cb_intrinsics` pass as a TVM pass (options: arch)."""
    return LowerCBIntrinsics(**options).as_tvm_pass()
