"""Tensor dtypes and the TT ``DataFormat`` each one is stored as on the device.

A dtype is the name the kernel author writes (``"bfloat16"``); a data format is the
name of TT-Metalium's ``tt::DataFormat`` enumerator (``"Float16_b"``). Tiles are 32x32.
Never infer a format from a byte size: bfloat16 and float16 are both 2048 B per tile.
This module imports nothing from TVM.
"""

from __future__ import annotations

from typing import Any

from tt_ir._checks import choices
from tt_ir.errors import SchemaError

__all__ = [
    "DATA_FORMATS",
    "DTYPES",
    "INTEGER_DTYPES",
    "INTEGER_FORMATS",
    "data_format",
    "dtype_name",
    "dtype_of",
    "exponent_family",
    "format_code",
    "tile_bytes",
]

_FORMAT_OF_DTYPE = {
    "bfloat16": "Float16_b",
    "float16": "Float16",
    "float32": "Float32",
    "int32": "Int32",
    "int8": "Int8",
    "uint8": "UInt8",
    "bfloat8_b": "Bfp8_b",
}

# tt::DataFormat enumerator values (tensix_types.h).
_FORMAT_CODES = {"Float32": 0, "Float16": 1, "Float16_b": 5, "Bfp8_b": 6, "Int32": 8, "Int8": 14,
                 "UInt8": 30}

# Bytes of one 32x32 tile (tt-metalium constants.hpp); Bfp8_b: 1024 B of mantissas
# plus 64 shared exponents.
_TILE_BYTES = {
    "Float32": 4096,
    "Float16": 2048,
    "Float16_b": 2048,
    "Bfp8_b": 1088,
    "Int32": 4096,
    "Int8": 1024,
    "UInt8": 1024,
}

# The exponent width a format sets the unpackers and packer to: "A" (5 bits: Float16, Int8 and
# the A block floats) or "B" (8 bits: Float16_b, Bfp8_b). tt-metal builds a program only when
# all of its CBs that have one agree (jit_build/data_format.cpp,
# check_consistent_format_across_buffers); Float32, Int32 and UInt8 take no part. Measured
# against libtt_metal.so 0.81.1 in mock mode: Int8 + Float16_b, Int8 + Bfp8_b and Float16 +
# Float16_b are refused; Int8 + Float16, Int8 + Float32, Float16_b + UInt8 build.
_EXPONENT_FAMILY = {"Float16": "A", "Int8": "A", "Float16_b": "B", "Bfp8_b": "B"}

DTYPES: tuple[str, ...] = tuple(_FORMAT_OF_DTYPE)
DATA_FORMATS: tuple[str, ...] = tuple(_FORMAT_CODES)
# Integer dtypes and their formats: on chip their blocks are float32 (typecast_tile converts)
INTEGER_DTYPES: tuple[str, ...] = ("int32", "int8", "uint8")
INTEGER_FORMATS: tuple[str, ...] = tuple(_FORMAT_OF_DTYPE[d] for d in INTEGER_DTYPES)


def dtype_name(dtype: Any) -> str:
    """Normalise a dtype to its name and check that it is supported.

    Args:
        dtype: A name (``"bfloat16"``), a numpy dtype or scalar type (``np.float32``,
            ``ml_dtypes.bfloat16``), or anything whose ``str()`` is a supported name
            (a TVM ``DataType``).

    Returns:
        One of `DTYPES`.

    Raises:
        SchemaError: The dtype is not supported; the message lists the supported ones.
    """
    name = dtype if isinstance(dtype, str) else _name_of(dtype)
    if name not in _FORMAT_OF_DTYPE:
        raise SchemaError(f"unsupported dtype {name!r}; supported: {choices(DTYPES)}")
    return name


def _name_of(dtype: Any) -> str:
    import numpy  # only needed for non-string dtypes

    if isinstance(dtype, (type, numpy.dtype)):
        return numpy.dtype(dtype).name
    return str(dtype)


def data_format(dtype: Any) -> str:
    """The ``DataFormat`` name a dtype is stored as (``"bfloat16"`` -> ``"Float16_b"``)."""
    return _FORMAT_OF_DTYPE[dtype_name(dtype)]


def dtype_of(fmt: str) -> str:
    """The dtype stored in a ``DataFormat`` (``"Float16_b"`` -> ``"bfloat16"``)."""
    _check_format(fmt)
    for dtype, candidate in _FORMAT_OF_DTYPE.items():
        if candidate == fmt:
            return dtype
    raise AssertionError(f"no dtype for {fmt}")


def exponent_family(dtype_or_format: Any) -> str | None:
    """The exponent family a dtype or ``DataFormat`` puts the unpackers and packer in: "A"
    (float16, int8), "B" (bfloat16, bfloat8_b) or None (float32, int32, uint8: either).

    One program's circular buffers must not mix "A" and "B": tt-metal's JIT refuses it."""
    fmt = dtype_or_format if isinstance(dtype_or_format, str) and dtype_or_format in _FORMAT_CODES \
        else data_format(dtype_or_format)
    return _EXPONENT_FAMILY.get(fmt)


def format_code(fmt: str) -> int:
    """The ``tt::DataFormat`` enumerator value (``"Float16_b"`` -> 5)."""
    _check_format(fmt)
    return _FORMAT_CODES[fmt]


def tile_bytes(dtype_or_format: Any) -> int:
    """Bytes of one 32x32 tile of a dtype or a ``DataFormat``.

    Args:
        dtype_or_format: ``"bfloat16"``, ``"Float16_b"``, a numpy dtype, ...

    Returns:
        2048 for bfloat16/float16, 4096 for float32/int32, 1024 for int8/uint8, 1088 for
        bfloat8_b.

    Raises:
        SchemaError: Neither a supported dtype nor a supported data format.
    """
    if isinstance(dtype_or_format, str) and dtype_or_format in _TILE_BYTES:
        return _TILE_BYTES[dtype_or_format]
    try:
        return _TILE_BYTES[data_format(dtype_or_format)]
    except SchemaError:
        raise SchemaError(
            f"tile_bytes: {dtype_or_format!r} is neither a supported dtype "
            f"({choices(DTYPES)}) nor a data format ({choices(DATA_FORMATS)})"
        ) from None


def _check_format(fmt: Any) -> None:
    if not isinstance(fmt, str) or fmt not in _FORMAT_CODES:
        raise SchemaError(
            f"unsupported data format {fmt!r}; supported: {choices(DATA_FORMATS)}"
        )
