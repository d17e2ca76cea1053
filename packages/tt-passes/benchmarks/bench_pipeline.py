"""Pipeline wall time per kernel, in process after import (a benchmark, not a test).

    /work/venv/bin/python packages/tt-passes/benchmarks/bench_pipeline.py [--repeat N]

Prints the median (and min) time of `tt_passes.lower` for the TileLang quickstart GEMM
(1024^3, blocks 128/128/32, num_stages 3, ReLU epilogue) and a 4096^2 elementwise add
(blocks 128x128), both bfloat16 on wormhole_b0 and blackhole. Target: < 100 ms each.
"""

from __future__ import annotations

import argparse
import statistics
import time

import tt_ir.language as T
import tt_passes


def quickstart(M=1024, N=1024, K=1024, bm=128, bn=128, bk=32, dtype=T.bfloat16, accum=T.float32):
    @T.prim_func
    def matmul(A: T.Tensor((M, K), dtype), B: T.Tensor((K, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm), threads=128) as (bx, by):
            A_shared = T.alloc_shared((bm, bk), dtype)
            B_shared = T.alloc_shared((bk, bn), dtype)
            C_local = T.alloc_fragment((bm, bn), accum)
            T.clear(C_local)
            for k in T.Pipelined(T.ceildiv(K, bk), num_stages=3):
                T.copy(A[by * bm, k * bk], A_shared)
                T.copy(B[k * bk, bx * bn], B_shared)
                T.gemm(A_shared, B_shared, C_local)
            for i, j in T.Parallel(bm, bn):
                C_local[i, j] = T.max(C_local[i, j], 0)
            T.copy(C_local, C[by * bm, bx * bn])
    return matmul


def eltwise_add(M=4096, N=4096, bm=128, bn=128, dtype=T.bfloat16):
    @T.prim_func
    def add(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm)) as (bx, by):
            A_shared = T.alloc_shared((bm, bn), dtype)
            B_shared = T.alloc_shared((bm, bn), dtype)
            C_local = T.alloc_fragment((bm, bn), dtype)
            T.copy(A[by * bm, bx * bn], A_shared)
            T.copy(B[by * bm, bx * bn], B_shared)
            for i, j in T.Parallel(bm, bn):
                C_local[i, j] = A_shared[i, j] + B_shared[i, j]
            T.copy(C_local, C[by * bm, bx * bn])
    return add


def measure(kernel, arch: str, repeat: int) -> tuple[float, float]:
    tt_passes.lower(kernel, arch=arch)  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        tt_passes.lower(kernel, arch=arch)
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    kernels = {"quickstart gemm 1024^3 128/128/32": quickstart(),
               "eltwise add 4096^2 128x128": eltwise_add()}
    print(f"{'kernel':<36} {'arch':<12} {'median ms':>10} {'min ms':>8}")
    for name, kernel in kernels.items():
        for arch in ("wormhole_b0", "blackhole"):
            med, low = measure(kernel, arch, args.repeat)
            flag = "" if med < 100 else "  (over the 100 ms target)"
            print(f"{name:<36} {arch:<12} {med:>10.1f} {low:>8.1f}{flag}")
    timings: list = []
    tt_passes.lower(kernels["quickstart gemm 1024^3 128/128/32"], timings=timings)
    print("\nper pass, quickstart gemm on wormhole_b0:")
    for pass_name, ms in timings:
        print(f"  {pass_name:<32} {ms:7.2f} ms")


if __name__ == "__main__":
    main()
