"""CoreWork, WorkPartition, CBUsage and L1Usage: checks, lookups, JSON."""

import pytest

from tt_ir import (
    CBUsage,
    CircularBuffer,
    CoreWork,
    L1Usage,
    SchemaError,
    WorkPartition,
    get_arch,
)


def partition(*cores, grid=(2, 2, 1)):
    """A work partition of a 2x2 grid from (x, y, start, count) tuples."""
    work = [CoreWork((x, y), start, count) for x, y, start, count in cores]
    blocks = grid[0] * grid[1] * grid[2]
    return WorkPartition(grid, blocks, "row_major", work)


def test_work_round_trip_and_lookups():
    """JSON keeps the contract's fields; blocks_of and block_coords answer per core."""
    work = partition((0, 0, 0, 3), (1, 0, 3, 1))
    data = work.to_json()
    assert data == {
        "grid": [2, 2, 1],
        "num_blocks": 4,
        "order": "row_major",
        "cores": [
            {"core": [0, 0], "start": 0, "count": 3},
            {"core": [1, 0], "start": 3, "count": 1},
        ],
    }
    assert WorkPartition.from_json(data) == work
    assert work.blocks_of((0, 0)) == range(3)
    assert work.blocks_of((7, 7)) == range(0)
    assert [tuple(core) for core in work.work_cores] == [(0, 0), (1, 0)]
    assert work.block_coords(3) == (1, 1, 0)


def test_block_coords_is_row_major_over_three_dims():
    """block id = (bz*gy + by)*gx + bx."""
    work = WorkPartition((3, 2, 2), 12, "row_major", [CoreWork((0, 0), 0, 12)])
    assert work.block_coords(0) == (0, 0, 0)
    assert work.block_coords(4) == (1, 1, 0)
    assert work.block_coords(11) == (2, 1, 1)
    with pytest.raises(SchemaError, match=r"^block 12 is out of range \(0\.\.11\)$"):
        work.block_coords(12)


@pytest.mark.parametrize(
    ("cores", "message"),
    [
        (
            [(0, 0, 0, 3)],
            "WorkPartition.cores: counts sum to 3; every one of the 4 blocks needs a core",
        ),
        (
            [(0, 0, 0, 2), (1, 0, 1, 3)],
            "WorkPartition.cores[1]: blocks 1..3 overlap blocks 0..1 of cores[0] (0, 0)",
        ),
        (
            [(0, 0, 0, 2), (1, 0, 3, 2)],
            "WorkPartition.cores[1]: blocks 3..4 run past num_blocks 4",
        ),
        (
            [(0, 0, 0, 2), (0, 0, 2, 2)],
            "WorkPartition.cores[1].core: (0, 0) repeats cores[0]; must be unique",
        ),
    ],
)
def test_work_must_partition_the_blocks(cores, message):
    """Block ranges are disjoint, inside the grid and cover every block."""
    with pytest.raises(SchemaError) as info:
        partition(*cores)
    assert str(info.value) == message


def test_work_num_blocks_and_order():
    """num_blocks is the grid's product; the order is row_major, tiled or zigzag."""
    with pytest.raises(SchemaError) as info:
        WorkPartition((2, 4, 1), 6, "row_major", [])
    assert str(info.value) == (
        "WorkPartition.num_blocks: 6 is not the product of grid [2, 4, 1] (8)"
    )
    with pytest.raises(SchemaError) as info:
        WorkPartition((1, 1, 1), 1, "column_major", [CoreWork((0, 0), 0, 1)])
    assert (
        str(info.value)
        == "WorkPartition.order: 'column_major' is not one of row_major, tiled, zigzag"
    )
    with pytest.raises(
        SchemaError, match=r"WorkPartition\.grid: \[2, 2\] must have 3 entries"
    ):
        WorkPartition((2, 2), 4, "row_major", [])


def test_core_work_needs_a_block():
    """Only cores with work are listed, so count >= 1."""
    with pytest.raises(SchemaError) as info:
        CoreWork((0, 0), 0, 0)
    assert str(info.value) == "CoreWork.count: 0 must be >= 1"


def test_work_from_json_locates_errors():
    """A bad entry is reported at $.cores[i]...."""
    data = partition((0, 0, 0, 4)).to_json()
    data["cores"][0]["core"] = [0]
    with pytest.raises(SchemaError) as info:
        WorkPartition.from_json(data)
    assert info.value.path == "$.cores[0].core"


