"""The TVM-free public surface of tt_ir (contracts §1)."""

import tt_ir

CONTRACT_NAMES = {
    "TTError", "TTCompileError", "CodegenError", "KernelBuildError", "EmulatorError",
    "SchemaError", "get_arch", "Arch", "Plan", "load_plan", "dump_plan", "validate_plan",
}  # fmt: skip

SCHEMA_NAMES = {
    "ARCH_NAMES", "SCHEMA_VERSION", "Accessor", "Buffer", "BufferLayout", "CBUsage",
    "CircularBuffer", "ComputeConfig", "CoreArgs", "CoreCoord", "CoreRange",
    "CoreRangeSet", "CoreWork", "Kernel", "L1Usage", "RuntimeArg", "Semaphore",
    "ShardSpec", "WorkPartition", "plan_schema", "__version__",
}  # fmt: skip


def test_contract_names_are_exported():
    """Every name contracts §1 imports from tt_ir is in __all__."""
    assert CONTRACT_NAMES <= set(tt_ir.__all__)


def test_schema_names_are_exported_and_resolve():
    """The schema objects are public, and every name in __all__ exists."""
    assert SCHEMA_NAMES <= set(tt_ir.__all__)
    missing = [name for name in tt_ir.__all__ if not hasattr(tt_ir, name)]
    assert missing == []
    assert len(tt_ir.__all__) == len(set(tt_ir.__all__))


def test_public_modules():
    """tt_ir.errors, tt_ir.arch and tt_ir.dtypes are importable modules with __all__."""
    from tt_ir import arch, dtypes, errors

    assert set(errors.__all__) == {
        "TTError", "SchemaError", "TTCompileError", "CodegenError", "KernelBuildError",
        "EmulatorError",
    }  # fmt: skip
    assert set(arch.__all__) == {"ARCH_NAMES", "Arch", "get_arch"}
    assert {"data_format", "tile_bytes", "format_code", "dtype_of"} <= set(
        dtypes.__all__
    )
