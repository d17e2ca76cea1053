"""Shared fixtures: artifact factories for GEMM and unary kernels (tests only)."""

from __future__ import annotations

import sys
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from artifacts import ArtifactSpec, KernelSpec, write_artifact  # noqa: E402

BF16 = ml_dtypes.bfloat16


def bf16_round(x: np.ndarray) -> np.ndarray:
    """Round float32 to bfloat16 (nearest even) and back to float32."""
    return np.asarray(x, dtype=np.float32).astype(BF16).astype(np.float32)


def gemm_spec(M, N, K, bM, bN, bK, cores, *, fp32_acc=False, name="gemm", arch="wormhole_b0") -> ArtifactSpec:
    """C = A @ B with (bM x bN) output blocks spread round-robin-contiguously over `cores`."""
    Mt, Nt, Kt = M // 32, N // 32, K // 32
    bMt, bNt, bKt = bM // 32, bN // 32, bK // 32
    nblocks = (Mt // bMt) * (Nt // bNt)
    per, extra = divmod(nblocks, len(cores))
    work, start = {}, 0
    for i, c in enumerate(cores):
        count = per + (1 if i < extra else 0)
        work[c] = (start, count)
        start += count
    return ArtifactSpec(
        name=name,
        buffers=[("A", (M, K), "bfloat16", "input"), ("B", (K, N), "bfloat16", "input"), ("C", (M, N), "bfloat16", "output")],
        cbs=[(0, "A_shared", "bfloat16", 2 * bMt * bKt, "reader", "compute"),
             (1, "B_shared", "bfloat16", 2 * bKt * bNt, "reader", "compute"),
             (16, "C_local", "bfloat16", 2 * bMt * bNt, "compute", "writer")],
        cores=list(cores),
        reader=KernelSpec("gemm_reader.cpp",
                          [("A_addr", "A"), ("B_addr", "B"), ("block_start", None), ("block_count", None), ("Kt", None),
                           ("Nt", None), ("bMt", None), ("bNt", None), ("bKt", None)],
                          {c: [s, n, Kt, Nt, bMt, bNt, bKt] for c, (s, n) in work.items()}, accessors=["A", "B"]),
        compute=KernelSpec("gemm_compute.cpp", [("block_count", None)], {c: [n] for c, (s, n) in work.items()},
                           compile_args=[bMt, bNt, bKt, Kt // bKt]),
        writer=KernelSpec("gemm_writer.cpp",
                          [("C_addr", "C"), ("block_start", None), ("block_count", None), ("Nt", None), ("bMt", None),
                           ("bNt", None)],
                          {c: [s, n, Nt, bMt, bNt] for c, (s, n) in work.items()}, accessors=["C"]),
        fp32_dest_acc_en=fp32_acc,
        arch=arch,
    )


def unary_spec(rows, cols, compute_source, cores, *, name="unary", host_extra="", cb_pages=(2, 2), arch="wormhole_b0",
               reader_source="copy_reader.cpp", writer_source="copy_writer.cpp") -> ArtifactSpec:
    """C = op(A) tile by tile; the tiles are split contiguously over `cores`."""
    ntiles = rows // 32 * (cols // 32)
    per, extra = divmod(ntiles, len(cores))
    work, start = {}, 0
    for i, c in enumerate(cores):
        count = per + (1 if i < extra else 0)
        work[c] = (start, count)
        start += count
    return ArtifactSpec(
        name=name,
        buffers=[("A", (rows, cols), "bfloat16", "input"), ("C", (rows, cols), "bfloat16", "output")],
        cbs=[(0, "A_shared", "bfloat16", cb_pages[0], "reader", "compute"),
             (16, "C_local", "bfloat16", cb_pages[1], "compute", "writer")],
        cores=list(cores),
        reader=KernelSpec(reader_source, [("A_addr", "A"), ("start", None), ("count", None)],
                          {c: [s, n] for c, (s, n) in work.items()}, accessors=["A"]),
        compute=KernelSpec(compute_source, [("count", None)], {c: [n] for c, (s, n) in work.items()}),
        writer=KernelSpec(writer_source, [("C_addr", "C"), ("start", None), ("count", None)],
                          {c: [s, n] for c, (s, n) in work.items()}, accessors=["C"]),
        host_extra=host_extra,
        arch=arch,
    )


def add_spec(rows, cols, cores, *, name="eltwise_add") -> ArtifactSpec:
    """C = A + B, 8 tiles per step; tiles split contiguously over `cores` (a multiple of 8 each)."""
    ntiles = rows // 32 * (cols // 32)
    per = ntiles // len(cores)
    assert per * len(cores) == ntiles and per % 8 == 0
    work = {c: (i * per, per) for i, c in enumerate(cores)}
    return ArtifactSpec(
        name=name,
        buffers=[("A", (rows, cols), "bfloat16", "input"), ("B", (rows, cols), "bfloat16", "input"),
                 ("C", (rows, cols), "bfloat16", "output")],
        cbs=[(0, "A_shared", "bfloat16", 16, "reader", "compute"), (1, "B_shared", "bfloat16", 16, "reader", "compute"),
             (16, "C_local", "bfloat16", 16, "compute", "writer")],
        cores=list(cores),
        reader=KernelSpec("add_reader.cpp", [("A_addr", "A"), ("B_addr", "B"), ("start", None), ("count", None)],
                          {c: [s, n] for c, (s, n) in work.items()}, accessors=["A", "B"]),
        compute=KernelSpec("add_compute.cpp", [("count", None)], {c: [n] for c, (s, n) in work.items()}),
        writer=KernelSpec("add_writer.cpp", [("C_addr", "C"), ("start", None), ("count", None)],
                          {c: [s, n] for c, (s, n) in work.items()}, accessors=["C"]),
    )


@pytest.fixture
def make_artifact(tmp_path):
    """Write an ArtifactSpec into a fresh directory and return the directory."""
    counter = iter(range(1000))

    def make(spec: ArtifactSpec) -> Path:
        return write_artifact(spec, tmp_path / f"art{next(counter)}")

    return make
