"""ShardSpec, BufferLayout and Buffer: checks, derived fields, JSON."""

import pytest

from tt_ir import Buffer, BufferLayout, SchemaError, ShardSpec

GOLDEN_A = {
    "name": "A",
    "index": 0,
    "role": "input",
    "shape": [256, 256],
    "dtype": "bfloat16",
    "data_format": "Float16_b",
    "layout": {
        "memory": "dram",
        "kind": "interleaved",
        "tile": [32, 32],
        "shard": None,
    },
    "page_size": 2048,
    "num_pages": 64,
    "tiles": [8, 8],
}


def test_shard_spec_json_round_trip():
    """All four fields appear in JSON; halo may be null."""
    spec = ShardSpec((2, 4), (128, 64), "block_linear", (0, 1))
    data = spec.to_json()
    assert data == {
        "grid": [2, 4],
        "shard_shape": [128, 64],
        "order": "block_linear",
        "halo": [0, 1],
    }
    assert ShardSpec.from_json(data) == spec
    assert spec.num_shards == 8
    assert ShardSpec.from_json(ShardSpec((4,), (32,)).to_json()).halo is None


def test_shard_spec_rank_mismatch():
    """shard_shape has one entry per grid dimension."""
    with pytest.raises(SchemaError) as info:
        ShardSpec((2, 2), (64,))
    assert str(info.value) == "ShardSpec.shard_shape: [64] must have 2 entries"


def test_shard_spec_bad_order():
    """order names the allowed orders."""
    with pytest.raises(SchemaError) as info:
        ShardSpec((2,), (64,), "col_major")
    assert str(info.value) == (
        "ShardSpec.order: 'col_major' is not one of row_major, block_linear"
    )


def test_shard_spec_negative_halo():
    """A halo is a non-negative width."""
    with pytest.raises(SchemaError, match=r"^ShardSpec\.halo\[1\]: -1 must be >= 0$"):
        ShardSpec((2, 2), (64, 64), halo=(0, -1))


def test_layout_defaults_and_derived_fields():
    """Default: DRAM interleaved 32x32 tiles; page = one tile of the dtype."""
    layout = BufferLayout(dtype="float32")
    assert (layout.memory, layout.kind, layout.tile, layout.shard) == (
        "dram", "interleaved", (32, 32), None,
    )  # fmt: skip
    assert layout.data_format == "Float32"
    assert layout.page_size == 4096


def test_layout_json_round_trips_with_and_without_dtype():
    """Standalone JSON carries the dtype; the plan form leaves it to the buffer."""
    layout = BufferLayout(
        memory="l1", kind="sharded", dtype="bfloat16", shard=ShardSpec((2, 2), (64, 32))
    )
    data = layout.to_json()
    assert list(data) == ["memory", "kind", "dtype", "tile", "shard"]
    assert BufferLayout.from_json(data) == layout
    plan_form = layout.to_plan_json()
    assert list(plan_form) == ["memory", "kind", "tile", "shard"]
    assert BufferLayout.from_plan_json(plan_form, "bfloat16") == layout


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"memory": "sram"}, "BufferLayout.memory: 'sram' is not one of dram, l1"),
        (
            {"kind": "blocked"},
            "BufferLayout.kind: 'blocked' is not one of interleaved, sharded",
        ),
        (
            {"dtype": "float64"},
            (
                "BufferLayout.dtype: unsupported dtype 'float64'; supported: bfloat16, "
                "float16, float32, int32, int8, uint8, bfloat8_b"
            ),
        ),
        (
            {"tile": (16, 32)},
            "BufferLayout.tile: [16, 32] is not supported; allowed: [32, 32]",
        ),
        (
            {"kind": "sharded"},
            "BufferLayout.shard: a sharded layout needs a ShardSpec",
        ),
        (
            {"shard": ShardSpec((2,), (64,))},
            "BufferLayout.shard: an interleaved layout has no ShardSpec",
        ),
        (
            {"kind": "sharded", "shard": ShardSpec((2, 2), (48, 32))},
            (
                "BufferLayout.shard.shard_shape: [48, 32] is not a multiple of the tile "
                "[32, 32]"
            ),
        ),
    ],
)
def test_layout_rejects(kwargs, message):
    """Each bad layout value names the field, the value and what is allowed."""
    fields = {"dtype": "bfloat16", **kwargs}
    with pytest.raises(SchemaError) as info:
        BufferLayout(**fields)
    assert str(info.value) == message


def test_layout_from_plan_json_rejects_a_dtype_key():
    """Inside a plan the dtype belongs to the buffer, not to the layout."""
    data = {**GOLDEN_A["layout"], "dtype": "bfloat16"}
    with pytest.raises(SchemaError) as info:
        BufferLayout.from_plan_json(data, "bfloat16")
    assert str(info.value) == (
        "BufferLayout: unknown field 'dtype'; fields are memory, kind, tile, shard\n"
        "  at $.dtype"
    )


