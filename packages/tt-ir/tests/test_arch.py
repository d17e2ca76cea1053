"""The architecture table and grid selection (contracts §1)."""

import dataclasses

import pytest

from tt_ir.arch import ARCH_NAMES, Arch, get_arch
from tt_ir.errors import SchemaError


def test_wormhole_numbers():
    """Every field of wormhole_b0 matches the contract table."""
    arch = get_arch("wormhole_b0")
    assert (arch.name, arch.grid) == ("wormhole_b0", (8, 8))
    assert (arch.l1_size, arch.l1_unreserved_base) == (1_499_136, 102_400)
    assert (arch.num_dram_banks, arch.dram_bank_size) == (12, 1 << 30)
    assert (arch.num_cbs, arch.max_runtime_args) == (32, 341)
    assert (arch.noc_max_burst, arch.dram_alignment, arch.l1_alignment) == (
        8192,
        32,
        16,
    )
    assert (arch.clock_ghz, arch.num_semaphores) == (1.0, 8)
    assert arch.usable_l1 == 1_396_736
    assert arch.num_cores == 64


def test_blackhole_numbers():
    """Every field of blackhole matches the contract table."""
    arch = get_arch("blackhole")
    assert (arch.name, arch.grid) == ("blackhole", (13, 10))
    assert (arch.l1_size, arch.l1_unreserved_base) == (1_572_864, 102_400)
    assert (arch.num_dram_banks, arch.dram_bank_size) == (8, 4_278_190_080)
    assert (arch.num_cbs, arch.max_runtime_args) == (64, 341)
    assert (arch.noc_max_burst, arch.dram_alignment, arch.l1_alignment) == (
        16384,
        64,
        16,
    )
    assert (arch.clock_ghz, arch.num_semaphores) == (1.35, 8)
    assert arch.usable_l1 == 1_470_464


@pytest.mark.parametrize("name", ["wormhole_b0", "blackhole"])
@pytest.mark.parametrize(
    ("fp32_acc", "full_sync", "tiles"),
    [(False, False, 8), (True, False, 4), (False, True, 16), (True, True, 8)],
)
def test_dst_tiles(name, fp32_acc, full_sync, tiles):
    """DST holds 8/4 tiles in half sync and 16/8 in full sync, on both chips."""
    assert get_arch(name).dst_tiles(fp32_acc, full_sync) == tiles


@pytest.mark.parametrize("grid", [(11, 10), (12, 10), (13, 10), [11, 10], (1, 1)])
def test_blackhole_accepts_smaller_grids(grid):
    """Post-firmware-19.5 cards expose 11x10 (12x10 with eth dispatch)."""
    arch = get_arch("blackhole", grid=grid)
    assert arch.grid == tuple(grid)
    assert arch.l1_size == 1_572_864


def test_grid_larger_than_die_lists_allowed_grids():
    """A grid that does not fit the die names the allowed extents and full grids."""
    with pytest.raises(SchemaError) as info:
        get_arch("blackhole", grid=(14, 10))
    assert str(info.value) == (
        "Arch.grid: (14, 10) does not fit blackhole; allowed: x in 1..13, y in 1..10 "
        "(full grids: 13x10, 12x10, 11x10)"
    )


@pytest.mark.parametrize("grid", [(0, 8), (8, -1), (9, 8)])
def test_wormhole_rejects_bad_grids(grid):
    """Non-positive and oversized grids are SchemaErrors naming 8x8."""
    with pytest.raises(
        SchemaError, match=r"allowed: x in 1\.\.8, y in 1\.\.8 \(full grids: 8x8\)"
    ):
        get_arch("wormhole_b0", grid=grid)


@pytest.mark.parametrize("grid", [(8,), "88", (8.0, 8), (True, 8)])
def test_grid_must_be_two_integers(grid):
    """A grid that is not two integers is rejected, not truncated."""
    with pytest.raises(SchemaError, match=r"Arch\.grid"):
        get_arch("wormhole_b0", grid=grid)


def test_unknown_arch_lists_valid_names():
    """An unknown name lists wormhole_b0 and blackhole."""
    with pytest.raises(SchemaError) as info:
        get_arch("grayskull")
    assert str(info.value) == "unknown arch 'grayskull'; valid: wormhole_b0, blackhole"
    assert ARCH_NAMES == ("wormhole_b0", "blackhole")


def test_arch_is_frozen_and_get_arch_accepts_an_arch():
    """Arch cannot be mutated; passing an Arch re-grids it."""
    arch = get_arch("blackhole", grid=(11, 10))
    with pytest.raises(dataclasses.FrozenInstanceError):
        arch.num_cbs = 8
    assert get_arch(arch) is arch
    assert get_arch(arch, grid=(4, 4)).grid == (4, 4)
    assert isinstance(arch, Arch)


def test_contains():
    """contains() tests a logical core against the selected grid."""
    arch = get_arch("blackhole", grid=(11, 10))
    assert arch.contains((10, 9))
    assert not arch.contains((11, 0))
    assert not arch.contains((0, -1))
