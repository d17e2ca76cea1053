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
Guarantees: every tile op runs with its engines configured for it, on every path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir import tir
from tt_passes import _build as B
from tt_passes import _expr, _meta, _tileops
from tt_passes._base import TTPass, replace_func, role_funcs

KEYS = ("srca", "srcb", "op", "pack")
BINARY_INIT = {"add_tiles": "add_init", "sub_tiles": "sub_init", "mul_tiles": "mul_init",
               **{f: f.replace("_tiles_bcast_", "_bcast_") + "_init"
                  for f in _expr.BCAST.values()}}  # sub_tiles_bcast_cols -> sub_bcast_cols_init
WIDE_FORMATS = ("Float32", "Int32", "UInt32")  # unary_bcast moves these to DST through srcA

# SFPU ops on DST -> their init (all binop-with-scalar ops share one)
SFPU_INIT = {**{u.call: u.init_call for u in _tileops.SFPU_UNARY.values()},
             **{f: f + "_init" for f in (*_tileops.SFPU_BINARY.values(), "unary_max_tile",
                                         "unary_min_tile")},
             **{f: "binop_with_scalar_tile_init" for f in _tileops.SFPU_SCALAR.values()
                if f not in ("unary_max_tile", "unary_min_tile")},
             "fill_tile_bitcast": "fill_tile_init"}


# --- decide ----------------------------------------------------------------------
class _Needs:
    """What each compute call needs from the engines."""

    def __init__(self, cbs: dict, matmuls: list):
        self.fmt = {i: cb.data_format for i, cb in cbs.items()}
        self.transpose = {(m["in0"], m["in1"]): m["transpose"] for m in matmuls}
        self.of_first_is_matmul = False

    def of(self, stmt: Any) -> dict:
        name = tir.extern_name(stmt.value) if isinstance(stmt, tir.Evaluate) else None
        if name is None:
            return {}
        args = B.ints(stmt.value.args[1:])
        if name == "matmul_tiles":  # in1 is unpacked to srcA, in0 to srcB
            a, b = args[0], args[1]
            return {"srca": (self.fmt[b], b), "srcb": (self.fmt[a], a),
                    "op": ("matmul", a, b, self.transpose.get((a, b), 0))}
        if name in BINARY_INIT:
            return {"srca": (self.fmt[args[0]], args[0]), "srcb": (self.fmt[args[1]], args[1]),
                    "op": (name, args[0], args[1])}
        if name == "copy_tile":
            return {"srca": (self.fmt[args[0]], args[0]), "op": ("copy", args[0])}
        if name in SFPU_INIT:
            return {"op": (SFPU_INIT[name],)}
        if name.startswith("typecast_tile<"):  # typecast_tile<IN, OUT> -> its init<IN, OUT>
            return {"op": (name.replace("typecast_tile<", "typecast_tile_init<"),)}
        if name == "transpose_init":  # explicit, beside its transpose_tile
            return {"srca": (self.fmt[args[0]], args[0]), "set_op": ("transpose", *args)}
        if name.startswith("unary_bcast_init<"):  # explicit, beside its unary_bcast: a row /
            # column / scalar broadcast unpacks to srcB (32-bit data to DST through srcA)
            reg = "srca" if "NONE" in name or self.fmt[args[0]] in WIDE_FORMATS else "srcb"
            return {reg: (self.fmt[args[0]], args[0]), "set_op": ("unary_bcast", name, *args)}
        if name.startswith("reduce_init<"):  # an explicit init (insert_dst_management)
            return {"srca": (self.fmt[args[0]], args[0]), "srcb": (self.fmt[args[1]], args[1]),
                    "set_op": ("reduce", name, *args)}
        if name == "reduce_uninit":
            return {"set_op": None}
        if name == "pack_tile":
            return {"pack": (self.fmt[args[1]], args[1])}
        return {}


def init_stmt(key: str, need: tuple) -> Any:
    if key == "srca":
        return B.extern("reconfig_data_format_srca", need[1])
    if key == "srcb":
        return B.extern("reconfig_data_format_srcb", need[1])
    if key == "pack":
        return B.extern("pack_reconfig_data_format", need[1])
    kind = need[0]
    if kind == "matmul":
        return B.extern("matmul_init", need[1], need[2], need[3])
    if kind == "copy":
        return B.extern("copy_init", need[1])
    if kind in BINARY_INIT:
        return B.extern(BINARY_INIT[kind], need[1], need[2])
    return B.extern(kind)


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


def hw_startup_cbs(body: Any, needs: _Needs, cbs: dict) -> tuple:
    ops = [needs.of(e) for e in tir.collect(body, tir.Evaluate)]
    math = next((n["op"] for n in ops if "op" in n and n["op"][0] in ("matmul", *BINARY_INIT)),
                None)
    if math is None:  # reductions: the first reduce_init's source and scaler CBs
        red = next((n["set_op"] for n in ops if n.get("set_op") and n["set_op"][0] == "reduce"),
                   None)
        math = ("reduce", red[2], red[3]) if red is not None else None
    if math is None:  # copy / unary_bcast + SFPU only: both unpackers for the first one's CB
        cb = next(n["srca"][1] for n in ops if "srca" in n)
        math = ("copy", cb, cb)
    needs.of_first_is_matmul = math[0] == "matmul"
    out = next(n["pack"][1] for n in ops if "pack" in n and cbs[n["pack"][1]].role == "output")
    return math[1], math[2], out


# --- pass ------------------------------------------------------------------------
@dataclass
class InsertComputeInit(TTPass):
    name = "insert_compute_init"

    def run(self, mod: Any) -> Any:
        cbs = {cb.index: cb for cb in _meta.get(mod, _meta.CBS, [])}
        needs = _Needs(cbs, _meta.get(mod, _meta.MATMULS, []) or [])
        gv, func = role_funcs(mod)["compute"]
        in0, in1, out = hw_startup_cbs(func.body, needs, cbs)
        # hw_startup configures the sources for the first op (matmul feeds in1 to srcA) and pack for out
        src, srcb = (in1, in0) if needs.of_first_is_matmul else (in0, in1)
        state = {"srca": (cbs[src].data_format, src), "srcb": (cbs[srcb].data_format, srcb),
                 "op": None, "pack": (cbs[out].data_format, out)}
        stmts = B.items(func.body)
        lead = 0
        while lead < len(stmts) and isinstance(stmts[lead], tir.Bind):
            lead += 1
        rest, _ = _Inits(needs).stmt(B.seq(*stmts[lead:]), state)
        startup = "compute_kernel_hw_startup<SrcOrder::Reverse>" if needs.of_first_is_matmul \
            else "compute_kernel_hw_startup"  # Reverse: matmul's in0 -> srcB, in1 -> srcA
        body = B.seq(*stmts[:lead], B.extern(startup, in0, in1, out), rest)
        return replace_func(mod, gv, func.with_body(body))


def insert_compute_init() -> Any:
    """The `insert_compute_init` pass as a TVM pass."""
    return InsertComputeInit().as_tvm_pass()