def test_buffer_golden_entry_round_trips():
    """The golden plan's buffer A reads and writes back unchanged."""
    buffer = Buffer.from_json(GOLDEN_A)
    assert buffer.to_json() == GOLDEN_A
    assert buffer.layout == BufferLayout(dtype="bfloat16")


def test_buffer_tiled_derives_pages():
    """Buffer.tiled folds outer dims into rows and rounds partial tiles up."""
    buffer = Buffer.tiled("X", 1, "output", (2, 3, 40, 100), "float32")
    assert buffer.tiles == (8, 4)  # rows 2*3*40 = 240 -> 8 tiles, cols 100 -> 4 tiles
    assert buffer.num_pages == 32
    assert (buffer.data_format, buffer.page_size) == ("Float32", 4096)
    assert Buffer.from_json(buffer.to_json()) == buffer


def test_buffer_one_dimensional():
    """A 1-D tensor is one row of tiles."""
    assert Buffer.tiled("v", 0, "input", (64,), "bfloat8_b").tiles == (1, 2)


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (
            {"name": "A-1"},
            "$.name",
            "Buffer.name: 'A-1' is not a C identifier ([A-Za-z_][A-Za-z0-9_]*)",
        ),
        (
            {"role": "scratch"},
            "$.role",
            "Buffer.role: 'scratch' is not one of input, output, inout",
        ),
        ({"shape": [256, 0]}, "$.shape[1]", "Buffer.shape[1]: 0 must be >= 1"),
        (
            {"data_format": "Float16"},
            "$.data_format",
            (
                "Buffer.data_format: 'Float16' does not match dtype bfloat16 "
                "(expected 'Float16_b')"
            ),
        ),
        (
            {"page_size": 4096},
            "$.page_size",
            "Buffer.page_size: 4096 is not one bfloat16 tile (2048)",
        ),
        (
            {"tiles": [8, 4]},
            "$.tiles",
            "Buffer.tiles: [8, 4] does not match shape [256, 256] (expected [8, 8])",
        ),
        (
            {"num_pages": 63},
            "$.num_pages",
            "Buffer.num_pages: 63 is not tiles[0] * tiles[1] = 64",
        ),
        ({"index": -1}, "$.index", "Buffer.index: -1 must be >= 0"),
        ({"index": True}, "$.index", "Buffer.index: expected an integer, got True"),
    ],
)
def test_buffer_rejects(change, path, message):
    """Each inconsistent buffer field is reported with its expected value and path."""
    with pytest.raises(SchemaError) as info:
        Buffer.from_json({**GOLDEN_A, **change})
    assert info.value.message == message
    assert info.value.path == path


def test_buffer_layout_dtype_must_match():
    """The layout's dtype is the buffer's dtype."""
    with pytest.raises(SchemaError) as info:
        Buffer.tiled(
            "A", 0, "input", (64, 64), "bfloat16", BufferLayout(dtype="float32")
        )
    assert (
        str(info.value)
        == "Buffer.layout: dtype float32 differs from the buffer's bfloat16"
    )


def test_buffer_sharded_layout_must_cover_the_shape():
    """grid x shard_shape covers the tensor, with one grid dim per tensor dim."""
    small = BufferLayout(
        kind="sharded", dtype="bfloat16", shard=ShardSpec((2, 2), (64, 64))
    )
    with pytest.raises(SchemaError) as info:
        Buffer.tiled("A", 0, "input", (256, 128), "bfloat16", small)
    assert str(info.value) == (
        "Buffer.layout.shard: grid x shard_shape = [128, 128] does not cover shape [256, 128]"
    )
    flat = BufferLayout(kind="sharded", dtype="bfloat16", shard=ShardSpec((4,), (64,)))
    with pytest.raises(
        SchemaError, match=r"^Buffer\.layout\.shard\.grid: rank 1 differs"
    ):
        Buffer.tiled("A", 0, "input", (256, 128), "bfloat16", flat)
    good = BufferLayout(
        kind="sharded", dtype="bfloat16", shard=ShardSpec((4, 2), (64, 64))
    )
    buffer = Buffer.tiled("A", 0, "input", (256, 128), "bfloat16", good)
    assert Buffer.from_json(buffer.to_json()) == buffer


def test_buffer_from_json_missing_and_unknown_fields():
    """Missing and unknown fields list the fields of a buffer."""
    data = dict(GOLDEN_A)
    del data["tiles"]
    with pytest.raises(SchemaError) as info:
        Buffer.from_json(data)
    assert str(info.value) == (
        "Buffer: missing field 'tiles'; fields are name, index, role, shape, dtype, "
        "data_format, layout, page_size, num_pages, tiles\n  at $.tiles"
    )
    with pytest.raises(SchemaError, match="Buffer: unknown field 'strides'"):
        Buffer.from_json({**GOLDEN_A, "strides": [1, 1]})


def test_buffer_layout_error_is_located_inside_layout():
    """A bad layout value is reported at $.layout.<field>."""
    data = {**GOLDEN_A, "layout": {**GOLDEN_A["layout"], "memory": "sram"}}
    with pytest.raises(SchemaError) as info:
        Buffer.from_json(data)
    assert info.value.path == "$.layout.memory"
