"""The Tenstorrent chips we target and the numbers the compiler needs from them.

Values come from `docs/contracts.md` §1 (sources: tt-metal's soc descriptors,
``dev_mem_map.h`` and ``noc_parameters.h``). This module imports nothing from TVM.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from tt_ir._checks import check_int, choices
from tt_ir.errors import SchemaError

__all__ = ["ARCH_NAMES", "Arch", "get_arch"]


@dataclass(frozen=True)
class Arch:
    """One chip architecture with the core grid a kernel may use.

    Attributes:
        name: ``"wormhole_b0"`` or ``"blackhole"``.
        grid: ``(x, y)`` logical compute grid the kernel may use.
        max_grid: The largest compute grid of the die; ``grid`` fits inside it.
        full_grids: The usual full compute grids of shipped cards, for messages.
        l1_size: Bytes of L1 per Tensix core.
        l1_unreserved_base: First L1 byte usable for circular buffers.
        num_dram_banks: DRAM banks that interleaved buffers round-robin over.
        dram_bank_size: Bytes per DRAM bank.
        num_cbs: Circular buffers per core (valid indices ``0..num_cbs-1``).
        max_runtime_args: Runtime arguments per kernel per core.
        noc_max_burst: Largest single NoC packet in bytes.
        dram_alignment: DRAM read alignment in bytes.
        l1_alignment: L1 alignment in bytes.
        clock_ghz: AI clock.
        num_semaphores: Semaphores per core.
    """

    name: str
    grid: tuple[int, int]
    max_grid: tuple[int, int]
    full_grids: tuple[tuple[int, int], ...]
    l1_size: int
    l1_unreserved_base: int
    num_dram_banks: int
    dram_bank_size: int
    num_cbs: int
    max_runtime_args: int
    noc_max_burst: int
    dram_alignment: int
    l1_alignment: int
    clock_ghz: float
    num_semaphores: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "grid", check_grid(self, self.grid))

    @property
    def usable_l1(self) -> int:
        """Bytes of L1 per core available to circular buffers."""
        return self.l1_size - self.l1_unreserved_base

    @property
    def num_cores(self) -> int:
        """Number of cores in ``grid``."""
        return self.grid[0] * self.grid[1]

    def dst_tiles(self, fp32_acc: bool, full_sync: bool) -> int:
        """Tiles the DST register holds for one compute phase.

        Args:
            fp32_acc: ``fp32_dest_acc_en``: 32-bit DST entries halve the capacity.
            full_sync: ``dst_full_sync_en``: use all of DST instead of half.

        Returns:
            8 (16-bit, half sync), 4 (fp32, half), 16 (16-bit, full) or 8 (fp32, full).
        """
        tiles = 16 if full_sync else 8
        return tiles // 2 if fp32_acc else tiles

    def contains(self, core: Any) -> bool:
        """Whether logical core ``(x, y)`` lies inside ``grid``."""
        x, y = core
        return 0 <= x < self.grid[0] and 0 <= y < self.grid[1]


def check_grid(
    arch: Arch, grid: Any, owner: str = "Arch", field: str = "grid"
) -> tuple[int, int]:
    """Return ``grid`` as ``(x, y)`` if it is positive and fits the die of ``arch``.

    Args:
        arch: The architecture (its ``max_grid`` and ``full_grids`` are used).
        grid: The requested ``(x, y)``.
        owner: Schema object named in the message.
        field: Field named in the message.

    Raises:
        SchemaError: Not two integers, not positive, or larger than the die.
    """
    if isinstance(grid, (str, bytes)) or not hasattr(grid, "__len__") or len(grid) != 2:
        raise SchemaError(
            f"{owner}.{field}: expected (x, y), got {grid!r}", field=field
        )
    x = check_int(owner, f"{field}[0]", grid[0])
    y = check_int(owner, f"{field}[1]", grid[1])
    max_x, max_y = arch.max_grid
    if 1 <= x <= max_x and 1 <= y <= max_y:
        return (x, y)
    full = choices(f"{fx}x{fy}" for fx, fy in arch.full_grids)
    raise SchemaError(
        f"{owner}.{field}: ({x}, {y}) does not fit {arch.name}; allowed: x in 1..{max_x}, "
        f"y in 1..{max_y} (full grids: {full})",
        field=field,
    )


_ARCHS = {
    "wormhole_b0": Arch(
        name="wormhole_b0",
        grid=(8, 8),
        max_grid=(8, 8),
        full_grids=((8, 8),),
        l1_size=1_499_136,
        l1_unreserved_base=102_400,
        num_dram_banks=12,
        dram_bank_size=1 << 30,
        num_cbs=32,
        max_runtime_args=341,
        noc_max_burst=8192,
        dram_alignment=32,
        l1_alignment=16,
        clock_ghz=1.0,
        num_semaphores=8,
    ),
    "blackhole": Arch(
        name="blackhole",
        grid=(13, 10),
        max_grid=(13, 10),
        full_grids=((13, 10), (12, 10), (11, 10)),
        l1_size=1_572_864,
        l1_unreserved_base=102_400,
        num_dram_banks=8,
        dram_bank_size=4_278_190_080,
        num_cbs=64,
        max_runtime_args=341,
        noc_max_burst=16384,
        dram_alignment=64,
        l1_alignment=16,
        clock_ghz=1.35,
        num_semaphores=8,
    ),
}

ARCH_NAMES: tuple[str, ...] = tuple(_ARCHS)


def get_arch(name: str | Arch, grid: tuple[int, int] | None = None) -> Arch:
    """Look up an architecture, optionally restricted to a smaller core grid.

    Args:
        name: ``"wormhole_b0"`` or ``"blackhole"`` (an `Arch` is returned as is, or
            with ``grid`` replaced).
        grid: ``(x, y)`` compute grid, e.g. ``(11, 10)`` for Blackhole cards on
            firmware 19.5 or later. None: the full grid of the die.

    Returns:
        The `Arch`.

    Raises:
        SchemaError: Unknown name (the message lists the valid ones), or a grid that is
            not positive or larger than the die.
    """
    if isinstance(name, Arch):
        base = name
    elif name in _ARCHS:
        base = _ARCHS[name]
    else:
        raise SchemaError(
            f"unknown arch {name!r}; valid: {choices(ARCH_NAMES)}", field="arch"
        )
    if grid is None:
        return base
    return dataclasses.replace(base, grid=grid)
