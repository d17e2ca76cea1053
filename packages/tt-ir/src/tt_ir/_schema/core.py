"""Logical core coordinates, inclusive core rectangles and sets of them.

Coordinates are logical ``(x, y)``: x is the column, y the row of the compute grid.
Iteration is row-major (y outer, x inner), the order tt-metal walks a ``CoreRange``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from tt_ir._checks import (
    check_int,
    check_items,
    fail,
    list_from_json,
    object_from_json,
    read_fields,
    reading,
    set_field,
)
from tt_ir.errors import SchemaError


@dataclass(frozen=True)
class CoreCoord:
    """A logical core ``(x, y)``; JSON ``[x, y]``."""

    x: int
    y: int

    def __post_init__(self) -> None:
        set_field(self, "x", check_int("CoreCoord", "x", self.x, low=0))
        set_field(self, "y", check_int("CoreCoord", "y", self.y, low=0))

    def __iter__(self) -> Iterator[int]:
        yield self.x
        yield self.y

    def __str__(self) -> str:
        return f"({self.x}, {self.y})"

    @classmethod
    def of(cls, value: Any) -> CoreCoord:
        """Return ``value`` as a `CoreCoord`; accepts a CoreCoord or an ``(x, y)`` pair."""
        if isinstance(value, CoreCoord):
            return value
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise SchemaError(f"CoreCoord: expected (x, y), got {value!r}")
        return cls(value[0], value[1])

    def to_json(self) -> list[int]:
        """``[x, y]``."""
        return [self.x, self.y]

    @classmethod
    def from_json(cls, data: Any) -> CoreCoord:
        """Read ``[x, y]``."""
        with reading():
            if not isinstance(data, (list, tuple)) or len(data) != 2:
                raise SchemaError(f"CoreCoord: expected [x, y], got {data!r}")
            try:
                return cls(data[0], data[1])
            except SchemaError:
                detail = f"expected [x, y] with integers >= 0, got {data!r}"
                raise SchemaError(f"CoreCoord: {detail}") from None


def _row_major(core: CoreCoord) -> tuple[int, int]:
    return (core.y, core.x)


@dataclass(frozen=True)
class CoreRange:
    """The rectangle of cores from ``start`` to ``end``, both inclusive."""

    start: CoreCoord
    end: CoreCoord

    def __post_init__(self) -> None:
        start = CoreCoord.of(self.start)
        end = CoreCoord.of(self.end)
        if end.x < start.x or end.y < start.y:
            raise fail("CoreRange", "end", f"{end} is before start {start}")
        set_field(self, "start", start)
        set_field(self, "end", end)

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"

    @property
    def num_cores(self) -> int:
        """Number of cores in the rectangle."""
        return (self.end.x - self.start.x + 1) * (self.end.y - self.start.y + 1)

    def contains(self, core: Any) -> bool:
        """Whether ``core`` (a CoreCoord or ``(x, y)``) is inside the rectangle."""
        x, y = core
        return self.start.x <= x <= self.end.x and self.start.y <= y <= self.end.y

    def overlaps(self, other: CoreRange) -> bool:
        """Whether the two rectangles share a core."""
        return not (
            other.start.x > self.end.x
            or other.end.x < self.start.x
            or other.start.y > self.end.y
            or other.end.y < self.start.y
        )

    def __iter__(self) -> Iterator[CoreCoord]:
        for y in range(self.start.y, self.end.y + 1):
            for x in range(self.start.x, self.end.x + 1):
                yield CoreCoord(x, y)

    def to_json(self) -> dict[str, Any]:
        """``{"start": [x, y], "end": [x, y]}``."""
        return {"start": self.start.to_json(), "end": self.end.to_json()}

    @classmethod
    def from_json(cls, data: Any) -> CoreRange:
        """Read ``{"start": [x, y], "end": [x, y]}``."""
        with reading():
            fields = read_fields("CoreRange", data, ("start", "end"))
            start = object_from_json(CoreCoord, "start", fields["start"])
            end = object_from_json(CoreCoord, "end", fields["end"])
            return cls(start, end)


@dataclass(frozen=True)
class CoreRangeSet:
    """A set of cores as non-overlapping rectangles; JSON: a list of `CoreRange`.

    Iteration yields every core once, row-major over the whole set.
    """

    ranges: tuple[CoreRange, ...] = ()

    def __post_init__(self) -> None:
        ranges = check_items("CoreRangeSet", "ranges", self.ranges, CoreRange)
        for i, first in enumerate(ranges):
            for j in range(i + 1, len(ranges)):
                if first.overlaps(ranges[j]):
                    detail = f"{ranges[j]} overlaps ranges[{i}] {first}"
                    message = f"CoreRangeSet.ranges[{j}]: {detail}"
                    raise SchemaError(message, field=f"[{j}]")
        set_field(self, "ranges", ranges)

    @classmethod
    def from_cores(cls, cores: Iterable[Any]) -> CoreRangeSet:
        """The set of ``cores`` as few rectangles: row runs, stacked when they align.

        Args:
            cores: CoreCoords or ``(x, y)`` pairs; repeats are ignored.

        Returns:
            A deterministic `CoreRangeSet` covering exactly ``cores``.
        """
        ordered = sorted({CoreCoord.of(core) for core in cores}, key=_row_major)
        runs: list[list[int]] = []  # [x0, x1, y0, y1] per rectangle being grown
        for core in ordered:
            last = runs[-1] if runs else None
            if last is not None and last[3] == core.y and last[1] == core.x - 1:
                last[1] = core.x
                continue
            runs.append([core.x, core.x, core.y, core.y])
        return cls(tuple(_stack_rows(runs)))

    def merge(self, *others: Any) -> CoreRangeSet:
        """The union with other sets, ranges or cores, as few rectangles."""
        cores = list(self)
        for other in others:
            cores.extend(_cores_of(other))
        return CoreRangeSet.from_cores(cores)

    @property
    def num_cores(self) -> int:
        """Number of cores in the set."""
        return sum(core_range.num_cores for core_range in self.ranges)

    def contains(self, core: Any) -> bool:
        """Whether ``core`` (a CoreCoord or ``(x, y)``) is in the set."""
        return any(core_range.contains(core) for core_range in self.ranges)

    def __iter__(self) -> Iterator[CoreCoord]:
        cores = [core for core_range in self.ranges for core in core_range]
        return iter(sorted(cores, key=_row_major))

    def __len__(self) -> int:
        return self.num_cores

    def to_json(self) -> list[dict[str, Any]]:
        """A list of ``{"start": [x, y], "end": [x, y]}``."""
        return [core_range.to_json() for core_range in self.ranges]

    @classmethod
    def from_json(cls, data: Any) -> CoreRangeSet:
        """Read a list of `CoreRange` objects."""
        with reading():
            if not isinstance(data, list):
                raise SchemaError(f"CoreRangeSet: expected a JSON list, got {data!r}")
            return cls(list_from_json("CoreRangeSet", "", data, CoreRange))


def _cores_of(value: Any) -> list[CoreCoord]:
    if isinstance(value, (CoreRangeSet, CoreRange)):
        return list(value)
    return [CoreCoord.of(value)]


def _stack_rows(runs: list[list[int]]) -> list[CoreRange]:
    """Merge row runs with the same x span on consecutive rows into rectangles."""
    stacked: list[list[int]] = []
    for x0, x1, y0, _ in runs:
        below = next((r for r in stacked if r[:2] == [x0, x1] and r[3] == y0 - 1), None)
        if below is not None:
            below[3] = y0
            continue
        stacked.append([x0, x1, y0, y0])
    ordered = sorted(stacked, key=lambda r: (r[2], r[0]))
    return [
        CoreRange(CoreCoord(x0, y0), CoreCoord(x1, y1)) for x0, x1, y0, y1 in ordered
    ]
