"""PerfEstimate: what the performance model returns.

Owns: the estimate's fields, its short report (``__str__``) and its JSON form. The model
that fills it in is `tt_runtime._perf`.
"""

from __future__ import annotations

import dataclasses
import json


@dataclasses.dataclass
class PerfEstimate:
    """Estimated device time of one run on silicon (a model, not a measurement).

    Attributes:
        arch: Architecture of the run.
        math_fidelity: The plan's compute fidelity.
        clock_ghz: AI clock used to turn cycles into time.
        time_us: Estimated device time: ``max(core_cycles, dram_cycles)`` plus ``launch_us``.
        device_cycles: ``max(core_cycles, dram_cycles)``.
        launch_us: Fixed program launch overhead included in ``time_us``.
        bound: ``"dram"`` (chip DRAM bandwidth), ``"compute"`` or ``"noc"`` (the slowest
            core's longest role is compute, or reader/writer data movement).
        critical_core: ``"x,y"`` of the slowest core.
        roles: Busy cycles of the slowest core's ``reader``, ``compute``, ``writer``.
        compute_threads: Its compute split into ``unpack``, ``math``, ``pack`` (TRISC0-2,
            which pipeline: compute = their max).
        overlap: ``reader_compute`` / ``compute_writer``: whether the CBs between them hold
            at least two blocks (then the two run concurrently; otherwise they take turns).
        core_cycles: The slowest core's time.
        dram_cycles: All DRAM bytes at the chip DRAM bandwidth.
        dram_bytes: DRAM bytes read and written, all cores.
        dram_gbps: ``dram_bytes / time``.
        matmul_tiles: 32x32x32 matmul tile operations, all cores.
        tflops: ``2 * 32**3 * matmul_tiles / time`` (0 without matmuls).
        peak_tflops: Fidelity-adjusted matmul peak of the full grid.
        utilization: tt-metal's definition: ideal cycles (matmul tiles x cycles per tile /
            grid cores) over estimated cycles; None without matmuls.
        grid_cores: Cores of the full grid (the plan's ``core_grid``).
        active_cores: Cores with counters.
        per_core: ``"x,y"`` -> estimated cycles of that core.
        notes: Assumptions this estimate had to make.
    """

    arch: str
    math_fidelity: str
    clock_ghz: float
    time_us: float
    device_cycles: float
    launch_us: float
    bound: str
    critical_core: str
    roles: dict[str, float]
    compute_threads: dict[str, float]
    overlap: dict[str, bool]
    core_cycles: float
    dram_cycles: float
    dram_bytes: int
    dram_gbps: float
    matmul_tiles: int
    tflops: float
    peak_tflops: float
    utilization: float | None
    grid_cores: int
    active_cores: int
    per_core: dict[str, float]
    notes: list[str] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        r, t = self.roles, self.compute_threads
        mode = "overlap" if all(self.overlap.values()) else "partly serialized" if any(self.overlap.values()) else "serialized"
        lines = [
            f"perf model ({self.arch}, {self.math_fidelity}; an estimate, not a measurement): "
            f"{self.time_us:.1f} us, {self.bound}-bound",
            f"  slowest core {self.critical_core}: reader {_k(r['reader'])}, compute {_k(r['compute'])} "
            f"(unpack {_k(t['unpack'])}, math {_k(t['math'])}, pack {_k(t['pack'])}), "
            f"writer {_k(r['writer'])} cycles; roles {mode}",
            f"  DRAM: {self.dram_bytes / 1e6:.1f} MB, chip bound {_k(self.dram_cycles)} cycles; "
            f"achieved {self.dram_gbps:.0f} GB/s",
        ]
        if self.utilization is not None:
            lines.append(f"  matmul: {self.tflops:.1f} TFLOP/s, {100 * self.utilization:.0f}% of the "
                         f"{self.math_fidelity} peak {self.peak_tflops:.1f} TFLOP/s ({self.grid_cores} cores)")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_json(self, indent: int | None = 2) -> str:
        """Serialize every field."""
        return json.dumps(dataclasses.asdict(self), indent=indent)

    @classmethod
    def from_json(cls, text: str) -> PerfEstimate:
        """Read back `to_json` output."""
        return cls(**json.loads(text))


def _k(cycles: float) -> str:
    return f"{cycles / 1e3:.1f}k" if cycles >= 1e4 else f"{cycles:.0f}"
