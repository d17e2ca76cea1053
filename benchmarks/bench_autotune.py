"""Autotuned against default (not a test): what `tt tune` finds for the GEMM, the norms and
softmaxes, and flash attention, side by side.

For each kernel of `examples/`, at a fixed shape, the candidates are the product of a few
block sizes (and stages or reuse scheme where the kernel has them); the default is the
example's own parameters, always among the candidates. Each candidate is compiled, run once on
the emulator and scored by tt-runtime's performance model of the silicon (tt_cli._tuner, what
`tt tune` runs, with its cache). Printed per kernel: the default's modeled time, the best
candidate and its time, their ratio, and how many candidates the compiler refused (L1, DST,
shapes). Modeled times are estimates of silicon, not measurements.

    python benchmarks/bench_autotune.py [--jobs N] [--arch wormhole_b0|blackhole]
"""

from __future__ import annotations

import argparse
import inspect
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(ROOT / "tests-integration"))

from corpus import load_example  # noqa: E402

from tt_cli import _tuner  # noqa: E402

# (label, example file, kernel, shape params, candidate values per tuned parameter)
CASES = [
    ("gemm 1024^3 bf16", "gemm.py", "gemm", dict(M=1024, N=1024, K=1024),
     dict(block_M=[64, 128], block_N=[64, 128], block_K=[32, 64, 128], num_stages=[2])),
    ("softmax 1024^2 bf16", "softmax.py", "softmax", dict(M=1024, N=1024), dict(block_M=[32, 64, 128])),
    ("online softmax 256x1024 bf16", "online_softmax.py", "online_softmax", dict(M=256, N=1024),
     dict(BN=[128, 256, 512, 1024])),
    ("rms_norm 1024^2 fp32", "rms_norm.py", "rms_norm", dict(M=1024, N=1024), dict(block_M=[32, 64, 128])),
    ("rms_norm split-K 1024^2 fp32", "rms_norm.py", "rms_norm_splitk", dict(M=1024, N=1024),
     dict(block_M=[32, 64], block_K=[128, 256, 512])),
    ("layernorm 1024x1024 bf16", "layernorm.py", "layernorm", dict(N=1024, D=1024), dict(block_M=[32, 64])),
    ("flash attention b1 h8 s512 d64", "flash_attention.py", "flash_attention",
     dict(batch=1, heads=8, seq_q=512, seq_kv=512, dim=64), dict(block_M=[32, 64, 128], block_N=[32, 64, 128])),
]


def _defaults(example: str, kernel: str, tried: dict) -> dict:
    """The example's own values of the tuned parameters (its factory's defaults)."""
    factory = getattr(load_example(example), kernel).factory
    params = inspect.signature(factory).parameters
    return {k: params[k].default for k in tried}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--arch", default="wormhole_b0")
    args = ap.parse_args()
    rows = []
    for label, example, kernel, shape, tries in CASES:
        default = _defaults(example, kernel, tries)
        tries = {k: sorted(set(v) | {default[k]}) for k, v in tries.items()}
        t0 = time.perf_counter()
        ranked, best = _tuner.tune(str(EXAMPLES / example), kernel, shape, tries, args.arch, {}, args.jobs)
        seconds = time.perf_counter() - t0
        score = {tuple(sorted(c.items())): s for c, s in ranked}
        base = score[tuple(sorted(default.items()))]
        top = score[tuple(sorted(best.items()))] if best else {}
        refused = sum(1 for _, s in ranked if "error" in s)
        timed = [s["time_us"] for _, s in ranked if "time_us" in s]
        rank = 1 + sum(1 for t in timed if "time_us" in base and t < base["time_us"])
        rows.append((label, default, base, best, top, len(ranked), refused, max(timed, default=0.0), rank))
        print(f"done: {label} ({len(ranked)} candidates, {seconds:.0f} s)", file=sys.stderr, flush=True)

    def fmt(config: dict) -> str:
        return " ".join(f"{k}={v}" for k, v in config.items())

    print(f"performance model on {args.arch}: modeled time of the example's default (its rank among the "
          f"candidates), of the best candidate and of the worst one the compiler accepted")
    print(f"{'kernel':<32} {'default':<44} {'model':>9} {'rank':>5}   {'best':<44} {'model':>9} {'speedup':>8} "
          f"{'worst':>9} {'refused':>8}")
    for label, default, base, best, top, n, refused, worst, rank in rows:
        base_t = f"{base['time_us']:.1f}us" if "time_us" in base else "refused"
        best_t = f"{top['time_us']:.1f}us" if "time_us" in top else "-"
        gain = f"{base['time_us'] / top['time_us']:.2f}x" if "time_us" in base and "time_us" in top else "-"
        print(f"{label:<32} {fmt(default):<44} {base_t:>9} {rank:>5}   {fmt(best or {}):<44} {best_t:>9} {gain:>8} "
              f"{worst:>7.1f}us {refused:>4}/{n:<3}")


if __name__ == "__main__":
    main()
