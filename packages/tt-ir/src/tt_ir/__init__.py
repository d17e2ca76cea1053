"""tt_ir: the Tenstorrent schema of tilelang-tt.

Importing ``tt_ir`` does not import TVM: the errors, the architecture table, the dtypes
and the plan schema are pure Python. The TVM-side modules (``tt_ir.tir``,
``tt_ir.language``) are imported explicitly by those who need them.
"""

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
    "Arch",
    "CodegenError",
    "EmulatorError",
    "KernelBuildError",
    "SchemaError",
    "TTCompileError",
    "TTError",
    "__version__",
    "get_arch",
]
