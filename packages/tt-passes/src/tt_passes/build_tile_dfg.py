"""build_tile_dfg: the tile dataflow graph: which kernel fills and drains each CB.

Requires: `lower_tt_tile_intrinsics` (the body holds `tt.*` tile intrinsics).
Rewrites: nothing in the body.
Guarantees: module attribute `tt.dfg` = one `CBEdge` per CB (producer and consumer
kernel: reader, compute or writer), and every CB has exactly one producer and one
consumer kernel. Each intrinsic runs in one kernel (`KERNEL_OF`): tensor-to-CB copies
in the reader, CB-to-tensor copies in the writer, tile math in compute; a gemm
accumulator's partials CB is produced and consumed by compute.
Refuses: a CB that is filled but never used, used but never filled, or filled by
the reader and drained by the writer with no compute in between (pure copies).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir import tir
from tt_passes import _build as B
from tt_passes import _meta
from tt_passes._base import TTPass, kernel_func

# intrinsic -> (kernel, positions of CBs it reads, positions of CBs it writes)
KERNEL_OF = {
    "tt.copy_in": ("reader", (), (0,)),
    "tt.copy_out": ("writer", (0,), ()),
    "tt.matmul_block": ("compute", (0, 1), (2,)),
    "tt.binary_block": ("compute", (1, 2), (3,)),
    "tt.unary_block": ("compute", (), (1,)),
    "tt.acc_clear": ("compute", (), (0,)),
    # tt.expr_block(tree, out, h, w, in0, ..., in7): input CBs padded to 8 (tt_passes._expr)
    "tt.expr_block": ("compute", tuple(range(4, 12)), (1,)),
    # tt.reduce_block(kind, dim, src, scaler, out, h, w); tt.scaler_fill(scaler)
    "tt.reduce_block": ("compute", (2, 3), (4,)),
    "tt.scaler_fill": ("reader", (), (0,)),
    # tt.fill_block(out, fp32 bits, h, w): a block of one constant (T.fill of an on-chip value)
    "tt.fill_block": ("compute", (), (0,)),
    # tt.transpose_block(src, dst, ntiles): each tile transposed (a vector between column 0
    # and row 0 of its tiles)
    "tt.transpose_block": ("compute", (0,), (1,)),
}


# --- collect ---------------------------------------------------------------------
def cb_ends(body: Any) -> dict:
    """{cb index: {"producers": set(kernels), "consumers": set(kernels)}}."""
    ends: dict = {}

    def visit(stmt: Any) -> None:
        hit = B.intrinsic_of(stmt)
        if hit is None or hit[0] not in KERNEL_OF:
            return
        kernel, reads, writes = KERNEL_OF[hit[0]]
        args = B.ints(hit[1])
        for pos in reads:
            ends.setdefault(args[pos], {"producers": set(), "consumers": set()})["consumers"].add(kernel)
        for pos in writes:
            ends.setdefault(args[pos], {"producers": set(), "consumers": set()})["producers"].add(kernel)

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
            e = ends.get(cb.index, {"producers": set(), "consumers": set()})
            producers, consumers = sorted(e["producers"]), sorted(e["consumers"])
            if cb.role == "output" and "compute" in producers:
                consumers = [k for k in consumers if k != "compute"]
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
