"""Where a tensor lives: memory, interleaved or sharded, dtype, tile, shard spec."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tt_ir._checks import (
    check_instance,
    check_ints,
    check_one_of,
    fail,
    object_from_json,
    read_fields,
    reading,
    set_field,
)
from tt_ir.dtypes import data_format, dtype_name, tile_bytes
from tt_ir.errors import SchemaError

MEMORIES = ("dram", "l1")
LAYOUT_KINDS = ("interleaved", "sharded")
SHARD_ORDERS = ("row_major", "block_linear")
TILE = (32, 32)


@dataclass(frozen=True)
class ShardSpec:
    """How a sharded tensor is cut into per-core pieces.

    Attributes:
        grid: Number of shards along each tensor dimension (N-D).
        shard_shape: Elements per shard along each dimension (same rank as ``grid``).
        order: How shards are assigned to cores: ``"row_major"`` or ``"block_linear"``.
        halo: Extra elements each shard also holds on both sides, per dimension, or None.
    """

    grid: tuple[int, ...]
    shard_shape: tuple[int, ...]
    order: str = "row_major"
    halo: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        grid = check_ints("ShardSpec", "grid", self.grid, low=1)
        if not grid:
            raise fail("ShardSpec", "grid", "must have at least one dimension")
        rank = len(grid)
        shard_shape = check_ints(
            "ShardSpec", "shard_shape", self.shard_shape, length=rank, low=1
        )
        set_field(self, "grid", grid)
        set_field(self, "shard_shape", shard_shape)
        check_one_of("ShardSpec", "order", self.order, SHARD_ORDERS)
        if self.halo is not None:
            set_field(
                self,
                "halo",
                check_ints("ShardSpec", "halo", self.halo, length=rank, low=0),
            )

    @property
    def num_shards(self) -> int:
        """Number of shards (one per core)."""
        return math.prod(self.grid)

    def to_json(self) -> dict[str, Any]:
        """``{"grid", "shard_shape", "order", "halo"}``."""
        return {
            "grid": list(self.grid),
            "shard_shape": list(self.shard_shape),
            "order": self.order,
            "halo": None if self.halo is None else list(self.halo),
        }

    @classmethod
    def from_json(cls, data: Any) -> ShardSpec:
        """Read the `to_json` form; all four fields are required (``halo`` may be null)."""
        with reading():
            fields = read_fields(
                "ShardSpec", data, ("grid", "shard_shape", "order", "halo")
            )
            return cls(**fields)


@dataclass(frozen=True, kw_only=True)
class BufferLayout:
    """The layout of one global tensor.

    Attributes:
        memory: ``"dram"`` or ``"l1"``.
        kind: ``"interleaved"`` (page i in bank i mod N) or ``"sharded"``.
        dtype: Element type (``"bfloat16"``, ...).
        tile: Tile shape; only ``(32, 32)`` is supported.
        shard: The `ShardSpec` of a sharded layout; None when interleaved.
    """

    memory: str = "dram"
    kind: str = "interleaved"
    dtype: str
    tile: tuple[int, int] = TILE
    shard: ShardSpec | None = None

    def __post_init__(self) -> None:
        check_one_of("BufferLayout", "memory", self.memory, MEMORIES)
        check_one_of("BufferLayout", "kind", self.kind, LAYOUT_KINDS)
        try:
            set_field(self, "dtype", dtype_name(self.dtype))
        except SchemaError as error:
            raise fail("BufferLayout", "dtype", error.message) from None
        tile = check_ints("BufferLayout", "tile", self.tile, length=2)
        if tile != TILE:
            raise fail(
                "BufferLayout",
                "tile",
                f"{list(tile)} is not supported; allowed: [32, 32]",
            )
        set_field(self, "tile", tile)
        self._check_shard()

    def _check_shard(self) -> None:
        if self.kind == "interleaved":
            if self.shard is not None:
                raise fail(
                    "BufferLayout", "shard", "an interleaved layout has no ShardSpec"
                )
            return
        if self.shard is None:
            raise fail("BufferLayout", "shard", "a sharded layout needs a ShardSpec")
        check_instance("BufferLayout", "shard", self.shard, ShardSpec)
        tail = self.shard.shard_shape[-2:]
        if any(size % tile for size, tile in zip(tail, self.tile[-len(tail) :])):
            detail = (
                f"{list(self.shard.shard_shape)} is not a multiple of the tile [32, 32]"
            )
            raise fail("BufferLayout", "shard.shard_shape", detail)

    @property
    def data_format(self) -> str:
        """The TT ``DataFormat`` of the elements."""
        return data_format(self.dtype)

    @property
    def page_size(self) -> int:
        """Bytes per page: one tile."""
        return tile_bytes(self.dtype)

    def to_json(self) -> dict[str, Any]:
        """``{"memory", "kind", "dtype", "tile", "shard"}``."""
        return {
            "memory": self.memory,
            "kind": self.kind,
            "dtype": self.dtype,
            "tile": list(self.tile),
            "shard": None if self.shard is None else self.shard.to_json(),
        }

    def to_plan_json(self) -> dict[str, Any]:
        """The form inside a plan buffer, where the dtype is a field of the buffer."""
        data = self.to_json()
        del data["dtype"]
        return data

    @classmethod
    def from_json(cls, data: Any) -> BufferLayout:
        """Read the `to_json` form."""
        with reading():
            fields = read_fields(
                "BufferLayout", data, ("memory", "kind", "dtype", "tile", "shard")
            )
            return cls._build(fields, fields["dtype"])

    @classmethod
    def from_plan_json(cls, data: Any, dtype: str) -> BufferLayout:
        """Read the `to_plan_json` form, taking the dtype from the buffer."""
        with reading():
            fields = read_fields(
                "BufferLayout", data, ("memory", "kind", "tile", "shard")
            )
            return cls._build(fields, dtype)

    @classmethod
    def _build(cls, fields: dict[str, Any], dtype: Any) -> BufferLayout:
        shard = fields["shard"]
        if shard is not None:
            shard = object_from_json(ShardSpec, "shard", shard)
        return cls(
            memory=fields["memory"],
            kind=fields["kind"],
            dtype=dtype,
            tile=fields["tile"],
            shard=shard,
        )
