"""`tt run`: random inputs, one run, a comparison with the file's `reference`."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np

from tt_cli._check import check
from tt_ir import SchemaError, TTError, dtypes, sizes

_HOST_DTYPE = {"bfloat16": ml_dtypes.bfloat16, "float16": np.float16, "float32": np.float32, "int32": np.int32,
               "int8": np.int8, "uint8": np.uint8}


def random_inputs(buffers: list[dict], seed: int) -> list[np.ndarray]:
    """Uniform [-1, 1) floats rounded to each buffer's dtype; ints in [-8, 8) ([0, 8) unsigned)."""
    rng = np.random.default_rng(seed)
    arrays = []
    for buf in buffers:
        shape = tuple(buf["shape"])
        if buf["dtype"] in dtypes.INTEGER_DTYPES:
            low = 0 if buf["dtype"] == "uint8" else -8
            arrays.append(rng.integers(low, 8, size=shape).astype(_HOST_DTYPE[buf["dtype"]]))
            continue
        values = rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)
        arrays.append(values.astype(_HOST_DTYPE[buf["dtype"]]))
    return arrays


def parse_sizes(items: tuple | list) -> dict[str, int]:
    """`--size m=256` options as {name: value}."""
    out = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq or not value.strip().lstrip("-").isdigit():
            raise TTError(f"--size {item}: expected NAME=N with N an integer, e.g. --size m=256")
        out[name.strip()] = int(value)
    return out


def shaped(plan: dict, given: dict[str, int], progress: Callable[[str], None]) -> dict:
    """`plan` with its runtime sizes (T.dynamic) bound: `given`, else two granules each (said)."""
    if not sizes.is_dynamic(plan):
        if given:
            raise TTError(f"--size {', '.join(given)}: kernel '{plan['kernel_name']}' has no runtime sizes")
        return plan
    known = {s["name"]: s["granule"] for s in plan["sizes"]}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise TTError(f"--size {', '.join(unknown)}: kernel '{plan['kernel_name']}' has the runtime sizes "
                      f"{', '.join(known)}")
    values = {name: given.get(name, 2 * g) for name, g in known.items()}
    progress("runtime sizes: " + ", ".join(f"{n}={v}" for n, v in values.items())
             + " (granules " + ", ".join(f"{n}: {g}" for n, g in known.items()) + "; set with --size)")
    return sizes.bind_plan(plan, values)


def _inputs_of(plan: dict) -> list[dict]:
    return [b for b in sorted(plan["buffers"], key=lambda b: b["index"]) if b["role"] in ("input", "inout")]


class Report:
    """What `tt run` found: printed as text (the default), or collected for `--json`."""

    def __init__(self, as_json: bool, kernel: str, arch: str, device: str):
        self.as_json = as_json
        self.data: dict = {"kernel": kernel, "arch": arch, "device": device, "outputs": {},
                           "estimate": None, "passed": None}

    def estimate(self, estimate: Any) -> None:
        if self.as_json:
            self.data["estimate"] = dataclasses.asdict(estimate)
        else:
            _print_estimate(estimate, self.data["arch"])

    def output(self, name: str, array: np.ndarray, verdict: Any = None) -> None:
        values = np.asarray(array, dtype=np.float64)
        entry = {"shape": list(array.shape), "dtype": str(array.dtype), "mean": float(values.mean()),
                 "min": float(values.min()), "max": float(values.max())}
        if verdict is not None:
            entry["check"] = {"passed": verdict.passed, **dataclasses.asdict(verdict)}
        self.data["outputs"][name] = entry
        if not self.as_json:
            print(f"{name}: {verdict}" if verdict is not None else _description(name, array))

    def finish(self, passed: bool | None, note: str | None = None) -> bool:
        self.data["passed"] = passed
        if self.as_json:
            print(json.dumps(self.data, indent=2))
        elif note is not None:
            print(note)
        return passed is not False


