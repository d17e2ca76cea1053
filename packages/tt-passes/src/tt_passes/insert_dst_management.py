"""insert_dst_management: DST register protocol, sub-blocking and packing in compute.

Requires: `lower_cb_intrinsics` (compute waits/pops its input CBs); the compute
kernel still holds `tt.matmul_block`, `tt.binary_block`, `tt.unary_block`,
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
  sums are packed to the partials CB at the end of every K trip but the last and
  reloaded with `copy_tile` at the start of the next (`if k > 0`); only the last K
  trip applies the epilogue and packs to C. So partial sums stay exact across K.
`matmul_tiles(A, B, a, b, dst)` indexes A's block row-major (m*Kt + k) and B's
(k*Nt + n, or n*Kt + k with transpose_B), both counted from the CB front.
Guarantees: every DST index is < capacity; acquire/commit/wait/release are balanced
on every path; every page pushed to C or the partials CB is later popped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir import tir
from tt_passes import _build as B
from tt_passes import _meta
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


def _idx(name: str, extent: int) -> Any:
    return B.var(name) if extent > 1 else 0


def pack(cb: int, n: int) -> Any:
    t = _idx("t", n)
    return B.seq(B.extern("cb_reserve_back", cb, n), B.extern("tile_regs_wait"),
                 _loops([(t, n)], B.extern("pack_tile", t, cb)),
                 B.extern("tile_regs_release"), B.extern("cb_push_back", cb, n))


def reload(cb: int, n: int) -> Any:
    t = _idx("t", n)
    return B.seq(B.extern("cb_wait_front", cb, n), _loops([(t, n)], B.extern("copy_tile", cb, t, t)),
                 B.extern("cb_pop_front", cb, n))


def sfpu(unary: list, n: int) -> Any:
    stmts = []
    for op, text in unary:
        t = _idx("t", n)
        stmts.append(B.comment(text, _loops([(t, n)], B.extern(SFPU[op], t))))
    return B.seq(*stmts) if stmts else None


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


# --- collect -----------------------------------------------------------------------
def matmul_configs(body: Any) -> list:
    """[{"in0", "in1", "transpose"}] of the gemms (matmul_init needs the transpose flag)."""
    out: list = []

    def visit(s: Any) -> None:
        hit = B.intrinsic_of(s)
        if hit is not None and hit[0] == "tt.matmul_block":
            a, b, _, _, _, _, tr = B.ints(hit[1])
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
    name, args = hit
    pos = {"tt.matmul_block": 2, "tt.binary_block": 3, "tt.unary_block": 1,
           "tt.acc_clear": 0, "tt.pack_out": 0}.get(name)
    if pos is None:
        return None
    return tir.as_int(args[pos])


def _replace(stmt: Any, target: Any, new: Any) -> Any:
    return tir.rewrite(stmt, lambda s: new if s.same_as(target) else s, types=tir.Evaluate)


class _DstPlanner:
    """Rewrites one sequence holding `tt.pack_out(C)` and the ops that produce C."""

    def __init__(self, cbs: dict):
        self.cbs = cbs
        self.partials = {cb.name[: -len("_partials")]: cb for cb in cbs.values()
                         if cb.role == "intermediate"}

    def stmt(self, s: Any) -> Any:
        if isinstance(s, tir.SeqStmt):
            return self.seq(list(s.seq))
        if isinstance(s, tir.For):
            return tir.For(s.loop_var, s.min, s.extent, s.kind, self.stmt(s.body))
        if isinstance(s, tir.AttrStmt):
            return tir.AttrStmt(s.node, s.attr_key, s.value, self.stmt(s.body))
        return s

    def seq(self, stmts: list) -> Any:
        for p, s in enumerate(stmts):
            hit = B.intrinsic_of(s)
            if hit is not None and hit[0] == "tt.pack_out":
                return self.seq(self.plan(stmts, p, tir.as_int(hit[1][0])))
        return B.seq(*[self.stmt(s) for s in stmts])

    def plan(self, stmts: list, p: int, out: int) -> list:
        cb = self.cbs[out]
        q = next((k for k in range(p - 1, -1, -1)
                  if _find_op(stmts[k], ("tt.matmul_block", "tt.binary_block"), out) is not None),
                 None)
        assert q is not None, f"no producer for CB {cb.name}"
        unary, rest = [], []
        for k, s in enumerate(stmts):
            hit = B.intrinsic_of(B.unwrap_comment(s)[1])
            if q < k < p and hit is not None and hit[0] == "tt.unary_block" and _out_cb(hit) == out:
                unary.append((B.string(hit[1][0]), B.unwrap_comment(s)[0]))
            elif hit is not None and hit[0] == "tt.acc_clear" and _out_cb(hit) == out:
                continue
            elif k != p:
                rest.append(s)
        producer = stmts[q]
        at = rest.index(producer)
        rest[at] = self.produce(producer, cb, unary)
        return rest

    def produce(self, producer: Any, cb: Any, unary: list) -> Any:
        op = _find_op(producer, ("tt.matmul_block", "tt.binary_block"), cb.index)
        name, args = B.intrinsic_of(op)
        n = cb.unit_tiles
        si, sj = _idx("si", cb.block[0] // cb.unit[0]), _idx("sj", cb.block[1] // cb.unit[1])
        nest = [(si, cb.block[0] // cb.unit[0]), (sj, cb.block[1] // cb.unit[1])]
        if name == "tt.binary_block":
            math = binary_tiles(B.string(args[0]), args[1:], cb.unit, si, sj)
            return _replace(producer, op, _loops(nest, self.section(math, unary, cb, n)))
        math = matmul_tiles(args, cb.unit, si, sj)
        if cb.unit == cb.block:  # DST holds the whole block across K
            body = _replace(producer, op, math)
            return B.seq(B.extern("tile_regs_acquire"), body, sfpu(unary, n),
                         B.extern("tile_regs_commit"), pack(cb.index, n))
        partial = self.partials.get(cb.name)
        if partial is None or not isinstance(producer, tir.For):
            return _replace(producer, op, _loops(nest, self.section(math, unary, cb, n)))
        return _replace(producer, op, _loops(nest, self.spill(producer, math, unary, cb,
                                                              partial, n)))

    def section(self, math: Any, unary: list, cb: Any, n: int) -> Any:
        return B.seq(B.extern("tile_regs_acquire"), math, sfpu(unary, n),
                     B.extern("tile_regs_commit"), pack(cb.index, n))

    def spill(self, loop: Any, math: Any, unary: list, cb: Any, partial: Any, n: int) -> Any:
        k, last = loop.loop_var, tir.as_int(loop.extent) - 1
        is_last = tir.eq(k, B.u32(last))
        epilogue = sfpu(unary, n)
        return B.seq(B.extern("tile_regs_acquire"),
                     B.if_(k > B.u32(0), reload(partial.index, n)), math,
                     B.if_(is_last, epilogue) if epilogue is not None else None,
                     B.extern("tile_regs_commit"),
                     B.if_(is_last, pack(cb.index, n), pack(partial.index, n)))


# --- pass ------------------------------------------------------------------------
@dataclass
class InsertDstManagement(TTPass):
    name = "insert_dst_management"

    def run(self, mod: Any) -> Any:
        cbs = {cb.index: cb for cb in _meta.get(mod, _meta.CBS, [])}
        gv, func = role_funcs(mod)["compute"]
        matmuls = matmul_configs(func.body)
        body = _DstPlanner(cbs).stmt(func.body)
        mod = replace_func(mod, gv, func.with_body(body))
        return _meta.put(mod, _meta.MATMULS, matmuls)


def insert_dst_management() -> Any:
    """The `insert_dst_management` pass as a TVM pass."""
    return InsertDstManagement().as_tvm_pass()
