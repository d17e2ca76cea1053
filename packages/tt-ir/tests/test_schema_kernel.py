"""RuntimeArg, CoreArgs, Accessor and Kernel: checks, lookups, JSON."""

import pytest

from tt_ir import Accessor, CoreArgs, CoreCoord, Kernel, RuntimeArg, SchemaError


def reader_json():
    """The golden reader kernel, trimmed to two cores."""
    return {
        "role": "reader",
        "file": "reader.cpp",
        "processor": "RISCV_1",
        "noc": "NOC_1",
        "compile_args": [2, 2048, 2, 2048],
        "defines": {},
        "accessors": [
            {"buffer": "A", "cta_offset": 0},
            {"buffer": "B", "cta_offset": 2},
        ],
        "runtime_args": [
            {"name": "A_addr", "kind": "buffer_address", "buffer": "A"},
            {"name": "B_addr", "kind": "buffer_address", "buffer": "B"},
            {"name": "block_start", "kind": "value"},
            {"name": "block_count", "kind": "value"},
        ],
        "core_args": [
            {"core": [0, 0], "values": [0, 1]},
            {"core": [1, 0], "values": [1, 1]},
        ],
    }


def test_runtime_arg_json_forms():
    """A buffer address names its buffer; a value has no buffer key at all."""
    address = RuntimeArg("A_addr", "buffer_address", "A")
    value = RuntimeArg("block_start", "value")
    assert address.to_json() == {
        "name": "A_addr",
        "kind": "buffer_address",
        "buffer": "A",
    }
    assert value.to_json() == {"name": "block_start", "kind": "value"}
    assert RuntimeArg.from_json(address.to_json()) == address
    assert RuntimeArg.from_json(value.to_json()) == value


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("x", "semaphore"),
            "RuntimeArg.kind: 'semaphore' is not one of buffer_address, value, noc_x, noc_y",
        ),
        (("x", "value", "A"), "RuntimeArg.buffer: a 'value' argument names no buffer"),
        (
            ("x", "buffer_address"),
            "RuntimeArg.buffer: expected a string, got None (NoneType)",
        ),
    ],
)
def test_runtime_arg_rejects(args, message):
    """kind is checked, and buffer goes with buffer_address only."""
    with pytest.raises(SchemaError) as info:
        RuntimeArg(*args)
    assert str(info.value) == message


def test_runtime_arg_value_with_buffer_key_in_json():
    """In JSON a value argument with a buffer key is an unknown field."""
    with pytest.raises(
        SchemaError, match="RuntimeArg: unknown field 'buffer'; fields are name, kind"
    ):
        RuntimeArg.from_json({"name": "n", "kind": "value", "buffer": "A"})


def test_core_args_values_are_uint32():
    """Per-core values must fit a uint32_t."""
    assert CoreArgs((1, 2), [0, 4294967295]).values == (0, 4294967295)
    with pytest.raises(SchemaError) as info:
        CoreArgs((0, 0), [1, 1 << 32])
    assert (
        str(info.value)
        == "CoreArgs.values[1]: 4294967296 is out of range (0..4294967295)"
    )
    with pytest.raises(SchemaError, match=r"CoreArgs\.values\[0\]: -1 is out of range"):
        CoreArgs((0, 0), [-1])


def test_accessor_round_trip_and_offset():
    """An accessor is a buffer and a non-negative compile-time-arg offset."""
    accessor = Accessor("A", 2)
    assert Accessor.from_json(accessor.to_json()) == accessor
    with pytest.raises(SchemaError, match=r"^Accessor\.cta_offset: -1 must be >= 0$"):
        Accessor("A", -1)


def test_kernel_json_round_trip_and_lookups():
    """A kernel reads back unchanged; value args and per-core values are found."""
    data = reader_json()
    data["defines"] = {"TILE_BYTES": "2048", "USE_FAST": "1"}
    kernel = Kernel.from_json(data)
    assert kernel.to_json() == data
    assert list(kernel.to_json()) == list(data)
    assert kernel.defines == (("TILE_BYTES", "2048"), ("USE_FAST", "1"))
    assert kernel.value_arg_names == ("block_start", "block_count")
    assert kernel.cores == (CoreCoord(0, 0), CoreCoord(1, 0))
    assert kernel.values_for((1, 0)) == (1, 1)
    with pytest.raises(SchemaError) as info:
        kernel.values_for((5, 5))
    assert str(info.value) == (
        "reader kernel does not run on core (5, 5); its cores: (0, 0), (1, 0)"
    )


def test_kernel_is_hashable():
    """Kernels (tuples inside, defines as pairs) can be set members."""
    kernel = Kernel.from_json(reader_json())
    assert len({kernel, Kernel.from_json(reader_json())}) == 1


