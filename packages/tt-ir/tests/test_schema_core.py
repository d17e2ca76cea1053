"""CoreCoord, CoreRange and CoreRangeSet: checks, set operations, JSON."""

import dataclasses
import random

import pytest

from tt_ir import CoreCoord, CoreRange, CoreRangeSet, SchemaError


def test_core_coord_json_round_trip():
    """A core is [x, y] in JSON."""
    core = CoreCoord(3, 5)
    assert core.to_json() == [3, 5]
    assert CoreCoord.from_json([3, 5]) == core
    assert tuple(core) == (3, 5)
    assert str(core) == "(3, 5)"


def test_core_coord_rejects_negative():
    """Coordinates are logical and start at 0."""
    with pytest.raises(SchemaError) as info:
        CoreCoord(-1, 0)
    assert str(info.value) == "CoreCoord.x: -1 must be >= 0"


@pytest.mark.parametrize("data", [[1], [1, 2, 3], "12", {"x": 1}, [1, "2"], [True, 0]])
def test_core_coord_from_json_rejects_non_pairs(data):
    """Anything but two non-negative integers is a SchemaError at the coordinate."""
    with pytest.raises(SchemaError, match=r"^CoreCoord: expected \[x, y\]") as info:
        CoreCoord.from_json(data)
    assert info.value.path == "$"


def test_core_coord_is_frozen():
    """Schema objects are immutable."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        CoreCoord(0, 0).x = 1


def test_core_range_counts_contains_and_iterates_row_major():
    """An inclusive rectangle: 3x2 cores, x varies fastest."""
    core_range = CoreRange((1, 0), (3, 1))
    assert core_range.num_cores == 6
    assert core_range.contains((3, 1)) and core_range.contains(CoreCoord(1, 0))
    assert not core_range.contains((0, 0))
    assert [tuple(c) for c in core_range] == [
        (1, 0), (2, 0), (3, 0), (1, 1), (2, 1), (3, 1),
    ]  # fmt: skip


def test_core_range_json_round_trip():
    """A range is {"start": [x, y], "end": [x, y]}."""
    core_range = CoreRange(CoreCoord(0, 0), CoreCoord(7, 7))
    data = core_range.to_json()
    assert data == {"start": [0, 0], "end": [7, 7]}
    assert CoreRange.from_json(data) == core_range


def test_core_range_end_before_start():
    """The end corner may not precede the start corner."""
    with pytest.raises(SchemaError) as info:
        CoreRange((2, 2), (1, 3))
    assert str(info.value) == "CoreRange.end: (1, 3) is before start (2, 2)"


def test_core_range_from_json_locates_bad_corner():
    """A bad corner is reported at its JSON path."""
    with pytest.raises(SchemaError) as info:
        CoreRange.from_json({"start": [0, 0], "end": [1, -1]})
    assert info.value.path == "$.end"


def test_core_range_set_from_cores_builds_rectangles():
    """Cores are grouped into row runs, stacked into rectangles when they align."""
    cores = [(x, y) for x in range(4) for y in range(3)] + [(5, 0), (5, 1), (6, 1)]
    core_set = CoreRangeSet.from_cores(cores)
    assert core_set.to_json() == [
        {"start": [0, 0], "end": [3, 2]},
        {"start": [5, 0], "end": [5, 0]},
        {"start": [5, 1], "end": [6, 1]},
    ]
    assert core_set.num_cores == len(core_set) == 15
    assert set(map(tuple, core_set)) == set(cores)


def test_core_range_set_iterates_row_major_over_all_ranges():
    """Iteration covers every core once, y outer and x inner across ranges."""
    core_set = CoreRangeSet((CoreRange((2, 0), (2, 1)), CoreRange((0, 0), (1, 0))))
    assert [tuple(c) for c in core_set] == [(0, 0), (1, 0), (2, 0), (2, 1)]


def test_core_range_set_merge_and_contains():
    """merge() unions sets, ranges and single cores into few rectangles."""
    left = CoreRangeSet((CoreRange((0, 0), (3, 3)),))
    merged = left.merge(CoreRange((4, 0), (7, 3)), (0, 4))
    assert merged.to_json() == [
        {"start": [0, 0], "end": [7, 3]},
        {"start": [0, 4], "end": [0, 4]},
    ]
    assert merged.contains((7, 3)) and merged.contains((0, 4))
    assert not merged.contains((1, 4))
    assert left.merge(left) == left


def test_core_range_set_rejects_overlap():
    """Ranges of a set may not share cores."""
    with pytest.raises(SchemaError) as info:
        CoreRangeSet((CoreRange((0, 0), (1, 1)), CoreRange((1, 1), (2, 2))))
    assert str(info.value) == (
        "CoreRangeSet.ranges[1]: (1, 1)-(2, 2) overlaps ranges[0] (0, 0)-(1, 1)"
    )


def test_core_range_set_json_round_trip_and_paths():
    """A set is a list of ranges; errors point into the list."""
    core_set = CoreRangeSet.from_cores([(0, 0), (1, 0), (5, 5)])
    assert CoreRangeSet.from_json(core_set.to_json()) == core_set
    with pytest.raises(SchemaError) as info:
        CoreRangeSet.from_json([{"start": [0, 0], "end": [0, 0]}, {"start": [0, 0]}])
    assert info.value.path == "$[1].end"
    assert "CoreRange: missing field 'end'; fields are start, end" in str(info.value)


def test_core_range_set_requires_core_ranges():
    """A set is built from CoreRange objects, not raw pairs."""
    with pytest.raises(
        SchemaError, match=r"CoreRangeSet\.ranges\[0\]: expected a CoreRange"
    ):
        CoreRangeSet(((0, 0),))


def test_from_cores_covers_exactly_the_given_cores():
    """For many irregular core sets the rectangles cover exactly those cores."""
    rng = random.Random(7)
    for _ in range(60):
        cores = {(rng.randrange(8), rng.randrange(8)) for _ in range(rng.randrange(1, 40))}
        core_set = CoreRangeSet.from_cores(cores)  # the constructor rejects overlaps
        assert {tuple(core) for core in core_set} == cores
        assert core_set.num_cores == len(cores)
        assert CoreRangeSet.from_cores(list(core_set)) == core_set


def test_core_coord_of_outside_a_document_has_no_path():
    """Building from a bad pair directly names the value, without a JSON path."""
    with pytest.raises(SchemaError) as info:
        CoreRange((0,), (1, 1))
    assert str(info.value) == "CoreCoord: expected (x, y), got (0,)"
