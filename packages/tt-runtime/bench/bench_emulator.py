"""Emulator throughput benchmark (not a test): prints figures side by side.

1. A generated-style GEMM, 2048 x 2048 x 2048 bfloat16, on all 64 emulated Wormhole cores
   (64x128 output blocks, K steps of 128, DST 8 tiles), versus numpy's float32 matmul of the
   same shape: both times, their ratio (one-time builds excluded: a warm-up run builds the
   library, main.cpp and the kernels first, and leaves the warm host process the timed runs
   use) and peak memory of the emulator process.
2. A 4096 x 4096 bfloat16 elementwise add on 64 cores.

Run: python packages/tt-runtime/bench/bench_emulator.py [--repeat N]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from artifacts import write_artifact  # noqa: E402
from conftest import add_spec, bf16_round, gemm_spec  # noqa: E402

import tt_runtime  # noqa: E402

CORES = [(x, y) for y in range(8) for x in range(8)]


def _peak_child_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _best(fn, repeat):
    times = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--size", type=int, default=2048)
    args = ap.parse_args()
    n = args.size
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        gemm_dir = write_artifact(gemm_spec(n, n, n, 64, 128, 128, CORES, name="gemm"), Path(tmp) / "gemm")
        t0 = time.perf_counter()
        tt_runtime.run(gemm_dir, {"A": a, "B": b})
        warm = time.perf_counter() - t0
        emu_wall, result = _best(lambda: tt_runtime.run(gemm_dir, {"A": a, "B": b}), args.repeat)
        emu_dev = result.seconds
        np_t, ref = _best(lambda: a @ b, 3)
        err = np.abs(result.outputs["C"].astype(np.float32) - bf16_round(ref)).max() / np.abs(ref).max()
        print(f"GEMM {n}x{n}x{n} bfloat16, 64 emulated wormhole_b0 cores")
        print(f"  first run (builds library/main/kernels if not cached): {warm:8.2f} s")
        print(f"  emulator, host program wall time:                      {emu_dev:8.3f} s")
        print(f"  emulator, tt_runtime.run() incl. npy I/O:              {emu_wall:8.3f} s")
        print(f"  numpy float32 matmul:                                  {np_t:8.3f} s")
        print(f"  ratio emulator / numpy:                                {emu_dev / np_t:8.1f} x  (target <= 3x)")
        print(f"  peak memory of the emulator process:                   {_peak_child_mb():8.0f} MiB")
        print(f"  max |C - numpy| / max |C|:                             {err:8.1e}")
        tot = result.totals()
        print(f"  tile ops: {tot['tile_ops']}, DRAM read {tot['noc_read_bytes'].get('dram', 0) / 2**20:.0f} MiB")

        m = 4096
        x = rng.standard_normal((m, m), dtype=np.float32)
        add_dir = write_artifact(add_spec(m, m, CORES), Path(tmp) / "add")
        tt_runtime.run(add_dir, {"A": x, "B": x})
        add_wall, res = _best(lambda: tt_runtime.run(add_dir, {"A": x, "B": x}), args.repeat)
        np_add, _ = _best(lambda: x + x, 3)
        print(f"Elementwise add {m}x{m} bfloat16, 64 cores")
        print(f"  emulator, host program wall time:                      {res.seconds:8.3f} s")
        print(f"  emulator, tt_runtime.run() incl. npy I/O:              {add_wall:8.3f} s")
        print(f"  numpy float32 add:                                     {np_add:8.3f} s")
        print(f"  ratio emulator / numpy (host program; incl. npy I/O):  {res.seconds / np_add:8.1f} x; "
              f"{add_wall / np_add:.1f} x  (target <= 5x)")


if __name__ == "__main__":
    main()
