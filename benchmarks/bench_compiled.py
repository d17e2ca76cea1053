"""End-to-end benchmark of compiled TileLang kernels (not a test): prints ratios.

For each kernel, compiled by the real pipeline (tt-passes -> tt-codegen) and run on the
emulator through its generated main.cpp:

* compile: wall time of `tt_cli.compile` (passes + codegen), in process after import;
* emulator vs numpy: run time (builds excluded: a warm-up run fills the caches) against
  numpy doing the same math in float32 on the host, and their ratio;
* DRAM traffic vs the compulsory minimum: bytes the kernels moved over the NoC from and
  to DRAM (emulator counters) against reading every input and writing every output once;
  the ratio is the re-read factor of the schedule (1.0 is the floor);
* silicon estimate: tt-runtime's performance model on those counters (time, what bounds
  it, and matmul TFLOP/s) — an estimate, not a measurement.

With `--plot FILE.png` (needs matplotlib, which is not a dependency: without it the option says
so and the table is still printed), each kernel with matmuls is drawn as its modeled point on
the arch's roofline: matmul FLOPs per DRAM byte moved against modeled TFLOP/s, under the
fidelity's matmul peak and the DRAM bandwidth.

    python benchmarks/bench_compiled.py [--repeat N] [--quick] [--plot roofline.png]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import ml_dtypes
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests-integration"))

from corpus import load_example  # noqa: E402

import tt_cli  # noqa: E402


def _cases(quick: bool):
    gemm = load_example("gemm.py").gemm
    quickstart = load_example("quickstart.py").matmul
    add = load_example("elementwise_add.py").elementwise_add
    cases = [
        ("quickstart gemm+relu 1024^3 (128/128/32, 3 stages)", quickstart.factory(), {},
         lambda a, b: np.maximum(a @ b, 0)),
        ("gemm 1024^3 (128/128/128, 2 stages)", gemm.factory(M=1024, N=1024, K=1024, block_K=128), {},
         lambda a, b: a @ b),
        ("gemm 1024^3, spill='restream'", gemm.factory(M=1024, N=1024, K=1024, block_K=128),
         {"spill": "restream"}, lambda a, b: a @ b),
        ("elementwise add 4096^2 (256x256 blocks)", add.factory(M=4096, N=4096, block_M=256, block_N=256), {},
         lambda a, b: a + b),
    ]
    if not quick:
        cases.insert(2, ("gemm 2048^3 (128/128/128, 2 stages)",
                         gemm.factory(M=2048, N=2048, K=2048, block_K=128), {}, lambda a, b: a @ b))
    return cases


def _best(fn, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _dram_bytes(result) -> int:
    totals = result.totals()
    return int(totals["noc_read_bytes"].get("dram", 0) + totals["noc_write_bytes"].get("dram", 0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="leave out the 2048^3 GEMM")
    parser.add_argument("--plot", metavar="FILE.png", help="the kernels' modeled points on the roofline")
    args = parser.parse_args()
    rows = []
    for name, func, options, ref in _cases(args.quick):
        t0 = time.perf_counter()
        kernel = tt_cli.compile(func, out_idx=[2], **options)
        compile_ms = (time.perf_counter() - t0) * 1e3
        rng = np.random.default_rng(0)
        inputs = [rng.uniform(-1, 1, tuple(b["shape"])).astype(ml_dtypes.bfloat16)
                  for b in kernel.plan["buffers"] if b["role"] == "input"]
        kernel.run(*inputs)  # builds main.cpp and the kernels once
        emu_s, result = _best(lambda k=kernel, x=inputs: k.run(*x), args.repeat)
        host = [a.astype(np.float32) for a in inputs]
        np_s, expected = _best(lambda f=ref, x=host: f(*x), args.repeat)
        minimum = sum(int(np.prod(b["shape"])) * 2 for b in kernel.plan["buffers"])
        moved = _dram_bytes(result)
        err = float(np.max(np.abs(result.outputs["C"].astype(np.float64) - expected)))
        est = kernel.estimate(result)
        rows.append((name, compile_ms, emu_s, np_s, moved, minimum, err, est))
        print(f"done: {name}", file=sys.stderr, flush=True)
    print(f"{'kernel':<52} {'compile':>9} {'emulator':>9} {'numpy':>8} {'ratio':>7} "
          f"{'DRAM MB':>8} {'min MB':>7} {'re-read':>7} {'max err':>8}  silicon estimate")
    for name, cms, es, ns, moved, minimum, err, est in rows:
        tflops = f", {est.tflops:.1f} TFLOP/s" if est.tflops else ""
        print(f"{name:<52} {cms:7.0f}ms {es:8.3f}s {ns:7.3f}s {es / ns:6.1f}x "
              f"{moved / 1e6:8.1f} {minimum / 1e6:7.1f} {moved / minimum:6.2f}x {err:8.2e}  "
              f"{est.time_us:.0f} us {est.bound}-bound{tflops}")
    if args.plot:
        plot_roofline([(name, moved, est) for name, _, _, _, moved, _, _, est in rows], args.plot)


def plot_roofline(points: list, path: str) -> None:
    """The modeled (FLOP/byte, TFLOP/s) of every kernel with matmuls under the roofline of its
    arch and fidelity: min(peak, intensity x DRAM bandwidth)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"--plot {path}: matplotlib is not installed (pip install matplotlib); no plot written")
        return
    from tt_runtime._perf_hw import ARCH_PERF

    gemms = [(name, moved, est) for name, moved, est in points if est.tflops > 0 and moved > 0]
    if not gemms:
        print(f"--plot {path}: no kernel with matmuls; no plot written")
        return
    est0 = gemms[0][2]
    bandwidth = ARCH_PERF[est0.arch].dram_gbps / 1e3  # TB/s: TFLOP/s per FLOP/byte
    flop_per_byte = [est.tflops * 1e12 * est.time_us * 1e-6 / moved for _, moved, est in gemms]
    lo, hi = min(flop_per_byte) / 20, max(flop_per_byte) * 10
    xs = np.geomspace(lo, hi, 200)
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.plot(xs, np.minimum(est0.peak_tflops, xs * bandwidth), color="black",
            label=f"{est0.arch} {est0.math_fidelity}: peak {est0.peak_tflops:.0f} TFLOP/s, "
                  f"DRAM {bandwidth * 1e3:.0f} GB/s")
    for (name, _, est), x, marker in zip(gemms, flop_per_byte, "osD^vP*X"):
        ax.scatter([x], [est.tflops], zorder=3, marker=marker,
                   label=f"{name}: {est.tflops:.1f} TFLOP/s, {est.bound}-bound")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("matmul FLOPs per DRAM byte moved (emulator counters)")
    ax.set_ylabel("modeled TFLOP/s (tt-runtime performance model)")
    ax.set_title("Compiled kernels on the roofline (model, not silicon)")
    ax.legend(loc="lower right", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"roofline written to {path}")


if __name__ == "__main__":
    main()
