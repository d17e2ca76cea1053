"""tt_cli: the `tt` command and the Python driver of tilelang-tt.

    import tt_cli
    kernel = tt_cli.compile(func, out_idx=[2], arch="wormhole_b0")
    c = kernel(a, b)
"""

from tt_cli import layout
from tt_cli._check import Check, check, error_bound
from tt_cli._driver import CompiledKernel, JitKernel, KernelCallError, compile, jit
from tt_cli._helpers import PassConfigKey, cdiv, next_power_of_2
from tt_cli._loader import KernelFileError
from tt_cli._torch import TensorSupplyType
from tt_cli._version import __version__
from tt_cli.autotuner import autotune

__all__ = [
    "Check",
    "CompiledKernel",
    "JitKernel",
    "KernelCallError",
    "KernelFileError",
    "PassConfigKey",
    "TensorSupplyType",
    "__version__",
    "autotune",
    "cdiv",
    "check",
    "compile",
    "error_bound",
    "jit",
    "layout",
    "next_power_of_2",
]
