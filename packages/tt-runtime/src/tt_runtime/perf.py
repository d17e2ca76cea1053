"""tt_runtime.perf: the performance model of Wormhole and Blackhole.

``estimate(result, plan)`` turns a run's per-core counters and its plan into a
`PerfEstimate` (device time, bound, TFLOP/s, utilization, DRAM GB/s). The constants and
their sources are in ``tt_runtime._perf_hw`` and the package README ("Performance model").
"""

from tt_runtime._perf import BOUNDS, estimate
from tt_runtime._perf_estimate import PerfEstimate
from tt_runtime._perf_hw import ARCH_PERF, ArchPerf

__all__ = ["ARCH_PERF", "BOUNDS", "ArchPerf", "PerfEstimate", "estimate"]
