"""torch tensors in and out of a compiled kernel, where torch is installed.

numpy stays the kernel's own type and torch is never imported unless a caller passes a torch
tensor (or asks the profiler for torch inputs). A call whose inputs include a torch tensor
gets torch tensors back, in the dtype of the kernel's tensor (bfloat16 -> torch.bfloat16) and
on the device of the first torch input; an output passed in place as a torch tensor is
filled with `copy_`.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

_TORCH_DTYPES = {"bfloat16": "bfloat16", "float16": "float16", "float32": "float32",
                 "int32": "int32", "int8": "int8", "uint8": "uint8"}


def is_torch(x: Any) -> bool:
    """Whether `x` is a torch tensor (without importing torch when it is not loaded)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def to_numpy(x: Any) -> np.ndarray:
    """A torch tensor as the numpy array the kernel takes (bfloat16 via ml_dtypes)."""
    import ml_dtypes
    import torch

    t = x.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        return t.float().numpy().astype(ml_dtypes.bfloat16)
    return t.numpy()


def to_torch(array: np.ndarray, dtype: str, like: Any) -> Any:
    """The kernel's output `array` (tensor dtype `dtype`) as a torch tensor on `like`'s device."""
    import torch

    wanted = getattr(torch, _TORCH_DTYPES.get(dtype, "float32"))
    host = torch.from_numpy(np.ascontiguousarray(np.asarray(array, dtype=np.float32)
                                                 if dtype in ("bfloat16", "float16")
                                                 else array))
    return host.to(dtype=wanted, device=like.device)


_NOTED: set = set()


class TensorSupplyType:
    """TileLang's input kinds for the profiler (`kernel.get_profiler(tensor_supply_type=...)`)."""

    Auto = "auto"
    Normal = "normal"
    Randn = "normal"
    Uniform = "uniform"
    Integer = "integer"
    Zero = "zero"
    One = "one"


class Profiler:
    """TileLang's `kernel.get_profiler()`: `assert_allclose(ref_program, rtol, atol)` and
    `do_bench(fn=None)`. Inputs are random tensors of the kernel's shapes (`TensorSupplyType`:
    normal by default) as torch tensors when torch is installed (TileLang's reference programs
    are written in torch), else numpy arrays.
    `do_bench()` of the kernel returns the performance model's estimate of the silicon time
    in ms (an estimate from one emulator run, not a measurement, said once); `do_bench(fn)`
    times `fn` on the host."""

    def __init__(self, kernel: Any, supply: str = TensorSupplyType.Auto, seed: int = 0):
        self.kernel = kernel
        self.supply = supply
        self.seed = seed

    def _values(self, rng: Any, shape: tuple) -> np.ndarray:
        if self.supply == TensorSupplyType.Uniform:
            return rng.uniform(-1, 1, shape).astype(np.float32)
        if self.supply == TensorSupplyType.Integer:
            return rng.integers(-2, 3, shape).astype(np.float32)
        if self.supply in (TensorSupplyType.Zero, TensorSupplyType.One):
            return np.full(shape, 0.0 if self.supply == TensorSupplyType.Zero else 1.0, np.float32)
        return rng.standard_normal(shape).astype(np.float32)

    def _inputs(self) -> list:
        rng = np.random.default_rng(self.seed)
        buffers = sorted(self.kernel.plan["buffers"], key=lambda b: b["index"])
        arrays = [self._values(rng, tuple(b["shape"]))
                  for i, b in enumerate(buffers) if i not in self.kernel.out_idx]
        dtypes = [b["dtype"] for i, b in enumerate(buffers) if i not in self.kernel.out_idx]
        try:
            import torch
        except ImportError:
            import ml_dtypes

            host = {"bfloat16": ml_dtypes.bfloat16, "float16": np.float16, "float32": np.float32}
            return [a.astype(host.get(d, np.float32)) for a, d in zip(arrays, dtypes)]
        return [torch.from_numpy(a).to(getattr(torch, _TORCH_DTYPES.get(d, "float32")))
                for a, d in zip(arrays, dtypes)]

    def assert_allclose(self, reference_program: Any, rtol: float = 1e-2, atol: float = 1e-2,
                        max_mismatched_ratio: float = 0.01) -> None:
        """Runs the kernel and `reference_program` on the same random inputs and raises
        AssertionError when more than `max_mismatched_ratio` of the elements differ by more
        than atol + rtol * |ref|."""
        inputs = self._inputs()
        got = self.kernel(*inputs)
        want = reference_program(*inputs)
        got, want = (list(x) if isinstance(x, (list, tuple)) else [x] for x in (got, want))
        for k, (g, w) in enumerate(zip(got, want)):
            g = np.asarray(to_numpy(g) if is_torch(g) else g, dtype=np.float64)
            w = np.asarray(to_numpy(w) if is_torch(w) else w, dtype=np.float64)
            bad = np.abs(g - w) > atol + rtol * np.abs(w)
            if bad.mean() > max_mismatched_ratio:
                raise AssertionError(
                    f"{self.kernel.name}: output {k}: {int(bad.sum())} of {bad.size} elements "
                    f"differ by more than atol {atol} + rtol {rtol} * |ref| (max abs error "
                    f"{float(np.abs(g - w).max()):.3e}; allowed ratio {max_mismatched_ratio})")

    def do_bench(self, fn: Any = None, warmup: int = 0, rep: int = 1, **_ignored: Any) -> float:
        """ms: the model's silicon estimate for the kernel, or `fn`'s host wall time."""
        import time

        inputs = self._inputs()
        if fn is not None:
            best = float("inf")
            for _ in range(max(1, min(rep, 10))):
                t0 = time.perf_counter()
                fn(*inputs)
                best = min(best, time.perf_counter() - t0)
            return best * 1e3
        if "do_bench" not in _NOTED:
            _NOTED.add("do_bench")
            print("tt_cli: do_bench() returns the performance model's estimate of the silicon "
                  "time (from one emulator run), not a measurement", file=sys.stderr)
        arrays = [to_numpy(x) if is_torch(x) else x for x in inputs]
        return self.kernel.estimate(self.kernel.run(*arrays)).time_us / 1e3
