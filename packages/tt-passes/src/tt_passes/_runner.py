"""`tt_passes.lower`: run the pipeline on a module with the instruments asked for."""

from __future__ import annotations

from typing import Any

from tt_ir import tir
from tt_passes._instruments import PassTimer, default_instruments
from tt_passes._options import Options
from tt_passes._registry import pipeline


def as_module(kernel: Any) -> Any:
    """An IRModule holding `kernel` (a PrimFunc is wrapped under its own name)."""
    if isinstance(kernel, tir.PrimFunc):
        name = tir.get_attr(kernel, "global_symbol") or "main"
        return tir.IRModule({str(name): kernel})
    return kernel


def lower(mod: Any, arch: str = "wormhole_b0", *, instruments: list | None = None,
          timings: list | None = None, **options: Any) -> Any:
    """Lower a TileLang kernel to the TT TIR module of contracts §3.

    Args:
        mod: An IRModule with one TileLang PrimFunc, or the PrimFunc itself.
        arch: "wormhole_b0" or "blackhole".
        instruments: Extra TVM pass instruments.
        timings: If a list is given, per-pass (name, ms) pairs are appended to it.
        **options: See `tt_passes.Options` (grid, math_fidelity, fp32_acc, full_sync,
            cb_depth, spill, reuse, verify, dump_ir, time_passes).

    Returns:
        The IRModule with `reader`, `compute`, `writer` and the `tt.plan` attribute.

    Raises:
        TTCompileError: the kernel cannot be compiled (names pass, object, numbers, line).
    """
    opts = Options.make(arch=arch, **options)
    inst = default_instruments(opts.dump_ir, opts.time_passes or timings is not None)
    inst += list(instruments or [])
    with tir.PassContext(opt_level=0, instruments=inst):
        out = pipeline(opts)(as_module(mod))
    if timings is not None:
        timings.extend(t for i in inst if isinstance(i, PassTimer) for t in i.timings)
    return out
