"""`@tt_cli.autotune(configs=...)` over a `@tt_cli.jit` factory or eager kernel, ranked by the performance model.

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

Over an eager kernel (a body that declares its tensors, TileLang's current style), calling it
with its tensors tunes for their sizes when a tuned value is not given, and returns the
outputs of the best configuration.

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

    def wrap(jit_kernel: Any) -> Any:
        from tt_cli._driver import JitKernel
        from tt_cli._eager import EagerKernel

        if isinstance(jit_kernel, EagerKernel):
            return AutoTunedEager(jit_kernel, configs)
        if not isinstance(jit_kernel, JitKernel):
            raise TTError("@tt_cli.autotune goes above @tt_cli.jit: it tunes a jit factory or "
                          "an eager kernel")
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
        return tune(self.__name__, lambda config: self.jit(*args, **{**kwargs, **config}),
                    configs)


def tune(name: str, make: Callable, configs: list) -> Any:
    """The best of `make(config)` over `configs` by the model's time, run once each on random
    inputs; refusals are skipped (and listed in `kernel.tuning`), all refused raises the first."""
    rows, best, refusals = [], None, []
    for config in configs:
        try:
            kernel = make(config)
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
    print(f"tt_cli.autotune: {name}: best of {len(configs)} configs {config} "
          f"(model: {latency * 1e3:.1f} us)", file=sys.stderr)
    return kernel


class AutoTunedEager:
    """An eager kernel (`@tt_cli.jit` over a body that declares its tensors) whose tuned
    parameters, when not given, are picked by the performance model for the tensors' sizes;
    called like the kernel (tensors and plain parameters), it returns the outputs of the best
    configuration. `.compile(**sizes)` takes every parameter, as the kernel's does."""

    def __init__(self, eager: Any, configs: Any):
        self.eager = eager
        self.configs = configs
        self._best: dict = {}
        self.__doc__ = eager.__doc__
        self.__name__ = eager.__name__

    def compile(self, **values: Any) -> Any:
        return self.eager.compile(**values)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        configs = expand(self.configs)
        keys = {k for c in configs for k in c}
        bound = dict(zip(self.eager.params, args))
        bound.update(kwargs)
        tensors = {t: bound.pop(t) for t in list(bound) if t in self.eager.tensors}
        if keys <= set(bound):  # every tuned value given: that configuration
            return self.eager(*args, **kwargs)
        sizes = self.eager._sizes({**configs[0], **bound}, tensors)
        key = tuple(sorted((k, repr(v)) for k, v in {**bound, **sizes}.items()))
        if key not in self._best:
            fixed = {**bound, **sizes}
            # a tuned value the call gives is kept: only the others are tuned
            left = []
            for config in configs:
                config = {k: v for k, v in config.items() if k not in bound}
                if config not in left:
                    left.append(config)
            self._best[key] = tune(self.__name__,
                                   lambda config: self.eager.compile(**{**fixed, **config}), left)
        kernel = self._best[key]
        return kernel(*[tensors[t] for t in self.eager.params if t in tensors])


def _inputs(kernel: Any) -> list:
    from tt_cli._runner import _inputs_of, random_inputs

    return random_inputs(_inputs_of(kernel.plan), 0)


__all__ = ["autotune"]