def mutate(path, value):
    """The reader JSON with one field (a dotted path with list indices) replaced."""
    data = reader_json()
    *parents, last = path
    target = data
    for key in parents:
        target = target[key]
    target[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "where", "message"),
    [
        (
            ["file"],
            "main.cpp",
            "$.file",
            "Kernel.file: 'main.cpp' must be 'reader.cpp'",
        ),
        (
            ["processor"],
            "TRISC",
            "$.processor",
            "Kernel.processor: 'TRISC' is not one of RISCV_0, RISCV_1",
        ),
        (["noc"], None, "$.noc", "Kernel.noc: None is not one of NOC_0, NOC_1"),
        (
            ["compile_args", 1],
            -5,
            "$.compile_args[1]",
            "Kernel.compile_args[1]: -5 is out of range (0..4294967295)",
        ),
        (
            ["accessors", 1, "cta_offset"],
            4,
            "$.accessors[1].cta_offset",
            "Kernel.accessors[1].cta_offset: 4 is past the end of compile_args (4 words)",
        ),
        (
            ["accessors", 1, "buffer"],
            "A",
            "$.accessors[1].buffer",
            "Kernel.accessors[1].buffer: 'A' repeats accessors[0]; must be unique",
        ),
        (
            ["runtime_args", 3, "name"],
            "block_start",
            "$.runtime_args[3].name",
            (
                "Kernel.runtime_args[3].name: 'block_start' repeats runtime_args[2]; must be "
                "unique"
            ),
        ),
        (
            ["core_args", 1, "values"],
            [1],
            "$.core_args[1].values",
            (
                "Kernel.core_args[1].values: core (1, 0) has 1 values; the runtime_args "
                "schema has 2 per-core entries (block_start, block_count)"
            ),
        ),
        (
            ["core_args", 1, "core"],
            [0, 0],
            "$.core_args[1].core",
            "Kernel.core_args[1].core: (0, 0) repeats core_args[0]; must be unique",
        ),
        (
            ["defines"],
            {"TILE-BYTES": "1"},
            "$.defines.TILE-BYTES",
            (
                "Kernel.defines.TILE-BYTES: 'TILE-BYTES' is not a C identifier "
                "([A-Za-z_][A-Za-z0-9_]*)"
            ),
        ),
        (
            ["defines"],
            {"N": 4},
            "$.defines.N",
            "Kernel.defines.N: expected a string value, got 4",
        ),
        (
            ["runtime_args", 0, "kind"],
            "pointer",
            "$.runtime_args[0].kind",
            "RuntimeArg.kind: 'pointer' is not one of buffer_address, value, noc_x, noc_y",
        ),
    ],
)
def test_kernel_rejects(path, value, where, message):
    """Each bad kernel field is reported with its JSON path."""
    with pytest.raises(SchemaError) as info:
        Kernel.from_json(mutate(path, value))
    assert info.value.message == message
    assert info.value.path == where


def test_kernel_runtime_arg_limit():
    """At most 341 runtime args per kernel per core."""
    args = [RuntimeArg(f"a{i}", "value") for i in range(342)]
    with pytest.raises(SchemaError) as info:
        Kernel("compute", "compute.cpp", "TRISC", None, runtime_args=args)
    assert str(info.value) == "Kernel.runtime_args: 342 entries; at most 341 per core"
    assert (
        len(
            Kernel(
                "compute", "compute.cpp", "TRISC", None, runtime_args=args[:341]
            ).runtime_args
        )
        == 341
    )


def test_compute_kernel_has_no_noc():
    """A compute kernel runs on TRISC with noc null."""
    with pytest.raises(SchemaError) as info:
        Kernel("compute", "compute.cpp", "TRISC", "NOC_0")
    assert str(info.value) == "Kernel.noc: 'NOC_0': a compute kernel has no NoC (null)"
    with pytest.raises(
        SchemaError, match=r"Kernel\.processor: 'RISCV_0' is not one of TRISC"
    ):
        Kernel("compute", "compute.cpp", "RISCV_0", None)
    kernel = Kernel("compute", "compute.cpp", "TRISC", None)
    assert kernel.to_json()["noc"] is None
    assert Kernel.from_json(kernel.to_json()) == kernel


def test_kernel_role_lists_roles():
    """An unknown role lists reader, compute and writer."""
    with pytest.raises(SchemaError) as info:
        Kernel("loader", "loader.cpp", "RISCV_0", "NOC_0")
    assert (
        str(info.value) == "Kernel.role: 'loader' is not one of reader, compute, writer"
    )


def test_noc_coordinate_args_take_per_core_values():
    """noc_x / noc_y args carry a logical coordinate per core, like value args."""
    from tt_ir import CoreArgs, Kernel

    arg = RuntimeArg("A_sender_x", "noc_x")
    assert arg.to_json() == {"name": "A_sender_x", "kind": "noc_x"}
    assert RuntimeArg.from_json(arg.to_json()) == arg
    kernel = Kernel("reader", "reader.cpp", "RISCV_1", "NOC_1",
                    runtime_args=[RuntimeArg("block_start", "value"), arg,
                                  RuntimeArg("A_noc_y", "noc_y")],
                    core_args=[CoreArgs((1, 2), (0, 0, 2))])
    assert kernel.value_arg_names == ("block_start", "A_sender_x", "A_noc_y")
    with pytest.raises(SchemaError, match="a 'noc_y' argument names no buffer"):
        RuntimeArg("y", "noc_y", "A")
