"""Typed metadata the passes hand to each other, stored as JSON module attributes.

Each record is a frozen dataclass; `get(mod, KEY)` / `put(mod, KEY, value)` read and
write them (lists of records or one record) under a `tt.*` module attribute, so IR
dumps show them and they survive a TVMScript round trip. `finalize_persistent_signature`
folds them into `tt.plan` and removes them.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from tt_ir import tir

BUFFERS = "tt.buffers"          # list[BufferInfo]      infer_tt_layout
CBS = "tt.cbs"                  # list[CBInfo]          propagate_tt_layout, lower_shared_to_cb
COMPUTE = "tt.compute_config"   # ComputeConfig         propagate_tt_layout
ACCESSORS = "tt.accessors"      # list[AccessorInfo]    attach_tensor_accessor
WORK = "tt.work"                # WorkInfo              layout_aware_work_partition
DFG = "tt.dfg"                  # list[CBEdge]          build_tile_dfg
KERNELS = "tt.kernels"          # list[KernelInfo]      configure_tensor_accessor
KERNEL_NAME = "tt.kernel_name"  # str                   infer_tt_layout
MATMULS = "tt.matmuls"          # [{in0, in1, transpose}] insert_dst_management
MCAST = "tt.mcast"              # [{cb, axis, sems, spread}]     lower_cb_intrinsics (reuse="mcast")
ORIGINS = "tt.origins"          # {buffer the passes made: how the author would name it}  canonicalize_tile_program
SOURCE_LINES = "tt.source_lines"  # JSON {CB name: "kernel.py:N"}  finalize_persistent_signature (kept for diagnostics)
SIZES = "tt.sizes"              # [{name, granule, unit, source}]  infer_tt_layout (T.dynamic)
PLAN = "tt.plan"                # JSON (contracts §2)   finalize_persistent_signature
PASSES = "tt.passes_run"        # [pass name] in order   every pass (TTPass._guarded_run)
INTERNAL_KEYS = (BUFFERS, CBS, COMPUTE, ACCESSORS, WORK, DFG, KERNELS, KERNEL_NAME, MATMULS,
                 MCAST, SIZES, PASSES)  # ORIGINS stays: verify_tt_ir words its refusals with it too

ROLES = ("reader", "compute", "writer")


@dataclass(frozen=True)
class BufferInfo:
    """A global tensor parameter: DRAM interleaved, 32x32 tiles, page = tile."""

    name: str
    index: int
    role: str                # "input" | "output"
    shape: list
    dtype: str
    data_format: str
    page_size: int
    num_pages: int
    tiles: list              # [rows/32 (outer dims folded in), cols/32]
    row_dim: int | None = None  # the dim tiled as rows when it is not the second last (bshd
                                # attention: [B, S, H, D] stored as [B, H, S, D] matrices)
    layout: dict = field(default_factory=lambda: {"memory": "dram", "kind": "interleaved",
                                                  "tile": [32, 32], "shard": None})


@dataclass(frozen=True)
class CBInfo:
    """A circular buffer: an on-chip TileLang buffer, or an intermediate the passes add.

    `block` is the tile shape of one block ([rows, cols] in tiles); `unit` the tile
    shape moved per reserve/push (the whole block for inputs, the DST sub-block for
    outputs and partials); `num_pages` the CB depth in tiles.
    """

    name: str
    role: str                # "input" | "output" | "intermediate" | "scratch" (reader-local)
    dtype: str
    data_format: str
    page_size: int
    block: list
    unit: list
    num_pages: int
    index: int = -1          # assigned by lower_shared_to_cb
    buffer: str | None = None  # the global buffer it is loaded from / stored to
    num_stages: int = 0
    accumulator: bool = False  # fragment that a gemm accumulates into
    source_line: str | None = None
    restream: list | None = None  # accumulator computed per [sh, sw] sub-block over all K
    reduced: str | None = None    # "row" / "col": a T.reduce_* output; "scaler": its scale tile
    transpose: str | None = None  # the CB holding this vector transposed (rank-1 tensor copies)
    widen: str | None = None      # the tensor's 2-byte format the reader widens to Float32 (one exponent family)
    of: str | None = None         # the CB this one exists for: a scaler's reduced source, a partials CB's accumulator

    @property
    def unit_tiles(self) -> int:
        return self.unit[0] * self.unit[1]

    @property
    def block_tiles(self) -> int:
        return self.block[0] * self.block[1]

    @property
    def bytes(self) -> int:
        return self.page_size * self.num_pages


@dataclass(frozen=True)
class ComputeConfig:
    math_fidelity: str = "HiFi4"
    fp32_dest_acc_en: bool = False
    math_approx_mode: bool = False
    dst_full_sync_en: bool = False
    dst_tiles: int = 8


@dataclass(frozen=True)
class AccessorInfo:
    """A TensorAccessor over a global buffer: its compile-time words and page size."""

    buffer: str
    page_size: int
    args: list               # TensorAccessorArgs words: [ArgsConfig bits, page size]


@dataclass(frozen=True)
class WorkInfo:
    grid: list               # [gx, gy, gz]
    num_blocks: int
    cores: list              # [{"core": [x, y], "start": s, "count": n}, ...] (only busy cores)
    order: str = "row_major"  # or "tiled" (reuse="mcast"): core (x, y) owns tile (x, y);
                              # or "zigzag": bx runs 0, gx-1, 1, gx-2, ... (work grows with bx)
    tile: list | None = None  # [tx, ty] blocks per core for the "tiled" order


@dataclass(frozen=True)
class CBEdge:
    """Who fills and who drains a CB, and how many pages per block trip."""

    cb: str
    index: int
    producer: str
    consumer: str


@dataclass(frozen=True)
class KernelInfo:
    role: str
    accessors: list          # [{"buffer": name, "cta_offset": n}]
    compile_args: list
    runtime_args: list = field(default_factory=list)  # [{"name", "kind"[, "buffer"]}]


_TYPES = {BUFFERS: BufferInfo, CBS: CBInfo, COMPUTE: ComputeConfig, ACCESSORS: AccessorInfo,
          WORK: WorkInfo, DFG: CBEdge, KERNELS: KernelInfo}


def _load(cls: Any, data: Any) -> Any:
    if cls is None:
        return data
    if isinstance(data, list):
        return [cls(**item) for item in data]
    return cls(**data)


def get(mod: Any, key: str, default: Any = None) -> Any:
    """The record(s) stored under `key`, typed; `default` when absent."""
    raw = tir.get_attr(mod, key)
    if raw is None:
        return default
    return _load(_TYPES.get(key), json.loads(raw))


def _dump(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, list):
        return [_dump(v) for v in value]
    return value


def put(mod: Any, key: str, value: Any) -> Any:
    """`mod` with `value` (record, list of records, or plain JSON) stored under `key`."""
    return mod.with_attr(key, json.dumps(_dump(value), sort_keys=True))


def replace(record: Any, **changes: Any) -> Any:
    return dataclasses.replace(record, **changes)


def by_name(records: list) -> dict:
    return {r.name: r for r in records}


def without(mod: Any, keys: tuple) -> Any:
    """A copy of `mod` without the module attributes `keys`."""
    attrs = tir.attrs_of(mod)
    out = tir.IRModule(dict(mod.functions))
    for key, value in attrs.items():
        if key not in keys:
            out = out.with_attr(key, value)
    return out
