"""insert_compute_init: hardware start-up and the init before each kind of tile op.

Requires: `insert_dst_management` (compute holds matmul_tiles / add_tiles / sub_tiles
/ mul_tiles / copy_tile / SFPU ops on DST (tt_passes._expr) / pack_tile), `tt.cbs`, `tt.matmuls`.
Rewrites: `compute_kernel_hw_startup(in0, in1, out)` once, after the runtime-arg
binds; then, walking the kernel in program order with the engine state
(the op the math/unpack engines are set up for, the srcA data format, the pack
format), an init wherever an op needs a different state:
`matmul_init(in0, in1, transpose)`, `add_init/sub_init/mul_init(in0, in1)`,
`{add,sub,mul}_bcast_{cols,rows}_init(in0, in1)` (the FPU broadcasts),
`copy_init(cb)` (0.81.1 renamed copy_tile_init), the SFPU inits (`relu_tile_init()`,
`exp_tile_init()`, `add_binary_tile_init()`, `binop_with_scalar_tile_init()` for every
DST-op-scalar op, `fill_tile_init()`, ...), and, only when CB data formats differ
(fp32 partials of a bf16 gemm), `reconfig_data_format_srca(cb)`, `reconfig_data_format_srcb(cb)`
(srcB: a matmul's in0, an FPU binary's / broadcast's second operand, a reduction's scaler)
and `pack_reconfig_data_format(cb)`. An init needed at the top of a loop is hoisted
before it when the loop body leaves the state unchanged; a body that switches ops
(copy -> matmul -> relu) re-inits inside the loop, at each switch.
Reductions carry their own `reduce_init<...>(src, scaler, out)` / `reduce_uninit(src)`
(insert_dst_management): they set / clear the op state here (a srcA format reconfig goes
before reduce_init when needed), and with no matmul/binary op hw_startup takes the first
reduction's source and scaler CBs.
What each call needs (the CBs it unpacks and packs, its init and the init's operands, or that
it is an init itself) is its row of `tt_passes._tileops.COMPUTE_CALLS`; this pass keeps no
table of calls of its own.
Guarantees: every tile op runs with its engines configured for it, on every path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir import tir
from tt_passes import _build as B
from tt_passes import _meta, _tileops
from tt_passes._base import TTPass, replace_func, role_funcs

KEYS = ("srca", "srcb", "op", "pack")
WIDE_FORMATS = ("Float32", "Int32", "UInt32")  # unary_bcast moves these to DST through srcA


# --- decide ----------------------------------------------------------------------
class _Needs:
    """What each compute call needs from the engines, read from its registry row
    (`tt_passes._tileops.COMPUTE_CALLS`). An op state is the init call that sets it up, with
    its arguments: `("matmul_init", in0, in1, transpose)`, `("exp_tile_init",)`."""

    def __init__(self, cbs: dict, matmuls: list):
        self.fmt = {i: cb.data_format for i, cb in cbs.items()}
        self.transpose = {(m["in0"], m["in1"]): m["transpose"] for m in matmuls}

    def of(self, stmt: Any) -> dict:
        name = tir.extern_name(stmt.value) if isinstance(stmt, tir.Evaluate) else None
        row = _tileops.compute_call(name) if name is not None else None
        if row is None:
            return {}
        args = B.ints(stmt.value.args[1:])
        need: dict = {}
        for key, pos in (("srca", row.srca), ("srcb", row.srcb), ("pack", row.pack)):
            if pos is not None:
                need[key] = (self.fmt[args[pos]], args[pos])
        if row.bcast_unpack and ("NONE" in name or self.fmt[args[0]] in WIDE_FORMATS):
            need["srca"] = need.pop("srcb")  # a scalar broadcast, or 32-bit data: via srcA
        if row.init:
            template = name[len(row.name):] if row.init_template else ""
            need["op"] = (row.init + template, *(self._init_arg(a, args) for a in row.init_args))
        if row.explicit:
            need["set_op"] = (name, *args)
        if row.uninit:
            need["set_op"] = None
        return need

    def _init_arg(self, pos: Any, args: list) -> int:
        if pos == "transpose":
            return self.transpose.get((args[0], args[1]), 0)
        return args[pos]


def init_stmt(key: str, need: tuple) -> Any:
    """The statement that sets engine `key` up as `need` says."""
    if key == "srca":
        return B.extern("reconfig_data_format_srca", need[1])
    if key == "srcb":
        return B.extern("reconfig_data_format_srcb", need[1])
    if key == "pack":
        return B.extern("pack_reconfig_data_format", need[1])
    return B.extern(*need)


def _same(key: str, have: Any, need: Any) -> bool:
    if have is None:
        return False
    if key in ("srca", "srcb", "pack"):
        return have[0] == need[0]  # only the data format matters
    return have == need


# --- rewrite ---------------------------------------------------------------------
class _Inits:
    def __init__(self, needs: _Needs):
        self.needs = needs

    def stmt(self, s: Any, st: dict) -> tuple[Any, dict]:
        if isinstance(s, tir.SeqStmt):
            out = []
            for x in s.seq:
                x, st = self.stmt(x, st)
                out.append(x)
            return B.seq(*out), st
        if isinstance(s, tir.AttrStmt):
            body, st = self.stmt(s.body, st)
            return tir.AttrStmt(s.node, s.attr_key, s.value, body), st
        if isinstance(s, tir.IfThenElse):
            return self.branch(s, st)
        if isinstance(s, tir.For):
            return self.loop(s, st)
        if isinstance(s, tir.Evaluate):
            return self.call(s, st)
        return s, st

    def call(self, s: Any, st: dict) -> tuple[Any, dict]:
        need = self.needs.of(s)
        pre, st = [], dict(st)
        for key in KEYS:
            if key in need and not _same(key, st[key], need[key]):
                pre.append(init_stmt(key, need[key]))
                st[key] = need[key]
        if "set_op" in need:
            st["op"] = need["set_op"]
        return (B.seq(*pre, s) if pre else s), st

    def branch(self, s: Any, st: dict) -> tuple[Any, dict]:
        then, st_then = self.stmt(s.then_case, st)
        other, st_else = (self.stmt(s.else_case, st) if s.else_case is not None else (None, st))
        merged = {k: st_then[k] if st_then[k] == st_else[k] else None for k in KEYS}
        return tir.IfThenElse(s.condition, then, other), merged

    def loop(self, s: Any, st: dict) -> tuple[Any, dict]:
        hoisted, entry = {}, dict(st)
        for key, need in first_needs(s.body, self.needs).items():
            if not _same(key, entry[key], need):
                hoisted[key] = need
                entry[key] = need
        for _ in range(4):
            body, out = self.stmt(s.body, entry)
            merged = {k: entry[k] if entry[k] == out[k] else None for k in KEYS}
            if merged == entry:
                break
            entry = merged
        loop = tir.For(s.loop_var, s.min, s.extent, s.kind, body)
        # a hoisted init survives only if the body keeps that state (else it re-inits inside)
        pre = [init_stmt(k, need) for k, need in hoisted.items() if entry[k] == need]
        return B.seq(*pre, loop), entry


def first_needs(stmt: Any, needs: _Needs) -> dict:
    """Per engine key, what the first op on every path through `stmt` needs."""
    found: dict = {}
    blocked: set = set()

    def visit(s: Any) -> None:
        if isinstance(s, tir.SeqStmt):
            for x in s.seq:
                visit(x)
        elif isinstance(s, (tir.AttrStmt, tir.For)):
            visit(s.body)
        elif isinstance(s, tir.IfThenElse):
            for x in (s.then_case, s.else_case):
                if x is not None:
                    blocked.update(first_needs(x, needs))
        elif isinstance(s, tir.Evaluate):
            for key, need in needs.of(s).items():
                if key == "set_op":  # an explicit init: later ops see its state
                    blocked.add("op")
                elif key not in found and key not in blocked:
                    found[key] = need

    visit(stmt)
    return found


def hw_startup_cbs(body: Any, needs: _Needs) -> tuple:
    """compute_kernel_hw_startup's CBs: the first two CB operands of the first FPU op (else of
    the first reduction, else the first copied CB twice), the first output CB packed, and
    whether the op unpacks them in reverse (matmul)."""
    calls = [(row, B.ints(e.value.args[1:])) for e in tir.collect(body, tir.Evaluate)
             if (row := _tileops.compute_call(tir.extern_name(e.value) or "")) is not None]
    first = next((c for rank in (1, 2) for c in calls if c[0].startup == rank), None)
    if first is None:  # copy / unary_bcast + SFPU only: both unpackers for the first CB read
        cb = next(n["srca"][1] for n in map(needs.of, tir.collect(body, tir.Evaluate))
                  if "srca" in n)
        first = (None, [cb, cb])
    row, args = first
    return args[0], args[1], row is not None and row.reverse


# --- pass ------------------------------------------------------------------------
@dataclass
class InsertComputeInit(TTPass):
    name = "insert_compute_init"

    def run(self, mod: Any) -> Any:
        cbs = {cb.index: cb for cb in _meta.get(mod, _meta.CBS, [])}
        needs = _Needs(cbs, _meta.get(mod, _meta.MATMULS, []) or [])
        gv, func = role_funcs(mod)["compute"]
        in0, in1, reverse = hw_startup_cbs(func.body, needs)
        out = next(n["pack"][1] for n in map(needs.of, tir.collect(func.body, tir.Evaluate))
                   if "pack" in n and cbs[n["pack"][1]].role == "output")
        # hw_startup configures the sources for the first op (matmul feeds in1 to srcA) and pack for out
        src, srcb = (in1, in0) if reverse else (in0, in1)
        state = {"srca": (cbs[src].data_format, src), "srcb": (cbs[srcb].data_format, srcb),
                 "op": None, "pack": (cbs[out].data_format, out)}
        stmts = B.items(func.body)
        lead = 0
        while lead < len(stmts) and isinstance(stmts[lead], tir.Bind):
            lead += 1
        rest, _ = _Inits(needs).stmt(B.seq(*stmts[lead:]), state)
        startup = "compute_kernel_hw_startup<SrcOrder::Reverse>" if reverse \
            else "compute_kernel_hw_startup"  # Reverse: matmul's in0 -> srcB, in1 -> srcA
        body = B.seq(*stmts[:lead], B.extern(startup, in0, in1, out), rest)
        return replace_func(mod, gv, func.with_body(body))


def insert_compute_init() -> Any:
    """The `insert_compute_init` pass as a TVM pass."""
    return InsertComputeInit().as_tvm_pass()
