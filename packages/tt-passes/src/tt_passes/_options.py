"""The options of `tt_passes.pipeline` / `tt_passes.lower`."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from tt_ir import get_arch
from tt_ir.errors import SchemaError

FIDELITIES = ("LoFi", "HiFi2", "HiFi3", "HiFi4")
SPILL_MODES = ("restream", "partials", "off")
REUSE_MODES = ("auto", "none", "mcast")
ORDERS = ("auto", "row_major", "zigzag")


@dataclass(frozen=True)
class Options:
    """Compiler options.

    Attributes:
        arch: "wormhole_b0" or "blackhole".
        grid: (x, y) core grid to spread work over (default: the arch's full grid).
        math_fidelity: LoFi / HiFi2 / HiFi3 / HiFi4.
        fp32_acc: fp32 DST accumulation; None = on when an accumulator or a tensor is float32.
        full_sync: DST full-sync mode (16/8 tiles instead of 8/4).
        cb_depth: CB depth policy: "num_stages" (T.Pipelined num_stages blocks per input
            CB, 2 outside pipelined loops) or an int number of blocks.
        spill: what to do when a gemm accumulator block exceeds DST and K has several
            blocks: "partials" (default: TileLang's block schedule — each A/B block is
            read once per K step and partial sums of each DST sub-block live in an
            intermediate compute -> compute CB: packed on the first K step, added to by the
            packer's L1 accumulation on the middle ones and reloaded into DST once, on the
            last), "restream" (each
            sub-block accumulates over all of K in DST while the reader re-streams that
            sub-block's A rows / B columns: no spill work, but more DRAM reads — 84 MB
            instead of 34 MB for the 1024^3 quickstart), or "off" (refuse).
        reuse: cross-core reuse of input blocks: "auto" (default: "mcast" for a kernel with
            a T.gemm whose work does not grow with bx, else "none"), "none" (every core
            reads its blocks from DRAM) or "mcast" (cores in a 2-D grid matching the block
            grid in lockstep; a block that depends on `by` only is read by grid column 0
            and multicast along the core row, one that depends on `bx` only by grid row 0
            and multicast down the column: the GEMM's A and B). Kernels or grids where it
            does not apply (no such copy, a z grid, too few cores busy, a runtime grid)
            keep the "none" schedule.
        order: block order of the work partition: "auto" (default: "zigzag" when a loop's
            trip count depends on bx, as in causal attention, else "row_major"),
            "row_major" or "zigzag" (bx runs 0, gx-1, 1, gx-2, ...: each core's
            consecutive blocks pair a short and a long one).
        verify: run verify_tt_ir at the end.
        dump_ir: directory for an IR dump after every pass (also env TT_DUMP_IR).
        time_passes: collect per-pass wall times (see `lower(..., timings=...)`).
    """

    arch: str = "wormhole_b0"
    grid: tuple | None = None
    math_fidelity: str = "HiFi4"
    fp32_acc: bool | None = None
    full_sync: bool = False
    cb_depth: Any = "num_stages"
    spill: str = "partials"
    reuse: str = "auto"
    order: str = "auto"
    verify: bool = True
    dump_ir: str | None = None
    time_passes: bool = False

    def __post_init__(self) -> None:
        get_arch(self.arch, self.grid)  # SchemaError listing the valid names
        if self.math_fidelity not in FIDELITIES:
            raise SchemaError(f"math_fidelity: {self.math_fidelity!r} is not one of "
                              f"{', '.join(FIDELITIES)}", field="math_fidelity")
        if self.spill not in SPILL_MODES:
            raise SchemaError(f"spill: {self.spill!r} is not one of {', '.join(SPILL_MODES)}",
                              field="spill")
        if self.reuse not in REUSE_MODES:
            raise SchemaError(f"reuse: {self.reuse!r} is not one of {', '.join(REUSE_MODES)}",
                              field="reuse")
        if self.order not in ORDERS:
            raise SchemaError(f"order: {self.order!r} is not one of {', '.join(ORDERS)}",
                              field="order")
        if self.cb_depth != "num_stages" and not (isinstance(self.cb_depth, int)
                                                  and self.cb_depth >= 1):
            raise SchemaError(f"cb_depth: {self.cb_depth!r}; use \"num_stages\" or an int >= 1",
                              field="cb_depth")

    @classmethod
    def make(cls, **options: Any) -> Options:
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - names)
        if unknown:
            raise SchemaError(f"unknown option(s) {', '.join(unknown)}; valid: "
                              f"{', '.join(sorted(names))}")
        return cls(**options)
