"""tt_runtime: runs tilelang-tt artifact directories on an emulated Tenstorrent chip.

``run(artifact_dir, inputs, arch=..., device="emulator")`` builds the generated ``main.cpp``
against the emulator's TT-Metalium host library, runs it (the library JIT-builds the three
kernels against the emulator's kernel API headers), and returns numpy outputs and per-core
counters as a `RunResult`. ``device="hardware"`` builds against ``$TT_METAL_HOME`` instead.
This package never imports TVM.
"""

from tt_runtime._build import build_host, build_library, cache_root
from tt_runtime._result import RunResult
from tt_runtime._run import DEVICES, run
from tt_runtime._version import __version__

__all__ = ["DEVICES", "RunResult", "__version__", "build_host", "build_library", "cache_root", "run"]
