"""build_tile_dfg: the tile dataflow graph: which kernel fills and drains each CB.

Requires: `lower_tt_tile_intrinsics` (the body holds `tt.*` tile intrinsics).
Rewrites: nothing in the body.
Guarantees: module attribute `tt.dfg` = one `CBEdge` per CB (producer and consumer
kernel: reader, compute or writer), and every CB has exactly one producer and one
consumer kernel. Each intrinsic runs in one kernel (`tt_passes._tileops`): tensor-to-CB copies
in the reader, CB-to-tensor copies in the writer, tile math in compute; a gemm
accumulator's partials CB is produced and consumed by compute.
A block the reader loads that nothing uses is drained by compute (waited for and popped).
Refuses: a CB that compute fills but nothing uses, one used but never filled, or one
filled by the reader and drained by the writer with no compute in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir import tir
from tt_passes import _meta, _tileops
from tt_passes._base import TTPass, kernel_func


# --- collect ---------------------------------------------------------------------
def cb_ends(body: Any) -> dict:
    """{cb index: {"producers": set(kernels), "consumers": set(kernels)}} (from the
    tile-op registry: which kernel each op runs in, which CBs it reads and writes)."""
    ends: dict = {}

    def end(cb: int) -> dict:
        return ends.setdefault(cb, {"producers": set(), "consumers": set()})

    def visit(stmt: Any) -> None:
        hit = _tileops.match(stmt)
        if hit is None:
            return
        op, args = hit
        for cb in op.read_cbs(args):
            end(cb)["consumers"].add(op.kernel)
        for cb in op.write_cbs(args):
            end(cb)["producers"].add(op.kernel)

    tir.walk(body, visit, types=tir.Evaluate)
    return ends


# --- pass ------------------------------------------------------------------------
@dataclass
class BuildTileDFG(TTPass):
    name = "build_tile_dfg"

    def run(self, mod: Any) -> Any:
        _, func = kernel_func(mod)
        ends = cb_ends(func.body)
        edges = []
        for cb in _meta.get(mod, _meta.CBS, []):
            if cb.role == "intermediate":
                edges.append(_meta.CBEdge(cb.name, cb.index, "compute", "compute"))
                continue
            if cb.role == "scratch":  # the reader's own staging tile (an im2col gather)
                edges.append(_meta.CBEdge(cb.name, cb.index, "reader", "reader"))
                continue
            e = ends.get(cb.index, {"producers": set(), "consumers": set()})
            producers, consumers = sorted(e["producers"]), sorted(e["consumers"])
            if cb.role == "output" and "compute" in producers:
                consumers = [k for k in consumers if k != "compute"]
            if producers == ["reader"] and not consumers:  # loaded, never used: compute
                consumers = ["compute"]                     # waits for it and pops it
            if "writer" in consumers and cb.role == "output":
                producers = [k for k in producers if k == "compute"] or producers
            self._check(cb, producers, consumers)
            edges.append(_meta.CBEdge(cb.name, cb.index, producers[0], consumers[0]))
        return _meta.put(mod, _meta.DFG, edges)

    def _check(self, cb: Any, producers: list, consumers: list) -> None:
        obj = f"CB '{cb.name}' (c_{cb.index})"
        if not producers:
            raise self.error("is read but never filled", obj=obj, source_line=cb.source_line,
                             hint="T.copy data into it or compute it with T.gemm/T.Parallel")
        if not consumers:
            raise self.error("is filled but never used", obj=obj, source_line=cb.source_line,
                             hint="use it in T.gemm/T.Parallel or T.copy it to a tensor")
        if len(producers) > 1 or len(consumers) > 1:
            raise self.error(f"has producers {producers} and consumers {consumers}; a CB "
                             "links exactly one producer kernel to one consumer kernel",
                             obj=obj, source_line=cb.source_line,
                             hint="use a separate buffer per role")
        if producers == ["reader"] and consumers == ["writer"]:
            raise self.error("is copied from a tensor straight to a tensor; pure copies "
                             "are not supported yet", obj=obj, source_line=cb.source_line,
                             hint=f"route the block through compute: allocate a fragment F of the "
                                  f"same shape, `for i, j in T.Parallel(...): F[i, j] = {cb.name}[i, j]`, "
                                  f"and T.copy F to the tensor")


def build_tile_dfg() -> Any:
    """The `build_tile_dfg` pass as a TVM pass."""
    return BuildTileDFG().as_tvm_pass()