def cbs():
    """Two CBs of 32 KiB and 8 KiB."""
    return [
        CircularBuffer(0, "a", "input", "Float16_b", 2048, 16, "reader", "compute"),
        CircularBuffer(16, "c", "output", "Float32", 4096, 2, "compute", "writer"),
    ]


def test_l1_for_cbs_and_round_trip():
    """L1Usage.for_cbs sums page_size * num_pages from the arch's first free byte."""
    usage = L1Usage.for_cbs(cbs(), get_arch("wormhole_b0"))
    data = usage.to_json()
    assert data == {
        "capacity": 1499136,
        "base": 102400,
        "per_core_bytes": 40960,
        "cbs": [{"index": 0, "bytes": 32768}, {"index": 16, "bytes": 8192}],
    }
    assert L1Usage.from_json(data) == usage
    assert usage.end == 143360
    assert usage.free_bytes == 1499136 - 143360


def test_l1_per_core_bytes_is_the_sum():
    """per_core_bytes must equal the sum of the CB byte counts."""
    with pytest.raises(SchemaError) as info:
        L1Usage(1499136, 102400, 40000, [CBUsage(0, 32768), CBUsage(16, 8192)])
    assert str(info.value) == (
        "L1Usage.per_core_bytes: 40000 is not the sum of cbs[].bytes (40960)"
    )


def test_l1_cb_indices_unique():
    """A CB is listed once."""
    with pytest.raises(SchemaError) as info:
        L1Usage(1499136, 102400, 2, [CBUsage(0, 1), CBUsage(0, 1)])
    assert str(info.value) == "L1Usage.cbs[1].index: 0 repeats cbs[0]; must be unique"


def test_cb_usage_round_trip_and_bytes():
    """A CB entry has at least one byte."""
    assert CBUsage.from_json({"index": 3, "bytes": 2048}) == CBUsage(3, 2048)
    with pytest.raises(
        SchemaError, match=r"^CBUsage\.bytes: 0 must be >= 1\n  at \$\.bytes$"
    ):
        CBUsage.from_json({"index": 3, "bytes": 0})


def test_tiled_order_numbers_blocks_tile_by_tile():
    """order "tiled": tiles of [tx, ty] blocks row-major, blocks row-major inside a tile."""
    cores = [CoreWork((x, y), (y * 2 + x) * 4, 4) for y in range(2) for x in range(2)]
    work = WorkPartition((4, 4, 1), 16, "tiled", cores, tile=(2, 2))
    assert [work.block_coords(b) for b in work.blocks_of((1, 0))] == [
        (2, 0, 0), (3, 0, 0), (2, 1, 0), (3, 1, 0)]
    assert work.block_coords(15) == (3, 3, 0)
    data = work.to_json()
    assert data["tile"] == [2, 2] and data["order"] == "tiled"
    assert WorkPartition.from_json(data) == work
    assert "tile" not in partition((0, 0, 0, 4)).to_json()


def test_zigzag_order_pairs_low_and_high_bx():
    """order "zigzag": position p of a grid row is bx 0, gx-1, 1, gx-2, ...; rows as row-major."""
    work = WorkPartition((4, 2, 1), 8, "zigzag", [CoreWork((c, 0), 2 * c, 2) for c in range(4)])
    assert [work.block_coords(b) for b in work.blocks_of((0, 0))] == [(0, 0, 0), (3, 0, 0)]
    assert [work.block_coords(b) for b in work.blocks_of((3, 0))] == [(1, 1, 0), (2, 1, 0)]
    assert WorkPartition.from_json(work.to_json()) == work


@pytest.mark.parametrize(
    ("grid", "order", "tile", "message"),
    [
        ((4, 4, 1), "tiled", (3, 2),
         "WorkPartition.tile: [3, 2] must divide grid [4, 4, 1] (with gz = 1)"),
        ((4, 4, 2), "tiled", (2, 2),
         "WorkPartition.tile: [2, 2] must divide grid [4, 4, 2] (with gz = 1)"),
        ((4, 4, 1), "row_major", (2, 2),
         "WorkPartition.tile: only the 'tiled' order has a tile"),
    ],
)
def test_tiled_order_rejects(grid, order, tile, message):
    """The tile divides gx and gy of a 2-D grid, and only the tiled order has one."""
    n = grid[0] * grid[1] * grid[2]
    with pytest.raises(SchemaError) as info:
        WorkPartition(grid, n, order, [CoreWork((0, 0), 0, n)], tile=tile)
    assert str(info.value) == message
