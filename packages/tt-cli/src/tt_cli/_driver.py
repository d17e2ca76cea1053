"""The Python driver: `compile` a TileLang PrimFunc into a callable kernel, `jit` a factory.

A `CompiledKernel` holds the five artifacts; calling it runs them on the emulator (or on
silicon) through tt-runtime and returns numpy arrays, the way `tilelang.compile(...)`
kernels behave:

    kernel = tt_cli.compile(matmul, out_idx=[2])
    c = kernel(a, b)                 # inputs only: returns the outputs named by out_idx
    kernel(a, b, c)                  # every tensor: outputs are written into `c` in place
"""

from __future__ import annotations

import functools
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np

from tt_ir import KernelBuildError, TTError, sizes

# Host dtypes a buffer of each dtype accepts; the first is what outputs come back as.
_ACCEPTED = {
    "bfloat16": (np.dtype(ml_dtypes.bfloat16), np.dtype(np.float32)),
    "float16": (np.dtype(np.float16), np.dtype(np.float32)),
    "float32": (np.dtype(np.float32),),
    "int32": (np.dtype(np.int32),),
    "int8": (np.dtype(np.int8),),
    "uint8": (np.dtype(np.uint8),),
}


class KernelCallError(TTError):
    """A call whose arguments do not match the kernel's signature."""


def _lower_and_emit(func: Any, arch: str, options: dict[str, Any]):
    import sys

    import tt_codegen
    import tt_passes

    opts = dict(options)
    timings: list | None = [] if opts.pop("time_passes", False) else None
    lowered = tt_passes.lower(func, arch=arch, timings=timings, **opts)
    if timings is not None:
        total = sum(ms for _, ms in timings)
        rows = [f"  {name:<32} {ms:8.2f} ms" for name, ms in timings]
        print("\n".join(["pass timings:", *rows, f"  {'total':<32} {total:8.2f} ms"]), file=sys.stderr)
    return tt_codegen.emit(lowered)


