"""The compute kernel's configuration: math fidelity and DST modes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir._checks import check_bool, check_one_of, read_fields, reading
from tt_ir.arch import Arch

MATH_FIDELITIES = ("LoFi", "HiFi2", "HiFi3", "HiFi4")
_FIELDS = ("math_fidelity", "fp32_dest_acc_en", "math_approx_mode", "dst_full_sync_en")


@dataclass(frozen=True)
class ComputeConfig:
    """``ComputeConfig`` of ``CreateKernel`` for the compute kernel.

    Attributes:
        math_fidelity: ``"LoFi"``, ``"HiFi2"``, ``"HiFi3"`` or ``"HiFi4"`` (bf16 needs
            HiFi4 for full precision; each step down doubles matmul throughput).
        fp32_dest_acc_en: Accumulate in 32-bit DST (halves the DST tile count).
        math_approx_mode: Let SFPU ops use their fast approximations.
        dst_full_sync_en: Use all of DST in one phase instead of half (doubles it).
    """

    math_fidelity: str = "HiFi4"
    fp32_dest_acc_en: bool = False
    math_approx_mode: bool = False
    dst_full_sync_en: bool = False

    def __post_init__(self) -> None:
        check_one_of(
            "ComputeConfig", "math_fidelity", self.math_fidelity, MATH_FIDELITIES
        )
        check_bool("ComputeConfig", "fp32_dest_acc_en", self.fp32_dest_acc_en)
        check_bool("ComputeConfig", "math_approx_mode", self.math_approx_mode)
        check_bool("ComputeConfig", "dst_full_sync_en", self.dst_full_sync_en)

    def dst_tiles(self, arch: Arch) -> int:
        """Tiles DST holds under this configuration on ``arch``."""
        return arch.dst_tiles(self.fp32_dest_acc_en, self.dst_full_sync_en)

    def to_json(self) -> dict[str, Any]:
        """The ``compute_config`` object of ``tt.plan.json``."""
        return {
            "math_fidelity": self.math_fidelity,
            "fp32_dest_acc_en": self.fp32_dest_acc_en,
            "math_approx_mode": self.math_approx_mode,
            "dst_full_sync_en": self.dst_full_sync_en,
        }

    @classmethod
    def from_json(cls, data: Any) -> ComputeConfig:
        """Read the ``compute_config`` object of ``tt.plan.json``."""
        with reading():
            return cls(**read_fields("ComputeConfig", data, _FIELDS))
