"""Per-core L1 use: where the circular buffers start and how many bytes they take."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tt_ir._checks import (
    check_int,
    check_items,
    fail,
    list_from_json,
    read_fields,
    reading,
    set_field,
    unique,
)
from tt_ir.arch import Arch


@dataclass(frozen=True)
class CBUsage:
    """The L1 bytes of one circular buffer (``page_size * num_pages``)."""

    index: int
    bytes: int

    def __post_init__(self) -> None:
        set_field(self, "index", check_int("CBUsage", "index", self.index, low=0))
        set_field(self, "bytes", check_int("CBUsage", "bytes", self.bytes, low=1))

    def to_json(self) -> dict[str, Any]:
        """``{"index", "bytes"}``."""
        return {"index": self.index, "bytes": self.bytes}

    @classmethod
    def from_json(cls, data: Any) -> CBUsage:
        """Read an ``l1.cbs`` entry of ``tt.plan.json``."""
        with reading():
            return cls(**read_fields("CBUsage", data, ("index", "bytes")))


@dataclass(frozen=True)
class L1Usage:
    """The L1 footprint of the program on each work core.

    Attributes:
        capacity: L1 bytes per core (the arch's ``l1_size``).
        base: First byte of the circular buffers (>= the arch's ``l1_unreserved_base``).
        per_core_bytes: Bytes of all circular buffers; the sum of ``cbs``.
        cbs: Bytes per circular buffer, in ``circular_buffers`` order.
    """

    capacity: int
    base: int
    per_core_bytes: int
    cbs: tuple[CBUsage, ...]

    def __post_init__(self) -> None:
        set_field(
            self, "capacity", check_int("L1Usage", "capacity", self.capacity, low=1)
        )
        set_field(self, "base", check_int("L1Usage", "base", self.base, low=0))
        per_core = check_int("L1Usage", "per_core_bytes", self.per_core_bytes, low=0)
        set_field(self, "per_core_bytes", per_core)
        cbs = check_items("L1Usage", "cbs", self.cbs, CBUsage)
        unique("L1Usage", "cbs", [cb.index for cb in cbs], "index")
        total = sum(cb.bytes for cb in cbs)
        if per_core != total:
            detail = f"{per_core} is not the sum of cbs[].bytes ({total})"
            raise fail("L1Usage", "per_core_bytes", detail)
        set_field(self, "cbs", cbs)

    @classmethod
    def for_cbs(cls, circular_buffers: Iterable[Any], arch: Arch) -> L1Usage:
        """The usage of ``circular_buffers`` (CircularBuffer objects) on ``arch``."""
        cbs = tuple(
            CBUsage(cb.index, cb.page_size * cb.num_pages) for cb in circular_buffers
        )
        return cls(
            capacity=arch.l1_size,
            base=arch.l1_unreserved_base,
            per_core_bytes=sum(cb.bytes for cb in cbs),
            cbs=cbs,
        )

    @property
    def end(self) -> int:
        """One past the last byte used: ``base + per_core_bytes``."""
        return self.base + self.per_core_bytes

    @property
    def free_bytes(self) -> int:
        """Bytes left after the circular buffers (negative when they overflow)."""
        return self.capacity - self.end

    def to_json(self) -> dict[str, Any]:
        """The ``l1`` object of ``tt.plan.json``."""
        return {
            "capacity": self.capacity,
            "base": self.base,
            "per_core_bytes": self.per_core_bytes,
            "cbs": [cb.to_json() for cb in self.cbs],
        }

    @classmethod
    def from_json(cls, data: Any) -> L1Usage:
        """Read the ``l1`` object of ``tt.plan.json``."""
        with reading():
            fields = dict(
                read_fields(
                    "L1Usage", data, ("capacity", "base", "per_core_bytes", "cbs")
                )
            )
            fields["cbs"] = list_from_json("L1Usage", "cbs", fields["cbs"], CBUsage)
            return cls(**fields)
