"""`tt run`: random inputs, one run, a comparison with the file's `reference`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import ml_dtypes
import numpy as np

from tt_cli._check import check
from tt_ir import SchemaError, TTError

_HOST_DTYPE = {"bfloat16": ml_dtypes.bfloat16, "float16": np.float16, "float32": np.float32, "int32": np.int32,
               "int8": np.int8, "uint8": np.uint8}


def random_inputs(buffers: list[dict], seed: int) -> list[np.ndarray]:
    """Uniform [-1, 1) floats rounded to each buffer's dtype; ints in [-8, 8) ([0, 8) unsigned)."""
    rng = np.random.default_rng(seed)
    arrays = []
    for buf in buffers:
        shape = tuple(buf["shape"])
        if buf["dtype"] in ("int32", "int8", "uint8"):
            low = 0 if buf["dtype"] == "uint8" else -8
            arrays.append(rng.integers(low, 8, size=shape).astype(_HOST_DTYPE[buf["dtype"]]))
            continue
        values = rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)
        arrays.append(values.astype(_HOST_DTYPE[buf["dtype"]]))
    return arrays


def _inputs_of(plan: dict) -> list[dict]:
    return [b for b in sorted(plan["buffers"], key=lambda b: b["index"]) if b["role"] in ("input", "inout")]


def run_compiled(loaded, compiled, device: str, seed: int, progress: Callable[[str], None]) -> bool:
    """Runs a compiled kernel; compares with `reference` when the file has one."""
    buffers = _inputs_of(compiled.plan)
    inputs = loaded.call_with_params(loaded.make_inputs, seed) if loaded.make_inputs else random_inputs(buffers, seed)
    cores = len(compiled.plan["work"]["cores"])
    progress(f"running {compiled.name} on the {device} ({compiled.arch}, {cores} cores) ...")
    result = compiled.run(*inputs, device=device)
    if device == "emulator":
        _print_estimate(compiled.estimate(result), compiled.arch)
    outputs = [b for b in sorted(compiled.plan["buffers"], key=lambda b: b["index"]) if b["role"] in ("output", "inout")]
    if loaded.reference is None:
        for buf in outputs:
            _describe(buf["name"], result.outputs[buf["name"]])
        print("no reference() in the kernel file: nothing to compare")
        return True
    expected = loaded.call_reference(*[np.asarray(a, dtype=np.float64) if a.dtype.kind not in "iu" else a for a in inputs])
    expected = list(expected) if isinstance(expected, (tuple, list)) else [expected]
    if len(expected) != len(outputs):
        raise ValueError(f"reference() returned {len(expected)} arrays; the kernel has {len(outputs)} outputs")
    bound_fn = loaded.helper("error_bound")
    ok = True
    bounds = loaded.call_with_params(bound_fn, *inputs) if callable(bound_fn) else None
    if not isinstance(bounds, (tuple, list)):  # one bound for every output, or one each
        bounds = [bounds] * len(outputs)
    for buf, exp, bound in zip(outputs, expected, bounds):
        verdict = check(result.outputs[buf["name"]], exp, buf["dtype"], bound=bound)
        print(f"{buf['name']}: {verdict}")
        ok = ok and verdict.passed
    print("PASS" if ok else "FAIL")
    return ok


def read_plan(directory: Path) -> dict:
    """The validated `tt.plan.json` of an artifact directory, as JSON data.

    Raises:
        TTError: the directory is missing or has no plan. SchemaError: the plan is not
            valid JSON or not a valid plan; the message names the file and the field.
    """
    from tt_ir import load_plan

    if not directory.is_dir():
        raise TTError(f"artifact directory '{directory}' does not exist; make one with `tt compile FILE.py -o {directory}`")
    path = directory / "tt.plan.json"
    if not path.is_file():
        raise TTError(f"'{directory}' has no tt.plan.json, so it is not an artifact directory; "
                      f"make one with `tt compile FILE.py -o {directory}`")
    try:
        return load_plan(path).to_json()
    except SchemaError as e:
        what = e.message.removeprefix("tt.plan.json: ")
        raise SchemaError(f"{path} is not a valid plan: {what}; the artifacts are damaged or from another version: "
                          f"recompile them with `tt compile FILE.py -o {directory}`", field=e.field, path=e.path) from None


def run_dir(directory: Path, device: str, seed: int, arch: str | None, progress: Callable[[str], None]) -> bool:
    """Runs an artifact directory on random inputs and describes the outputs."""
    import tt_runtime

    plan = read_plan(directory)
    buffers = _inputs_of(plan)
    inputs = {b["name"]: a for b, a in zip(buffers, random_inputs(buffers, seed))}
    progress(f"running {plan['kernel_name']} on the {device} ({plan['arch']}) ...")
    result = tt_runtime.run(directory, inputs, arch=arch or plan["arch"], device=device)
    if device == "emulator":
        _print_estimate(tt_runtime.estimate(result, directory), plan["arch"])
    for name, array in result.outputs.items():
        _describe(name, array)
    return True


def _print_estimate(estimate, arch: str) -> None:
    """The performance model's verdict, on stderr (stdout holds the check)."""
    lines = str(estimate).splitlines()
    print(f"performance model ({arch} silicon, estimated from the emulator's counters):", file=sys.stderr)
    for line in lines:
        print(f"  {line}", file=sys.stderr)


def _describe(name: str, array: np.ndarray) -> None:
    values = np.asarray(array, dtype=np.float64)
    print(f"{name}: shape {array.shape} {array.dtype}, mean {values.mean():.6g}, min {values.min():.6g}, max {values.max():.6g}")
