"""dtype <-> DataFormat names, codes and tile sizes (contracts §1)."""

import numpy as np
import pytest

from tt_ir.dtypes import (
    DATA_FORMATS,
    DTYPES,
    data_format,
    dtype_name,
    dtype_of,
    exponent_family,
    format_code,
    tile_bytes,
)
from tt_ir.errors import SchemaError

TABLE = [
    ("bfloat16", "Float16_b", 5, 2048),
    ("float16", "Float16", 1, 2048),
    ("float32", "Float32", 0, 4096),
    ("int32", "Int32", 8, 4096),
    ("int8", "Int8", 14, 1024),
    ("uint8", "UInt8", 30, 1024),
    ("bfloat8_b", "Bfp8_b", 6, 1088),
]


@pytest.mark.parametrize(("dtype", "fmt", "code", "nbytes"), TABLE)
def test_table(dtype, fmt, code, nbytes):
    """Each dtype maps to its format, code and tile size, both ways."""
    assert data_format(dtype) == fmt
    assert dtype_of(fmt) == dtype
    assert format_code(fmt) == code
    assert tile_bytes(dtype) == nbytes
    assert tile_bytes(fmt) == nbytes


@pytest.mark.parametrize(("name", "family"), [
    ("bfloat16", "B"), ("Float16_b", "B"), ("bfloat8_b", "B"),
    ("float16", "A"), ("Float16", "A"), ("int8", "A"), ("Int8", "A"),
    ("float32", None), ("int32", None), ("uint8", None), ("UInt8", None),
])
def test_exponent_family(name, family):
    """The families measured against libtt_metal.so's JIT: int8 and float16 tiles go
    together, bfloat16 and bfloat8_b together, and 32-bit and uint8 tiles with either."""
    assert exponent_family(name) == family


def test_supported_lists():
    """The supported names are exactly the seven of the contract."""
    assert DTYPES == ("bfloat16", "float16", "float32", "int32", "int8", "uint8", "bfloat8_b")
    assert set(DATA_FORMATS) == {"Float16_b", "Float16", "Float32", "Int32", "Int8", "UInt8", "Bfp8_b"}


@pytest.mark.parametrize(
    ("dtype", "name"),
    [(np.float32, "float32"), (np.dtype("float16"), "float16"), (np.int32, "int32")],
)
def test_numpy_dtypes_are_normalised(dtype, name):
    """numpy dtypes and scalar types are accepted by name."""
    assert dtype_name(dtype) == name


def test_object_with_a_supported_str_is_accepted():
    """A non-numpy dtype object (a TVM DataType) is read through str()."""

    class FakeDataType:
        def __str__(self):
            return "bfloat16"

    assert data_format(FakeDataType()) == "Float16_b"


def test_unsupported_dtype_lists_supported():
    """float64 is rejected with the list of supported dtypes."""
    with pytest.raises(SchemaError) as info:
        data_format("float64")
    assert str(info.value) == (
        "unsupported dtype 'float64'; supported: bfloat16, float16, float32, int32, int8, uint8, bfloat8_b"
    )


def test_unsupported_format_lists_supported():
    """An unknown DataFormat name is rejected with the supported ones."""
    with pytest.raises(SchemaError) as info:
        format_code("Bfp4_b")
    assert str(info.value) == (
        "unsupported data format 'Bfp4_b'; supported: Float32, Float16, Float16_b, Bfp8_b, Int32, Int8, UInt8"
    )
    with pytest.raises(SchemaError, match="unsupported data format 'float16'"):
        dtype_of("float16")


def test_tile_bytes_of_unknown_name_names_both_lists():
    """tile_bytes accepts either kind of name, so its error lists both."""
    with pytest.raises(SchemaError) as info:
        tile_bytes("uint16")
    assert str(info.value) == (
        "tile_bytes: 'uint16' is neither a supported dtype (bfloat16, float16, float32, "
        "int32, int8, uint8, bfloat8_b) nor a data format (Float32, Float16, Float16_b, Bfp8_b, "
        "Int32, Int8, UInt8)"
    )