class CompiledKernel:
    """Artifacts of one compiled kernel, callable with numpy arrays."""

    def __init__(self, artifacts: Any, out_idx: Sequence[int] | None, arch: str, name: str):
        self._artifacts = artifacts
        self.arch = arch
        self.name = name
        self.plan: dict = json.loads(artifacts.files["tt.plan.json"])
        self._buffers = sorted(self.plan["buffers"], key=lambda b: b["index"])
        self.out_idx = self._check_out_idx(out_idx)
        self._dir: tempfile.TemporaryDirectory | None = None

    # ---- artifacts -------------------------------------------------------------------
    @property
    def artifacts(self) -> dict[str, str]:
        """File name -> text of the five artifacts."""
        return dict(self._artifacts.files)

    def get_kernel_source(self, name: str = "compute") -> str:
        """Source of one artifact: `reader`, `compute`, `writer`, `main` or a file name."""
        files = self._artifacts.files
        key = name if name in files else f"{name}.cpp"
        if key not in files:
            raise KeyError(f"no artifact '{name}'; artifacts are {', '.join(sorted(files))}")
        return files[key]

    def save(self, directory: str | Path) -> Path:
        """Writes the artifacts into `directory` and returns it.

        The directory is created if missing; an existing one must be empty or hold only
        an earlier kernel's five artifacts (anything else raises `TTError`: nothing the
        user wrote is overwritten).
        """
        from tt_cli._output import write_artifacts

        path = Path(directory)
        write_artifacts(self._artifacts.files, path)
        return path

    def _artifact_dir(self) -> Path:
        if self._dir is None:
            self._dir = tempfile.TemporaryDirectory(prefix=f"tt-{self.name}-")
            self._artifacts.write(Path(self._dir.name))
        return Path(self._dir.name)

    # ---- calling -----------------------------------------------------------------------
    def run(self, *arrays: np.ndarray, device: str = "emulator", seed: int | None = None):
        """Runs on `device` and returns tt-runtime's full `RunResult` (outputs, counters)."""
        import tt_runtime

        inputs = self._bind_inputs(arrays)
        try:
            return tt_runtime.run(self._artifact_dir(), inputs, arch=self.arch, device=device, seed=seed)
        except KernelBuildError as e:
            raise self._with_kept_sources(e) from None

    def _with_kept_sources(self, error: KernelBuildError) -> KernelBuildError:
        """The same error, pointing at a copy of the artifacts that outlives this kernel's temporary directory."""
        temporary = str(self._artifact_dir().resolve())  # the path tt_runtime.run reports
        kept = tempfile.mkdtemp(prefix=f"tt-{self.name}-kept-")
        self._artifacts.write(Path(kept))

        def moved(text: str) -> str:
            return text.replace(temporary, kept)

        return KernelBuildError(
            moved(error.message),
            command=[moved(part) for part in error.command],
            returncode=error.returncode,
            stderr=moved(error.stderr),
            source_path=moved(error.source_path) if error.source_path else kept,
        )

    def estimate(self, result: Any):
        """tt-runtime's performance model for a `RunResult` of this kernel (`PerfEstimate`)."""
        import tt_runtime

        return tt_runtime.estimate(result, self._artifact_dir())

    def get_profiler(self, tensor_supply_type: Any = "auto", **_options: Any) -> Any:
        """TileLang's profiler: `assert_allclose(ref_program, rtol, atol)`, `do_bench()`
        (tt_cli._torch.Profiler)."""
        from tt_cli._torch import Profiler

        return Profiler(self, tensor_supply_type)

    def __call__(self, *arrays: Any, device: str = "emulator"):
        from tt_cli._torch import is_torch, to_numpy, to_torch

        like = next((a for a in arrays if is_torch(a)), None)
        if like is not None:  # torch in, torch out (in place: copied into the given tensors)
            given = list(arrays)
            numpy_args = [to_numpy(a) if is_torch(a) else a for a in arrays]
            if len(arrays) == len(self._buffers):
                for i in self.out_idx:  # writeable copies (an inout tensor keeps its values)
                    numpy_args[i] = np.array(numpy_args[i], copy=True)
                self(*numpy_args, device=device)
                for i in self.out_idx:
                    out = to_torch(numpy_args[i], self._buffers[i]["dtype"], like)
                    given[i].copy_(out) if is_torch(given[i]) else np.copyto(given[i], numpy_args[i])
                return None
            results = self(*numpy_args, device=device)
            results = results if isinstance(results, list) else [results]
            outs = [to_torch(r, self._buffers[i]["dtype"], like) for r, i in zip(results, self.out_idx)]
            return outs[0] if len(outs) == 1 else outs
        in_place = len(arrays) == len(self._buffers)
        if in_place:  # before running: a bad output array must not cost a run, nor fail after it
            buffers = self._shaped(arrays)
            for i in self.out_idx:
                self._check_output(buffers[i], arrays[i])
        outputs = self.run(*arrays, device=device).outputs
        if in_place:
            for i in self.out_idx:
                buf = self._buffers[i]
                np.copyto(arrays[i], outputs[buf["name"]].astype(arrays[i].dtype), casting="unsafe")
            return None
        results = [outputs[self._buffers[i]["name"]] for i in self.out_idx]
        return results[0] if len(results) == 1 else results

    # ---- argument checks ---------------------------------------------------------------
    def _check_out_idx(self, out_idx: Sequence[int] | int | None) -> list[int]:
        planned = [i for i, b in enumerate(self._buffers) if b["role"] in ("output", "inout")]
        if out_idx is None:
            return planned
        idx = [out_idx] if isinstance(out_idx, int) else list(out_idx)
        n = len(self._buffers)
        idx = [i + n if i < 0 else i for i in idx]
        for i in idx:
            if not 0 <= i < n:
                raise KernelCallError(f"{self.name}: out_idx {i} is out of range; the kernel has {n} tensors")
        if sorted(idx) != planned:
            names = [self._buffers[i]["name"] for i in planned]
            raise KernelCallError(
                f"{self.name}: out_idx={idx} does not match the tensors the kernel writes "
                f"({', '.join(names)} at {planned}); pass out_idx={planned}"
            )
        return idx

    def _shaped(self, arrays: Sequence[Any]) -> list[dict]:
        """The buffers with their shapes for this call: with runtime sizes (T.dynamic), the
        sizes read from the arrays (tt_ir.sizes; a size that does not fit raises SizeError)."""
        if not sizes.is_dynamic(self.plan):
            return self._buffers
        inputs = [b for i, b in enumerate(self._buffers) if i not in self.out_idx]
        pool = self._buffers if len(arrays) == len(self._buffers) else inputs
        shapes = {b["name"]: tuple(np.shape(a)) for b, a in zip(pool, arrays)}
        bound = sizes.bind_plan(self.plan, sizes.sizes_from_shapes(self.plan, shapes))
        return sorted(bound["buffers"], key=lambda b: b["index"])

    def _bind_inputs(self, arrays: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
        """The arrays the device reads: inputs, and "inout" tensors (read and written, e.g.
        T.atomic_add's target), which only an all-tensors call can pass."""
        inputs = [b for i, b in enumerate(self._buffers) if i not in self.out_idx]
        if len(arrays) == len(self._buffers):
            given = {b["name"]: a for b, a in zip(self._buffers, arrays)}
        elif len(arrays) == len(inputs):
            given = {b["name"]: a for b, a in zip(inputs, arrays)}
        else:
            names = ", ".join(b["name"] for b in inputs)
            raise KernelCallError(
                f"{self.name}: expected {len(inputs)} input arrays ({names}) or all {len(self._buffers)} "
                f"tensors, got {len(arrays)}"
            )
        read = [b for b in self._buffers if b["role"] in ("input", "inout")]
        missing = [b["name"] for b in read if b["name"] not in given]
        if not missing:
            read = [b for b in self._shaped(arrays) if b["role"] in ("input", "inout")]
        if missing:
            raise KernelCallError(
                f"{self.name}: {', '.join(missing)} is read and written by the kernel (its starting "
                f"values matter, as for T.atomic_add): pass all {len(self._buffers)} tensors, "
                f"{', '.join(missing)} filled with its starting values")
        return {b["name"]: self._check_array(b, given[b["name"]]) for b in read}

    def _check_output(self, buf: dict, array: Any) -> None:
        """An output passed in place must take the result exactly: shape, a dtype it can hold, writeable."""
        name, shape, dtype = buf["name"], tuple(buf["shape"]), buf["dtype"]
        if not isinstance(array, np.ndarray):
            raise KernelCallError(f"{self.name}: output '{name}' is written in place and must be a numpy array, "
                                  f"got {type(array).__name__}")
        if array.shape != shape:
            raise KernelCallError(f"{self.name}: output '{name}' expects shape {shape}, got {array.shape}; "
                                  f"pass np.empty({shape}, ...) or leave the outputs out to get them returned")
        accepted = _ACCEPTED.get(dtype, ())
        if array.dtype not in accepted:
            allowed = " or ".join(str(d) for d in accepted)
            raise KernelCallError(f"{self.name}: output '{name}' is {dtype}: expects a {allowed} array to write into, "
                                  f"got {array.dtype} (the result would be converted lossily)")
        if not array.flags.writeable:
            raise KernelCallError(f"{self.name}: output '{name}' is read-only; pass a writeable array "
                                  f"(e.g. array.copy()) or leave the outputs out to get them returned")

    def _check_array(self, buf: dict, array: Any) -> np.ndarray:
        name, shape, dtype = buf["name"], tuple(buf["shape"]), buf["dtype"]
        if not isinstance(array, np.ndarray):
            raise KernelCallError(f"{self.name}: '{name}' must be a numpy array, got {type(array).__name__}")
        if array.shape != shape:
            raise KernelCallError(f"{self.name}: '{name}' expects shape {shape}, got {array.shape}")
        accepted = _ACCEPTED.get(dtype, ())
        if array.dtype not in accepted:
            allowed = " or ".join(str(d) for d in accepted)
            raise KernelCallError(f"{self.name}: '{name}' is {dtype}: expects a {allowed} array, got {array.dtype}")
        return np.ascontiguousarray(array)


def compile(func: Any, out_idx: Sequence[int] | int | None = None, arch: str = "wormhole_b0", **options: Any) -> CompiledKernel:  # noqa: A001
    """Compiles a TileLang PrimFunc for a Tenstorrent arch.

    Args:
        func: the `@T.prim_func` (or an IRModule holding one).
        out_idx: indices of the output tensors; default: the tensors the kernel writes.
        arch: `wormhole_b0` or `blackhole`.
        **options: tt-passes options (`grid`, `math_fidelity`, `fp32_acc`, `dump_ir`, ...).

    Raises:
        TTCompileError, CodegenError: the kernel cannot be compiled; the message says why.
    """
    func = _check_func(func)
    out_idx = _check_out_idx_type(out_idx)
    arch, options = _tilelang_options(arch, options)
    verbose = bool(options.pop("verbose", False))
    artifacts = _lower_and_emit(func, arch, options)
    plan = json.loads(artifacts.files["tt.plan.json"])
    if verbose:  # TileLang's `verbose=True`: say what was compiled
        kernels = ", ".join(k["role"] for k in plan["kernels"])
        print(f"tt_cli: compiled '{plan['kernel_name']}' for {arch}: {kernels} kernels on "
              f"{len(plan['work']['cores'])} cores, {plan['work']['num_blocks']} blocks", file=sys.stderr)
    return CompiledKernel(artifacts, out_idx, arch, plan["kernel_name"])


_TARGETS = {"tenstorrent": None, "tenstorrent/wormhole_b0": "wormhole_b0",
            "tenstorrent/blackhole": "blackhole"}


def _tilelang_options(arch: str, options: dict) -> tuple[str, dict]:
    """TileLang's compile options: `target="tenstorrent[/<arch>]"` picks the arch;
    `pass_configs` (TileLang's GPU pass switches) and `execution_backend` (how TileLang
    launches GPU code) mean nothing here and are ignored, said once."""
    options = dict(options)
    target = options.pop("target", None)
    if target is not None:
        if str(target) not in _TARGETS:
            raise TTError(f"tt_cli.compile: target={target!r} is not a Tenstorrent target; use "
                          f"{', '.join(repr(t) for t in _TARGETS)} (or leave it out)")
        arch = _TARGETS[str(target)] or arch
    from tt_ir.language._annotate import say_once

    backend = options.pop("execution_backend", None)
    if backend not in (None, "auto"):
        say_once("execution_backend", f"tt_cli: execution_backend={backend!r} picks how TileLang "
                 "launches GPU code; here the kernel runs on the Tenstorrent emulator (or "
                 "silicon), so it is ignored")
    configs = options.pop("pass_configs", None)
    if configs:
        keys = ", ".join(str(k) for k in dict(configs))
        say_once("pass_configs", f"tt_cli: pass_configs ({keys}) are TileLang GPU pass switches; "
                 "they mean nothing on Tenstorrent and are ignored")
    return arch, options


def _check_func(func: Any) -> Any:
    """The PrimFunc to lower: `func` itself, or the one function of an IRModule."""
    from tt_ir import tir

    if isinstance(func, tir.PrimFunc):
        return func
    if isinstance(func, JitKernel):
        raise TTError(f"tt_cli.compile: '{func.__name__}' is a @tt_cli.jit factory, not a kernel; "
                      f"call it with its parameters instead ({func.__name__}(...) returns the compiled kernel)")
    if isinstance(func, tir.IRModule):
        names = [name for name, f in tir.functions(func).items() if isinstance(f, tir.PrimFunc)]
        if not names:
            raise TTError("tt_cli.compile: the IRModule holds no PrimFunc; pass a @T.prim_func")
        if len(names) > 1:
            names.sort()
            raise TTError(f"tt_cli.compile: the IRModule holds {len(names)} PrimFuncs ({', '.join(names)}); "
                          f"compile one kernel at a time: pass one @T.prim_func, e.g. mod['{names[0]}']")
        return func
    shown = getattr(func, "__qualname__", None) or repr(func)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    hint = "pass a @T.prim_func (or an IRModule holding one)"
    if callable(func):
        hint += "; if this is a kernel factory, call it first: tt_cli.compile(factory(...))"
    raise TTError(f"tt_cli.compile: expected a @T.prim_func, got {type(func).__name__} {shown}; {hint}")


def _check_out_idx_type(out_idx: Any) -> list[int] | None:
    """out_idx as a list of ints: None, an int or a list/tuple of ints (not '2', 2.0 or True)."""
    if out_idx is None:
        return None
    items = list(out_idx) if isinstance(out_idx, (list, tuple)) else [out_idx]
    bad = [i for i in items if not isinstance(i, (int, np.integer)) or isinstance(i, (bool, np.bool_))]
    if bad or not items:
        raise TTError(f"tt_cli.compile: out_idx={out_idx!r} must be an int or a non-empty list of ints "
                      f"(indices of the output tensors), e.g. out_idx=[2]")
    return [int(i) for i in items]


def jit(out_idx: Sequence[int] | int | Callable | None = None, arch: str = "wormhole_b0",
        **options: Any) -> Any:
    """Decorates a kernel factory: `factory(**params)` returns a compiled kernel, cached per
    params. `@tt_cli.jit(out_idx=[2], ...)`, or bare `@tt_cli.jit` (outputs: the tensors the
    kernel writes)."""
    from tt_cli._eager import EagerKernel, is_eager

    def wrap(factory: Callable, out: Any = out_idx) -> Any:
        if is_eager(factory):  # the function's body is the kernel (T.const, T.empty)
            return EagerKernel(factory, arch, options)
        return JitKernel(factory, out, arch, options)

    if callable(out_idx):  # bare @tt_cli.jit: the factory itself
        return wrap(out_idx, None)
    return wrap


class JitKernel:
    """A kernel factory whose results are compiled once per distinct parameters."""

    def __init__(self, factory: Callable, out_idx: Any, arch: str, options: dict[str, Any]):
        self.factory = factory
        self.out_idx = out_idx
        self.arch = arch
        self.options = options
        self._cache: dict[Any, CompiledKernel] = {}
        functools.update_wrapper(self, factory)

    def __call__(self, *args: Any, **kwargs: Any) -> CompiledKernel:
        key = (args, tuple(sorted(kwargs.items())))
        if key not in self._cache:
            func = self.factory(*args, **kwargs)
            self._cache[key] = compile(func, out_idx=self.out_idx, arch=self.arch, **self.options)
        return self._cache[key]

    # TileLang's JIT object spellings
    def compile(self, *args: Any, **kwargs: Any) -> CompiledKernel:
        """The compiled kernel for these parameters (as calling the factory)."""
        return self(*args, **kwargs)

    def get_tir(self, *args: Any, **kwargs: Any) -> Any:
        """The PrimFunc the factory makes for these parameters (not compiled)."""
        return self.factory(*args, **kwargs)

    def get_kernel_source(self, *args: Any, **kwargs: Any) -> str:
        """The compute kernel's C++ for these parameters (compiled once, cached)."""
        return self(*args, **kwargs).get_kernel_source()
