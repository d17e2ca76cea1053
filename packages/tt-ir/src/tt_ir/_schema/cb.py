"""Circular buffers: the L1 FIFOs between the reader, compute and writer kernels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir._checks import (
    check_identifier,
    check_int,
    check_one_of,
    fail,
    read_fields,
    reading,
    set_field,
)
from tt_ir.arch import ARCH_NAMES, Arch, get_arch
from tt_ir.dtypes import DATA_FORMATS, tile_bytes

CB_ROLES = ("input", "output", "intermediate", "scratch")
KERNEL_ROLES = ("reader", "compute", "writer")
MAX_CBS = max(get_arch(name).num_cbs for name in ARCH_NAMES)
_FIELDS = (
    "index",
    "name",
    "role",
    "data_format",
    "page_size",
    "num_pages",
    "producer",
    "consumer",
)


@dataclass(frozen=True)
class CircularBuffer:
    """One circular buffer of the program, the same on every work core.

    Attributes:
        index: CB id (``0..num_cbs-1`` of the arch: 32 on Wormhole, 64 on Blackhole).
        name: Source buffer name; codegen prints ``constexpr uint32_t cb_<name>``.
        role: ``"input"``, ``"output"``, ``"intermediate"`` or ``"scratch"`` (the reader's own
            staging tile: it reserves, fills, pushes and pops it itself).
        data_format: TT ``DataFormat`` of its tiles.
        page_size: Bytes per page: one tile of ``data_format``.
        num_pages: Pages in the ring.
        producer: The kernel that pushes: ``"reader"``, ``"compute"`` or ``"writer"``.
        consumer: The kernel that pops; differs from ``producer``.
        block_pages: Pages moved per reserve / wait (a whole block for the reader's CBs, a
            DST sub-block for what compute packs); the performance model's transfer size.
            Optional (older plans have none).
    """

    index: int
    name: str
    role: str
    data_format: str
    page_size: int
    num_pages: int
    producer: str
    consumer: str
    block_pages: int | None = None

    def __post_init__(self) -> None:
        set_field(
            self,
            "index",
            check_int("CircularBuffer", "index", self.index, 0, MAX_CBS - 1),
        )
        check_identifier("CircularBuffer", "name", self.name)
        check_one_of("CircularBuffer", "role", self.role, CB_ROLES)
        check_one_of("CircularBuffer", "data_format", self.data_format, DATA_FORMATS)
        page_size = check_int("CircularBuffer", "page_size", self.page_size)
        if page_size != tile_bytes(self.data_format):
            tile = tile_bytes(self.data_format)
            detail = f"{page_size} is not one {self.data_format} tile ({tile})"
            raise fail("CircularBuffer", "page_size", detail)
        set_field(self, "page_size", page_size)
        set_field(
            self,
            "num_pages",
            check_int("CircularBuffer", "num_pages", self.num_pages, low=1),
        )
        if self.block_pages is not None:
            set_field(self, "block_pages", check_int("CircularBuffer", "block_pages",
                                                     self.block_pages, 1, self.num_pages))
        check_one_of("CircularBuffer", "producer", self.producer, KERNEL_ROLES)
        check_one_of("CircularBuffer", "consumer", self.consumer, KERNEL_ROLES)
        if self.producer == self.consumer and not (self.is_spill or self.is_scratch):
            detail = (
                f"{self.consumer!r} is also the producer; a CB connects two kernels "
                "(only an intermediate CB may loop compute -> compute, for spilled partial sums, "
                "and a scratch CB reader -> reader)"
            )
            raise fail("CircularBuffer", "consumer", detail)

    @property
    def is_spill(self) -> bool:
        """An intermediate CB that compute both packs into and reloads from (partial sums)."""
        return self.role == "intermediate" and self.producer == "compute" and self.consumer == "compute"

    @property
    def is_scratch(self) -> bool:
        """The reader's own staging tile (an im2col gather's source tile)."""
        return self.role == "scratch" and self.producer == self.consumer == "reader"

    @property
    def total_bytes(self) -> int:
        """L1 bytes of the ring: ``page_size * num_pages``."""
        return self.page_size * self.num_pages

    def check_arch(self, arch: Arch) -> None:
        """Check the index against the arch's CB count.

        Raises:
            SchemaError: The index is too large for ``arch``, e.g.
                ``"CircularBuffer.index: 40 is out of range for wormhole_b0 (0..31)"``.
        """
        if self.index >= arch.num_cbs:
            detail = (
                f"{self.index} is out of range for {arch.name} (0..{arch.num_cbs - 1})"
            )
            raise fail("CircularBuffer", "index", detail)

    def to_json(self) -> dict[str, Any]:
        """The circular buffer entry of ``tt.plan.json``."""
        return {
            "index": self.index,
            "name": self.name,
            "role": self.role,
            "data_format": self.data_format,
            "page_size": self.page_size,
            "num_pages": self.num_pages,
            "producer": self.producer,
            "consumer": self.consumer,
            **({"block_pages": self.block_pages} if self.block_pages is not None else {}),
        }

    @classmethod
    def from_json(cls, data: Any) -> CircularBuffer:
        """Read a circular buffer entry of ``tt.plan.json``."""
        with reading():
            data = dict(data) if isinstance(data, dict) else data
            block = data.get("block_pages") if isinstance(data, dict) else None
            rest = {k: v for k, v in data.items() if k != "block_pages"} if isinstance(data, dict) else data
            return cls(**read_fields("CircularBuffer", rest, _FIELDS), block_pages=block)
