"""The work partition: which blocks of the logical TileLang grid each core runs."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

from tt_ir._checks import (
    check_int,
    check_ints,
    check_items,
    check_one_of,
    fail,
    list_from_json,
    object_from_json,
    read_fields,
    reading,
    set_field,
    unique,
)
from tt_ir._schema.core import CoreCoord
from tt_ir.errors import SchemaError

WORK_ORDERS = ("row_major", "tiled", "zigzag")


@dataclass(frozen=True)
class CoreWork:
    """The consecutive blocks ``start .. start+count-1`` assigned to one core."""

    core: CoreCoord
    start: int
    count: int

    def __post_init__(self) -> None:
        set_field(self, "core", CoreCoord.of(self.core))
        set_field(self, "start", check_int("CoreWork", "start", self.start, low=0))
        set_field(self, "count", check_int("CoreWork", "count", self.count, low=1))

    @property
    def blocks(self) -> range:
        """The block ids of this core."""
        return range(self.start, self.start + self.count)

    def to_json(self) -> dict[str, Any]:
        """``{"core": [x, y], "start", "count"}``."""
        return {"core": self.core.to_json(), "start": self.start, "count": self.count}

    @classmethod
    def from_json(cls, data: Any) -> CoreWork:
        """Read a ``work.cores`` entry of ``tt.plan.json``."""
        with reading():
            fields = read_fields("CoreWork", data, ("core", "start", "count"))
            core = object_from_json(CoreCoord, "core", fields["core"])
            return cls(core, fields["start"], fields["count"])


def _span(work: CoreWork) -> str:
    return f"{work.start}..{work.start + work.count - 1}"


@dataclass(frozen=True)
class WorkPartition:
    """The logical grid and its blocks split over the work cores.

    Attributes:
        grid: Logical TileLang grid ``(gx, gy, gz)``.
        num_blocks: ``gx * gy * gz``.
        order: Block numbering; ``"row_major"``: id = ``(bz*gy + by)*gx + bx``;
            ``"tiled"`` (gz = 1): the grid is cut into tiles of ``tile = [tx, ty]``
            blocks, tiles numbered row-major, blocks row-major inside a tile:
            id = ``((by//ty) * (gx//tx) + bx//tx) * tx*ty + (by%ty) * tx + bx%tx``
            (a core that owns one tile owns a consecutive range);
            ``"zigzag"``: row-major, but position p of a grid row is bx = p/2 for even p and
            gx - 1 - p/2 for odd p (0, gx-1, 1, gx-2, ...): consecutive ids pair a low and
            a high bx, which balances blocks whose work grows with bx (causal attention).
        cores: Only the cores with work; their block ranges partition
            ``0 .. num_blocks-1``.
        tile: ``[tx, ty]`` for the ``"tiled"`` order (dividing gx, gy); None otherwise.
    """

    grid: tuple[int, int, int]
    num_blocks: int
    order: str
    cores: tuple[CoreWork, ...]
    tile: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        set_field(
            self,
            "grid",
            check_ints("WorkPartition", "grid", self.grid, length=3, low=1),
        )
        num_blocks = check_int("WorkPartition", "num_blocks", self.num_blocks)
        if num_blocks != math.prod(self.grid):
            product = math.prod(self.grid)
            detail = (
                f"{num_blocks} is not the product of grid {list(self.grid)} ({product})"
            )
            raise fail("WorkPartition", "num_blocks", detail)
        set_field(self, "num_blocks", num_blocks)
        check_one_of("WorkPartition", "order", self.order, WORK_ORDERS)
        self._check_tile()
        cores = check_items("WorkPartition", "cores", self.cores, CoreWork)
        unique("WorkPartition", "cores", [work.core for work in cores], "core")
        set_field(self, "cores", cores)
        self._check_cover()

    def _check_tile(self) -> None:
        if self.order != "tiled":
            if self.tile is not None:
                raise fail("WorkPartition", "tile", "only the 'tiled' order has a tile")
            return
        tile = check_ints("WorkPartition", "tile", self.tile, length=2, low=1)
        gx, gy, gz = self.grid
        if gz != 1 or gx % tile[0] or gy % tile[1]:
            detail = f"{list(tile)} must divide grid {list(self.grid)} (with gz = 1)"
            raise fail("WorkPartition", "tile", detail)
        set_field(self, "tile", tile)

    def _check_cover(self) -> None:
        for i, work in enumerate(self.cores):
            if work.start + work.count > self.num_blocks:
                detail = f"blocks {_span(work)} run past num_blocks {self.num_blocks}"
                raise fail("WorkPartition", f"cores[{i}]", detail)
        by_start = sorted(range(len(self.cores)), key=lambda i: self.cores[i].start)
        for before, after in itertools.pairwise(by_start):
            first, second = self.cores[before], self.cores[after]
            if second.start < first.start + first.count:
                detail = (
                    f"blocks {_span(second)} overlap blocks {_span(first)} "
                    f"of cores[{before}] {first.core}"
                )
                raise fail("WorkPartition", f"cores[{after}]", detail)
        total = sum(work.count for work in self.cores)
        if total != self.num_blocks:
            detail = (
                f"counts sum to {total}; every one of the {self.num_blocks} blocks "
                "needs a core"
            )
            raise fail("WorkPartition", "cores", detail)

    @property
    def work_cores(self) -> tuple[CoreCoord, ...]:
        """The cores with work, in ``cores`` order."""
        return tuple(work.core for work in self.cores)

    def blocks_of(self, core: Any) -> range:
        """The block ids assigned to ``core`` (empty for an idle core)."""
        core = CoreCoord.of(core)
        for work in self.cores:
            if work.core == core:
                return work.blocks
        return range(0)

    def block_coords(self, block: int) -> tuple[int, int, int]:
        """``(bx, by, bz)`` of a block id under the partition's order."""
        if not 0 <= block < self.num_blocks:
            raise SchemaError(
                f"block {block} is out of range (0..{self.num_blocks - 1})"
            )
        gx, gy, _ = self.grid
        if self.order == "tiled":
            tx, ty = self.tile
            tile, inner = divmod(block, tx * ty)
            tile_y, tile_x = divmod(tile, gx // tx)
            return (tile_x * tx + inner % tx, tile_y * ty + inner // tx, 0)
        bx = block % gx
        if self.order == "zigzag":
            bx = bx // 2 if bx % 2 == 0 else gx - 1 - bx // 2
        return (bx, (block // gx) % gy, block // (gx * gy))

    def to_json(self) -> dict[str, Any]:
        """The ``work`` object of ``tt.plan.json``."""
        data: dict[str, Any] = {
            "grid": list(self.grid),
            "num_blocks": self.num_blocks,
            "order": self.order,
            "cores": [work.to_json() for work in self.cores],
        }
        if self.tile is not None:
            data["tile"] = list(self.tile)
        return data

    @classmethod
    def from_json(cls, data: Any) -> WorkPartition:
        """Read the ``work`` object of ``tt.plan.json``."""
        with reading():
            names = ("grid", "num_blocks", "order", "cores")
            if isinstance(data, dict) and data.get("order") == "tiled":
                names += ("tile",)
            fields = dict(read_fields("WorkPartition", data, names))
            fields["cores"] = list_from_json(
                "WorkPartition", "cores", fields["cores"], CoreWork
            )
            return cls(**fields)
