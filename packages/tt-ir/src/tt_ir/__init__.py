"""tt_ir: the Tenstorrent schema of tilelang-tt.

Importing ``tt_ir`` does not import TVM: the errors, the architecture table, the dtypes
and the plan schema are pure Python. The TVM-side modules (``tt_ir.tir``,
``tt_ir.language``) are imported explicitly by those who need them.
"""

from tt_ir._schema import (
    SCHEMA_VERSION,
    Accessor,
    Buffer,
    BufferLayout,
    CBUsage,
    CircularBuffer,
    ComputeConfig,
    CoreArgs,
    CoreCoord,
    CoreRange,
    CoreRangeSet,
    CoreWork,
    Kernel,
    L1Usage,
    Plan,
    RuntimeArg,
    Semaphore,
    ShardSpec,
    WorkPartition,
    dump_plan,
    load_plan,
    plan_schema,
    validate_plan,
)
from tt_ir._version import __version__
from tt_ir.arch import ARCH_NAMES, Arch, get_arch
from tt_ir.errors import (
    CodegenError,
    EmulatorError,
    KernelBuildError,
    SchemaError,
    TTCompileError,
    TTError,
)

__all__ = [
    "ARCH_NAMES",
    "SCHEMA_VERSION",
    "Accessor",
    "Arch",
    "Buffer",
    "BufferLayout",
    "CBUsage",
    "CircularBuffer",
    "CodegenError",
    "ComputeConfig",
    "CoreArgs",
    "CoreCoord",
    "CoreRange",
    "CoreRangeSet",
    "CoreWork",
    "EmulatorError",
    "Kernel",
    "KernelBuildError",
    "L1Usage",
    "Plan",
    "RuntimeArg",
    "SchemaError",
    "Semaphore",
    "ShardSpec",
    "TTCompileError",
    "TTError",
    "WorkPartition",
    "__version__",
    "dump_plan",
    "get_arch",
    "load_plan",
    "plan_schema",
    "validate_plan",
]
