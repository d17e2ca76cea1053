"""Benchmark of the on-chip dataflow kernels (not a test): norms and softmaxes, side by side.

For each kernel (from examples/):

* pipeline: wall time of tt_passes.lower in process, median of several runs (target < 100 ms);
* emulator vs numpy: the compiled kernel's run on the emulator (builds excluded: a warm-up
  run fills the caches) against numpy doing the same math in float32 on the host, and the
  ratio (target <= 10x).

    python benchmarks/bench_dataflow.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import ml_dtypes
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests-integration"))

from corpus import load_example  # noqa: E402

import tt_cli  # noqa: E402
import tt_passes  # noqa: E402


def _softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _rms(x):
    return x / np.sqrt((x * x).mean(axis=1, keepdims=True))


def _layernorm(x, g, b):
    m = x.mean(axis=1, keepdims=True)
    return (x - m) / np.sqrt(x.var(axis=1, keepdims=True) + 1e-5) * g + b


def _cases(M: int, N: int):
    softmax = load_example("softmax.py").softmax
    rms = load_example("rms_norm.py")
    ln = load_example("layernorm.py").layernorm
    bf16, f32 = ml_dtypes.bfloat16, np.float32
    return [
        (f"softmax {M}x{N} bf16 (fp32 stats, 32 rows/block)", softmax.factory(M=M, N=N, block_M=32),
         [(M, N, bf16)], _softmax),
        (f"rms_norm {M}x{N} fp32 (whole rows)", rms.rms_norm.factory(M=M, N=N, block_M=32),
         [(M, N, f32)], _rms),
        (f"rms_norm split-K {M}x{N} fp32 (block_K 256)",
         rms.rms_norm_splitk.factory(M=M, N=N, block_M=32, block_K=256), [(M, N, f32)], _rms),
        (f"layernorm {M}x{N} bf16 (fp32 stats)", ln.factory(N=M, D=N),
         [(M, N, bf16), (N, None, bf16), (N, None, bf16)], _layernorm),
    ]


def _median_ms(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--size", type=int, default=1024, help="M = N")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'kernel':<48} {'pipeline':>9} {'emulator':>9} {'numpy':>8} {'ratio':>6}")
    for name, func, shapes, ref in _cases(args.size, args.size):
        print(_row(name, func, shapes, ref, rng, args.repeat))


def _row(name, func, shapes, ref, rng, repeat) -> str:
    lower_ms = _median_ms(lambda: tt_passes.lower(func), repeat)
    kernel = tt_cli.compile(func, out_idx=load_out_idx(name))
    inputs = [rng.uniform(-1, 1, (r,) if c is None else (r, c)).astype(t) for r, c, t in shapes]
    kernel(*inputs)  # warm-up: builds the kernels once
    emu = _median_ms(lambda: kernel(*inputs), repeat) / 1e3
    host = [np.asarray(x, np.float32) for x in inputs]
    ref_s = _median_ms(lambda: ref(*host), max(repeat, 5)) / 1e3
    return f"{name:<48} {lower_ms:>7.1f}ms {emu:>8.3f}s {ref_s:>7.4f}s {emu / ref_s:>5.0f}x"


def load_out_idx(name: str) -> list:
    return [-3, -2, -1] if name.startswith("layernorm") else [-1]


if __name__ == "__main__":
    main()
