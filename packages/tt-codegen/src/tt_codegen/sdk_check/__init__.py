"""sdk-check: compile generated kernels against the real TT-Metalium device headers.

The ttnn wheel (pinned, downloaded with pip, never installed) provides the device headers;
Debian's clang-19 and newlib compile for rv32; our stand-in sfpi.h/lltt.h replaces the SFPI
toolchain headers the wheel does not ship. Readers and writers compile to objects; compute
kernels are parsed once per TRISC role. See `/work/shared/reference/sdk-check.md`.

    python -m tt_codegen.sdk_check --setup
    python -m tt_codegen.sdk_check --arch wormhole_b0 --arch blackhole ARTIFACT_DIR...
"""

from tt_codegen.sdk_check._check import KernelReport, check_artifact_dir, find_artifact_dirs
from tt_codegen.sdk_check._sdk import TTNN_VERSION, Sdk, SdkSetupError, find_sdk, setup

ARCHES = ("wormhole_b0", "blackhole")

__all__ = [
    "ARCHES",
    "TTNN_VERSION",
    "KernelReport",
    "Sdk",
    "SdkSetupError",
    "check_artifact_dir",
    "find_artifact_dirs",
    "find_sdk",
    "setup",
]
