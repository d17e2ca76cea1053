"""`@tt_cli.autotune(configs=...)` over a `@tt_cli.jit` factory, ranked by the performance model.

TileLang's autotuner times each configuration on the GPU. Here a configuration is compiled,
run once on the emulator on random inputs (uniform in [-1, 1), seeded) and ranked by
tt-runtime's performance model of the silicon (`CompiledKernel.estimate`): the kernel with
the smallest estimated time wins. `from tt_cli.autotuner import *` gives `autotune`, as
`from tilelang.autotuner import *` does.

    @tt_cli.autotune(configs=[dict(block_M=64, block_N=64), dict(block_M=128, block_N=64)])
    @tt_cli.jit(out_idx=[2])
    def matmul(M, N, K, block_M=64, block_N=64): ...

    kernel = matmul(512, 512, 512)            # tunes: kernel.config, kernel.latency (ms)
    kernel = matmul(512, 512, 512, block_M=64, block_N=64)   # all tuned values given: no tuning

A configuration the compiler refuses (L1 overflow, ...) is skipped and listed in
`kernel.tuning` with its reason; when none compiles, the first refusal is raised.
TileLang's profiling options (warmup, rep, timeout, ref_prog, supply_type, ...) are accepted
and mean nothing here (the model needs one run).
"""

from __future__ import annotations

import inspect
import itertools
import sys
from collections.abc import Callable
from typing import Any

from tt_ir.errors import TTError


def autotune(func: Any = None, *, configs: Any, **_profiling: Any) -> Callable:
    """Decorates a `@tt_cli.jit` factory; see the module docstring."""
    if func is not None:
        raise TTError("tt_cli.autotune needs its configs: @tt_cli.autotune(configs=[...]) above "
                      "@tt_cli.jit(...)")

    def wrap(jit_kernel: Any) -> AutoTuned:
        from tt_cli._driver import JitKernel

        if not isinstance(jit_kernel, JitKernel):
            raise TTError("@tt_cli.autotune goes above @tt_cli.jit(...): it tunes a jit factory")
        return AutoTuned(jit_kernel, configs)

    return wrap


def expand(configs: Any) -> list[dict]:
    """A list of config dicts from a list, a dict of lists (their product) or a callable."""
    configs = configs() if callable(configs) else configs
    if isinstance(configs, dict):
        keys = list(configs)
        return [dict(zip(keys, values)) for values in itertools.product(*configs.values())]
    out = [dict(c) for c in configs]
    if not out:
        raise TTError("tt_cli.autotune: configs is empty")
    return out


class AutoTuned:
    """A jit factory that picks its tuned parameters by the performance model."""

    def __init__(self, jit_kernel: Any, configs: Any):
        self.jit = jit_kernel
        self.configs = configs
        self.signature = inspect.signature(jit_kernel.factory)
        self._best: dict = {}
        self.__doc__ = jit_kernel.__doc__
        self.__name__ = getattr(jit_kernel, "__name__", "kernel")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        configs = expand(self.configs)
        keys = {k for c in configs for k in c}
        given = set(self.signature.bind_partial(*args, **kwargs).arguments)
        if keys <= given:  # every tuned value given: compile that one
            return self.jit(*args, **kwargs)
        key = (args, tuple(sorted(kwargs.items())))
        if key not in self._best:
            self._best[key] = self.tune(args, kwargs, configs)
        return self._best[key]

    def tune(self, args: tuple, kwargs: dict, configs: list) -> Any:
        rows, best, refusals = [], None, []
        for config in configs:
            try:
                kernel = self.jit(*args, **{**kwargs, **config})
                estimate = kernel.estimate(kernel.run(*_inputs(kernel)))
            except TTError as e:
                refusals.append(e)
                rows.append((config, None, str(e).splitlines()[0]))
                continue
            rows.append((config, estimate.time_us / 1e3, estimate.bound))
            if best is None or estimate.time_us / 1e3 < best[1]:
                best = (kernel, estimate.time_us / 1e3, config)
        if best is None:
            raise refusals[0]
        kernel, latency, config = best
        kernel.config, kernel.latency, kernel.ref_latency, kernel.tuning = config, latency, None, rows
        print(f"tt_cli.autotune: {self.__name__}: best of {len(configs)} configs {config} "
              f"(model: {latency * 1e3:.1f} us)", file=sys.stderr)
        return kernel


def _inputs(kernel: Any) -> list:
    from tt_cli._runner import _inputs_of, random_inputs

    return random_inputs(_inputs_of(kernel.plan), 0)


__all__ = ["autotune"]
