"""Comparing device results with a numpy reference.

The bound is derived, not tuned. With inputs already rounded to the device dtype (the
reference sees the same values), the error of a K-long dot product accumulated in a
format of unit roundoff `u_acc` and stored in one of unit roundoff `u_out` is at most

    |c - c_ref| <= u_out * |c_ref| + K * u_acc * (|A| @ |B|)      (Higham, Thm 3.1)

plus `u_out * |partial|` for every time a partial sum is spilled in the output format
(`spills`). `check()` takes the largest |c_ref| and the largest entry of |A| @ |B| as the
scales, doubles the result as a margin for the emulator's conversion order, and reports
it next to the measured error and the Pearson correlation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNIT_ROUNDOFF = {"bfloat16": 2.0**-8, "float16": 2.0**-11, "float32": 2.0**-24, "int32": 0.0, "int8": 0.0,
                 "uint8": 0.0}


@dataclass(frozen=True)
class Check:
    max_abs_error: float
    bound: float
    pearson: float
    min_pearson: float

    @property
    def passed(self) -> bool:
        return self.max_abs_error <= self.bound and self.pearson >= self.min_pearson

    def __str__(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return (
            f"{verdict}: max abs error {self.max_abs_error:.3e} (bound {self.bound:.3e}), "
            f"pearson {self.pearson:.6f} (min {self.min_pearson})"
        )


def error_bound(dtype: str, ref_scale: float, k: int = 1, dot_scale: float | None = None,
                accum: str = "float32", spills: int = 0) -> float:
    """Absolute error bound for results of `dtype` (see the module docstring)."""
    u_out = UNIT_ROUNDOFF[dtype]
    u_acc = UNIT_ROUNDOFF[accum]
    dot = ref_scale if dot_scale is None else dot_scale
    return 2.0 * (u_out * ref_scale + k * u_acc * dot + spills * u_out * dot) + 1e-30


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    x = np.asarray(a, dtype=np.float64).ravel()
    y = np.asarray(b, dtype=np.float64).ravel()
    if x.size < 2 or np.std(x) == 0 or np.std(y) == 0:
        return 1.0 if np.array_equal(x, y) else 0.0
    return float(np.corrcoef(x, y)[0, 1])


def check(actual: np.ndarray, expected: np.ndarray, dtype: str, k: int = 1, dot_scale: float | None = None,
          accum: str = "float32", spills: int = 0, bound: float | None = None) -> Check:
    """Compares `actual` (device) with `expected` (numpy reference, float64 preferred)."""
    act = np.asarray(actual, dtype=np.float64)
    exp = np.asarray(expected, dtype=np.float64)
    if act.shape != exp.shape:
        raise ValueError(f"result shape {act.shape} differs from the reference shape {exp.shape}")
    err = float(np.max(np.abs(act - exp))) if act.size else 0.0
    if bound is None:
        scale = float(np.max(np.abs(exp))) if exp.size else 0.0
        bound = error_bound(dtype, scale, k, dot_scale, accum, spills)
    min_r = 0.999 if dtype in ("bfloat16", "float16") else 0.99999
    return Check(err, bound, pearson(act, exp), min_r)
