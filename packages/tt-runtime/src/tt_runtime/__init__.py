"""tt_runtime: runs tilelang-tt artifact directories on an emulated Tenstorrent chip.

``run(artifact_dir, inputs, arch=..., device="emulator")`` builds the generated ``main.cpp``
against the emulator's TT-Metalium host library, runs it (the library JIT-builds the three
kernels against the emulator's kernel API headers), and returns numpy outputs and per-core
counters as a `RunResult`. ``device="hardware"`` builds against ``$TT_METAL_HOME`` instead.
``estimate(result, plan)`` (also ``tt_runtime.perf``) turns the counters into a `PerfEstimate`
of the device time on silicon; ``trace(result, plan)`` lays the same model out block trip by
block trip as a Chrome / Perfetto trace (a dict to write as JSON).
This package never imports TVM.
"""

from tt_runtime import perf
from tt_runtime._build import build_host, build_library, cache_root
from tt_runtime._perf import estimate
from tt_runtime._perf_estimate import PerfEstimate
from tt_runtime._result import RunResult
from tt_runtime._run import DEVICES, run
from tt_runtime._trace import trace, write_trace
from tt_runtime._version import __version__

__all__ = ["DEVICES", "PerfEstimate", "RunResult", "__version__", "build_host", "build_library", "cache_root",
           "estimate", "perf", "run", "trace", "write_trace"]
