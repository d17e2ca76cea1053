"""split_device_kernel: one kernel body becomes reader, compute and writer PrimFuncs.

Requires: `build_tile_dfg` (every intrinsic belongs to one kernel, `tt_passes._tileops`).
Rewrites: the TileLang PrimFunc is replaced by three parameterless PrimFuncs named
`reader`, `compute`, `writer`, each with the attribute `tt.kernel_role`. Each gets
the control flow of the original body (loops, binds, comments) around its own
intrinsics; loops and comments left empty are dropped, and so are `Bind`s whose
variable the kernel no longer uses (compute keeps `block_count` only, for example).
On-chip `AllocBuffer`s are dropped (CBs are described in `tt.cbs`). Compute keeps
two markers where the reader's and writer's ops were (copies, scaler fills, generated masks): `tt.cb_in(cb)` (a block arrived: its pages are
valid until the end of this loop trip) and `tt.pack_out(cb)` (the accumulator is
final: pack it to its output CB).
Guarantees: the three bodies together perform every intrinsic exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir import tir
from tt_passes import _build as B
from tt_passes import _meta, _tileops
from tt_passes._base import TTPass, kernel_func


# --- rewrite ---------------------------------------------------------------------
def project_op(stmt: Any, role: str) -> Any | None:
    """The statement as `role` sees it (None: not its business)."""
    hit = B.intrinsic_of(stmt)
    if hit is None:
        return None if B.is_nop(stmt) else stmt
    kernel = _tileops.kernel_of(stmt)
    if kernel == role:
        return stmt
    op = _tileops.match(stmt)
    if role != "compute" or op is None:
        return None
    op, args = op
    if op.kernel == "reader" and op.out(args) is not None:  # a block the reader fills
        return B.extern("tt.cb_in", op.out(args))
    if op.kernel == "writer":  # a block the writer drains
        return B.extern("tt.pack_out", op.read_cbs(args)[0])
    return None


class _Projection:
    def __init__(self, role: str):
        self.role = role

    def stmt(self, s: Any, live: set) -> Any | None:
        if isinstance(s, tir.SeqStmt):
            return self.seq(list(s.seq), live)
        if isinstance(s, tir.For):
            body = self.stmt(s.body, live)
            if body is None:
                return None
            return tir.For(s.loop_var, s.min, s.extent, s.kind, body)
        if isinstance(s, tir.AttrStmt):
            return self.attr(s, live)
        if isinstance(s, tir.AllocBuffer):
            return None
        if isinstance(s, tir.Evaluate):
            return project_op(s, self.role)
        return s

    def attr(self, s: Any, live: set) -> Any | None:
        body = self.stmt(s.body, live)
        if body is None:
            return None
        marker = B.intrinsic_of(body)
        if marker is not None and marker[0] in ("tt.cb_in", "tt.pack_out"):
            return body  # the copy's comment belongs to the reader/writer
        return tir.AttrStmt(s.node, s.attr_key, s.value, body)

    def seq(self, stmts: list, live: set) -> Any | None:
        out: list = []
        for s in reversed(stmts):
            if isinstance(s, tir.Bind):
                if not _uses(live, s.var):
                    continue
                out.append(s)
                live |= B.vars_used(s.value)
                continue
            kept = self.stmt(s, live)
            if kept is not None:
                out.append(kept)
                live |= B.vars_used(kept)
        if not [s for s in out if not isinstance(s, tir.Bind)]:
            return None
        return B.seq(*reversed(out))


def _uses(live: set, v: Any) -> bool:
    return any(x.same_as(v) for x in live)


def project(body: Any, role: str) -> Any:
    out = _Projection(role).stmt(body, set())
    return out if out is not None else B.seq()


# --- pass ------------------------------------------------------------------------
@dataclass
class SplitDeviceKernel(TTPass):
    name = "split_device_kernel"

    def run(self, mod: Any) -> Any:
        gv, func = kernel_func(mod)
        funcs = {str(g.name_hint): f for g, f in mod.functions.items() if not g.same_as(gv)}
        for role in _meta.ROLES:
            kernel = tir.PrimFunc([], project(func.body, role))
            funcs[role] = kernel.with_attr("tt.kernel_role", role).with_attr("global_symbol", role)
        out = tir.IRModule(funcs)
        for key, value in tir.attrs_of(mod).items():
            out = out.with_attr(key, value)
        return out


def split_device_kernel() -> Any:
    """The `split_device_kernel` pass as a TVM pass."""
    return SplitDeviceKernel().as_tvm_pass()
