"""A kernel's tensor parameter as the device sees it: pages of 32x32 tiles."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tt_ir._checks import (
    at,
    check_identifier,
    check_instance,
    check_int,
    check_ints,
    check_one_of,
    fail,
    read_fields,
    reading,
    set_field,
)
from tt_ir._schema.layout import BufferLayout
from tt_ir.dtypes import data_format, dtype_name, tile_bytes
from tt_ir.errors import SchemaError

BUFFER_ROLES = ("input", "output", "inout")
_FIELDS = (
    "name",
    "index",
    "role",
    "shape",
    "dtype",
    "data_format",
    "layout",
    "page_size",
    "num_pages",
    "tiles",
)


def tile_grid(shape: tuple[int, ...]) -> tuple[int, int]:
    """The tile grid ``[rows/32, cols/32]`` of a shape, outer dims folded into rows.

    Partial tiles count as whole tiles (they are padded).
    """
    rows = math.prod(shape[:-1])
    return (math.ceil(rows / 32), math.ceil(shape[-1] / 32))


@dataclass(frozen=True)
class Buffer:
    """One tensor parameter of the kernel, in signature order.

    Attributes:
        name: Parameter name (a C identifier: it is printed into ``main.cpp``).
        index: Position in the kernel signature.
        role: ``"input"``, ``"output"`` or ``"inout"`` (read and written: uploaded before the
            run and read back after it; T.atomic_add's target).
        shape: Tensor shape in elements.
        dtype: Element type.
        data_format: TT ``DataFormat`` of ``dtype``.
        layout: Where the tensor lives; its dtype equals ``dtype``.
        page_size: Bytes per page (one tile).
        num_pages: Pages in the buffer (``tiles[0] * tiles[1]``).
        tiles: Tile grid ``[rows/32, cols/32]``.
        row_dim: For rank >= 3: the dim tiled as rows when it is not the second last (the
            device stores the other leading dims in order, then this one: a [B, S, H, D]
            tensor with row_dim 1 as [B, H, S, D] matrices); None: the second last.
    """

    name: str
    index: int
    role: str
    shape: tuple[int, ...]
    dtype: str
    data_format: str
    layout: BufferLayout
    page_size: int
    num_pages: int
    tiles: tuple[int, int]
    row_dim: int | None = None

    def __post_init__(self) -> None:
        check_identifier("Buffer", "name", self.name)
        set_field(self, "index", check_int("Buffer", "index", self.index, low=0))
        check_one_of("Buffer", "role", self.role, BUFFER_ROLES)
        shape = check_ints("Buffer", "shape", self.shape, low=1)
        if not shape:
            raise fail("Buffer", "shape", "must have at least one dimension")
        set_field(self, "shape", shape)
        try:
            set_field(self, "dtype", dtype_name(self.dtype))
        except SchemaError as error:
            raise fail("Buffer", "dtype", error.message) from None
        self._check_derived()
        self._check_layout()
        if self.row_dim is not None:
            set_field(self, "row_dim", check_int("Buffer", "row_dim", self.row_dim, 0,
                                                 max(0, len(shape) - 2)))

    def _check_derived(self) -> None:
        expected = data_format(self.dtype)
        if self.data_format != expected:
            detail = (
                f"{self.data_format!r} does not match dtype {self.dtype} "
                f"(expected {expected!r})"
            )
            raise fail("Buffer", "data_format", detail)
        page_size = check_int("Buffer", "page_size", self.page_size)
        if page_size != tile_bytes(self.dtype):
            detail = (
                f"{page_size} is not one {self.dtype} tile ({tile_bytes(self.dtype)})"
            )
            raise fail("Buffer", "page_size", detail)
        tiles = check_ints("Buffer", "tiles", self.tiles, length=2)
        if tiles != tile_grid(self.shape):
            expected_tiles = list(tile_grid(self.shape))
            detail = (
                f"{list(tiles)} does not match shape {list(self.shape)} "
                f"(expected {expected_tiles})"
            )
            raise fail("Buffer", "tiles", detail)
        num_pages = check_int("Buffer", "num_pages", self.num_pages)
        if num_pages != tiles[0] * tiles[1]:
            detail = f"{num_pages} is not tiles[0] * tiles[1] = {tiles[0] * tiles[1]}"
            raise fail("Buffer", "num_pages", detail)
        set_field(self, "page_size", page_size)
        set_field(self, "tiles", tiles)
        set_field(self, "num_pages", num_pages)

    def _check_layout(self) -> None:
        layout = check_instance("Buffer", "layout", self.layout, BufferLayout)
        if layout.dtype != self.dtype:
            raise fail(
                "Buffer",
                "layout",
                f"dtype {layout.dtype} differs from the buffer's {self.dtype}",
            )
        if layout.shard is None:
            return
        shard = layout.shard
        if len(shard.grid) != len(self.shape):
            rank = len(shard.grid)
            detail = f"rank {rank} differs from the rank of shape {list(self.shape)}"
            raise fail("Buffer", "layout.shard.grid", detail)
        covered = [count * size for count, size in zip(shard.grid, shard.shard_shape)]
        if any(have < need for have, need in zip(covered, self.shape)):
            detail = f"grid x shard_shape = {covered} does not cover shape {list(self.shape)}"
            raise fail("Buffer", "layout.shard", detail)

    @classmethod
    def tiled(
        cls,
        name: str,
        index: int,
        role: str,
        shape: tuple[int, ...],
        dtype: Any,
        layout: BufferLayout | None = None,
    ) -> Buffer:
        """Build a buffer, deriving format, page size, tile grid and page count.

        Args:
            name: Parameter name.
            index: Position in the signature.
            role: ``"input"``, ``"output"`` or ``"inout"`` (read and written: uploaded before the
            run and read back after it; T.atomic_add's target).
            shape: Tensor shape.
            dtype: Element type (a name, numpy dtype, ...).
            layout: The layout; None: DRAM interleaved.

        Returns:
            The `Buffer`.
        """
        name_of_dtype = dtype_name(dtype)
        if layout is None:
            layout = BufferLayout(dtype=name_of_dtype)
        tiles = tile_grid(tuple(shape))
        return cls(
            name=name,
            index=index,
            role=role,
            shape=tuple(shape),
            dtype=name_of_dtype,
            data_format=data_format(name_of_dtype),
            layout=layout,
            page_size=tile_bytes(name_of_dtype),
            num_pages=tiles[0] * tiles[1],
            tiles=tiles,
        )

    def to_json(self) -> dict[str, Any]:
        """The buffer entry of ``tt.plan.json`` (contracts §2)."""
        return {
            "name": self.name,
            "index": self.index,
            "role": self.role,
            "shape": list(self.shape),
            "dtype": self.dtype,
            "data_format": self.data_format,
            "layout": self.layout.to_plan_json(),
            "page_size": self.page_size,
            "num_pages": self.num_pages,
            "tiles": list(self.tiles),
            **({"row_dim": self.row_dim} if self.row_dim is not None else {}),
        }

    @classmethod
    def from_json(cls, data: Any) -> Buffer:
        """Read a buffer entry of ``tt.plan.json``."""
        with reading():
            row_dim = data.get("row_dim") if isinstance(data, dict) else None
            rest = {k: v for k, v in data.items() if k != "row_dim"} if isinstance(data, dict) else data
            fields = dict(read_fields("Buffer", rest, _FIELDS), row_dim=row_dim)
            dtype = fields["dtype"]
            if not isinstance(dtype, str):
                raise fail("Buffer", "dtype", f"expected a string, got {dtype!r}")
            with at("layout"):
                fields["layout"] = BufferLayout.from_plan_json(fields["layout"], dtype)
            return cls(**fields)
