"""CircularBuffer and ComputeConfig: checks, arch limits, JSON."""

import pytest

from tt_ir import CircularBuffer, ComputeConfig, SchemaError, get_arch

C_LOCAL = {
    "index": 16,
    "name": "C_local",
    "role": "output",
    "data_format": "Float16_b",
    "page_size": 2048,
    "num_pages": 16,
    "producer": "compute",
    "consumer": "writer",
}


def test_cb_json_round_trip():
    """The golden plan's C_local CB reads and writes back unchanged."""
    cb = CircularBuffer.from_json(C_LOCAL)
    assert cb.to_json() == C_LOCAL
    assert list(cb.to_json()) == list(C_LOCAL)
    assert cb.total_bytes == 32768


def test_spill_cb_may_loop_compute_to_compute():
    """An intermediate CB that compute packs partial sums into and reloads from is legal."""
    spill = CircularBuffer(**{**C_LOCAL, "index": 24, "name": "C_local_partials", "role": "intermediate",
                              "data_format": "Float32", "page_size": 4096, "producer": "compute",
                              "consumer": "compute"})
    assert spill.is_spill
    assert not CircularBuffer.from_json(C_LOCAL).is_spill


def test_scratch_cb_is_the_readers_own():
    """A scratch CB (an im2col gather's source tile) loops reader -> reader; elsewhere the
    loop is refused."""
    tile = CircularBuffer(**{**C_LOCAL, "index": 8, "name": "image_tile", "role": "scratch",
                             "num_pages": 1, "producer": "reader", "consumer": "reader"})
    assert tile.is_scratch and not tile.is_spill
    with pytest.raises(SchemaError) as info:
        CircularBuffer(**{**C_LOCAL, "index": 8, "name": "image_tile", "role": "scratch",
                          "num_pages": 1, "producer": "compute", "consumer": "compute"})
    assert "'compute' is also the producer" in str(info.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"index": 64}, "CircularBuffer.index: 64 is out of range (0..63)"),
        ({"index": -1}, "CircularBuffer.index: -1 is out of range (0..63)"),
        (
            {"role": "staging"},
            "CircularBuffer.role: 'staging' is not one of input, output, intermediate, scratch",
        ),
        (
            {"data_format": "Bfp4_b"},
            (
                "CircularBuffer.data_format: 'Bfp4_b' is not one of Float32, Float16, "
                "Float16_b, Bfp8_b, Int32, Int8, UInt8"
            ),
        ),
        (
            {"page_size": 1088},
            "CircularBuffer.page_size: 1088 is not one Float16_b tile (2048)",
        ),
        ({"num_pages": 0}, "CircularBuffer.num_pages: 0 must be >= 1"),
        (
            {"producer": "host"},
            "CircularBuffer.producer: 'host' is not one of reader, compute, writer",
        ),
        (
            {"consumer": "compute"},
            (
                "CircularBuffer.consumer: 'compute' is also the producer; a CB connects two "
                "kernels (only an intermediate CB may loop compute -> compute, for spilled "
                "partial sums, and a scratch CB reader -> reader)"
            ),
        ),
        (
            {"name": "C local"},
            "CircularBuffer.name: 'C local' is not a C identifier ([A-Za-z_][A-Za-z0-9_]*)",
        ),
    ],
)
def test_cb_rejects(change, message):
    """Each bad CB value names the field, the value and what is allowed."""
    with pytest.raises(SchemaError) as info:
        CircularBuffer(**{**C_LOCAL, **change})
    assert str(info.value) == message


def test_cb_index_against_the_arch():
    """Index 40 is valid on Blackhole (64 CBs) but not on Wormhole (32)."""
    cb = CircularBuffer(**{**C_LOCAL, "index": 40})
    cb.check_arch(get_arch("blackhole"))
    with pytest.raises(SchemaError) as info:
        cb.check_arch(get_arch("wormhole_b0"))
    assert (
        str(info.value)
        == "CircularBuffer.index: 40 is out of range for wormhole_b0 (0..31)"
    )


def test_cb_from_json_errors_carry_the_path():
    """Errors from reading JSON carry the JSON path of the field."""
    with pytest.raises(SchemaError) as info:
        CircularBuffer.from_json({**C_LOCAL, "num_pages": "16"})
    assert str(info.value) == (
        "CircularBuffer.num_pages: expected an integer, got '16' (str)\n  at $.num_pages"
    )


def test_compute_config_defaults_and_round_trip():
    """Defaults are HiFi4 with every mode off; JSON keeps the contract's field order."""
    config = ComputeConfig()
    data = config.to_json()
    assert data == {
        "math_fidelity": "HiFi4",
        "fp32_dest_acc_en": False,
        "math_approx_mode": False,
        "dst_full_sync_en": False,
    }
    assert list(data) == [
        "math_fidelity", "fp32_dest_acc_en", "math_approx_mode", "dst_full_sync_en",
    ]  # fmt: skip
    other = ComputeConfig("LoFi", True, True, True)
    assert ComputeConfig.from_json(other.to_json()) == other


def test_compute_config_fidelity_lists_allowed():
    """An unknown fidelity lists the four fidelities."""
    with pytest.raises(SchemaError) as info:
        ComputeConfig(math_fidelity="HiFi5")
    assert str(info.value) == (
        "ComputeConfig.math_fidelity: 'HiFi5' is not one of LoFi, HiFi2, HiFi3, HiFi4"
    )


@pytest.mark.parametrize(
    "field", ["fp32_dest_acc_en", "math_approx_mode", "dst_full_sync_en"]
)
def test_compute_config_flags_are_booleans(field):
    """0 and 1 are not accepted for the boolean flags."""
    with pytest.raises(SchemaError) as info:
        ComputeConfig(**{field: 1})
    assert str(info.value) == f"ComputeConfig.{field}: expected true or false, got 1"


def test_compute_config_dst_tiles():
    """fp32 accumulation halves DST; full sync doubles it."""
    arch = get_arch("wormhole_b0")
    assert ComputeConfig().dst_tiles(arch) == 8
    assert ComputeConfig(fp32_dest_acc_en=True).dst_tiles(arch) == 4
    assert ComputeConfig(dst_full_sync_en=True).dst_tiles(arch) == 16


def test_compute_config_from_json_missing_field():
    """A missing flag is named with the list of fields."""
    with pytest.raises(SchemaError) as info:
        ComputeConfig.from_json({"math_fidelity": "LoFi"})
    assert str(info.value) == (
        "ComputeConfig: missing field 'fp32_dest_acc_en'; fields are math_fidelity, "
        "fp32_dest_acc_en, math_approx_mode, dst_full_sync_en\n  at $.fp32_dest_acc_en"
    )