def run_compiled(loaded, compiled, device: str, seed: int, progress: Callable[[str], None],
                 as_json: bool = False, given: dict | None = None, trace_path: str | None = None) -> bool:
    """Runs a compiled kernel; compares with `reference` when the file has one."""
    plan = shaped(compiled.plan, given or {}, progress)
    buffers = _inputs_of(plan)
    inputs = loaded.call_with_params(loaded.make_inputs, seed) if loaded.make_inputs else random_inputs(buffers, seed)
    cores = len(plan["work"]["cores"])
    progress(f"running {compiled.name} on the {device} ({compiled.arch}, {cores} cores) ...")
    result = compiled.run(*inputs, device=device)
    report = Report(as_json, compiled.name, compiled.arch, device)
    if device == "emulator":
        report.estimate(compiled.estimate(result))
    if trace_path:
        _write_trace(result, compiled._artifact_dir(), trace_path, progress)
    outputs = [b for b in sorted(plan["buffers"], key=lambda b: b["index"]) if b["role"] in ("output", "inout")]
    if loaded.reference is None:
        for buf in outputs:
            report.output(buf["name"], result.outputs[buf["name"]])
        return report.finish(None, "no reference() in the kernel file: nothing to compare")
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
        report.output(buf["name"], result.outputs[buf["name"]], verdict)
        ok = ok and verdict.passed
    return report.finish(ok, "PASS" if ok else "FAIL")


def read_plan(directory: Path, template: bool = False) -> dict:
    """The validated `tt.plan.json` of an artifact directory, as JSON data (with `template`, a
    runtime-size plan as written, else bound at one granule per size).

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
        checked = load_plan(path).to_json()
        if template:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return raw if sizes.is_dynamic(raw) else checked
        return checked
    except SchemaError as e:
        what = e.message.removeprefix("tt.plan.json: ")
        raise SchemaError(f"{path} is not a valid plan: {what}; the artifacts are damaged or from another version: "
                          f"recompile them with `tt compile FILE.py -o {directory}`", field=e.field, path=e.path) from None


def run_dir(directory: Path, device: str, seed: int, arch: str | None, progress: Callable[[str], None],
            as_json: bool = False, given: dict | None = None, trace_path: str | None = None) -> bool:
    """Runs an artifact directory on random inputs and describes the outputs."""
    import tt_runtime

    plan = shaped(read_plan(directory, template=True), given or {}, progress)
    buffers = _inputs_of(plan)
    inputs = {b["name"]: a for b, a in zip(buffers, random_inputs(buffers, seed))}
    progress(f"running {plan['kernel_name']} on the {device} ({plan['arch']}) ...")
    result = tt_runtime.run(directory, inputs, arch=arch or plan["arch"], device=device)
    report = Report(as_json, plan["kernel_name"], plan["arch"], device)
    if device == "emulator":
        report.estimate(tt_runtime.estimate(result, directory))
    if trace_path:
        _write_trace(result, directory, trace_path, progress)
    for name, array in result.outputs.items():
        report.output(name, array)
    return report.finish(None)


def _write_trace(result, plan, path: str, progress: Callable[[str], None]) -> None:
    import tt_runtime

    tt_runtime.write_trace(tt_runtime.trace(result, plan), path)
    progress(f"wrote the modeled trace to {path} (open it in https://ui.perfetto.dev or chrome://tracing)")


def _print_estimate(estimate, arch: str) -> None:
    """The performance model's verdict, on stderr (stdout holds the check)."""
    lines = str(estimate).splitlines()
    print(f"performance model ({arch} silicon, estimated from the emulator's counters):", file=sys.stderr)
    for line in lines:
        print(f"  {line}", file=sys.stderr)


def _description(name: str, array: np.ndarray) -> str:
    values = np.asarray(array, dtype=np.float64)
    return f"{name}: shape {array.shape} {array.dtype}, mean {values.mean():.6g}, min {values.min():.6g}, max {values.max():.6g}"
