"""tt_runtime.run: execute an artifact directory and return numpy outputs and counters.

Owns: argument checking against the plan, the temporary run directory (inputs and outputs
as ``<f4``/``<i4`` .npy files), running the host program with the emulator's environment
(``TT_EMU_ARCH``, ``TT_EMU_ARCH_DESC``, ``TT_EMU_REPORT``, ``TT_RUNTIME_INCLUDE``,
``TT_RUNTIME_CACHE``), and turning the emulator's report into a `RunResult` or an error.
Does not own: builds (``_build.py``), the hardware backend (``_hardware.py``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np

from tt_ir import EmulatorError, KernelBuildError, SchemaError, TTError, get_arch, load_plan, sizes, validate_plan
from tt_ir.dtypes import INTEGER_DTYPES
from tt_runtime import _build, _hardware, _serve
from tt_runtime._result import RunResult

DEVICES = ("emulator", "hardware")

_NUMPY_DTYPES: dict[str, Any] = {
    "bfloat16": ml_dtypes.bfloat16,
    "float16": np.float16,
    "float32": np.float32,
    "int32": np.int32,
    "int8": np.int8,
    "uint8": np.uint8,
    "bfloat8_b": np.float32,
}


def _arch_env(arch) -> dict[str, str]:
    desc = {
        "name": arch.name,
        "grid_x": arch.max_grid[0],
        "grid_y": arch.max_grid[1],
        "l1_size": arch.l1_size,
        "l1_unreserved_base": arch.l1_unreserved_base,
        "num_dram_banks": arch.num_dram_banks,
        "dram_bank_size": arch.dram_bank_size,
        "num_cbs": arch.num_cbs,
        "max_runtime_args": arch.max_runtime_args,
        "noc_max_burst": arch.noc_max_burst,
        "dram_alignment": arch.dram_alignment,
        "l1_alignment": arch.l1_alignment,
        "num_semaphores": arch.num_semaphores,
    }
    return {"TT_EMU_ARCH": arch.name, "TT_EMU_ARCH_DESC": ",".join(f"{k}={v}" for k, v in desc.items())}


def _is_float(dtype: np.dtype) -> bool:
    return dtype.kind == "f" or dtype == np.dtype(ml_dtypes.bfloat16)


def _host_array(buf, value) -> np.ndarray:
    arr = np.asarray(value)
    if tuple(arr.shape) != tuple(buf.shape):
        raise SchemaError(f"input '{buf.name}': shape {tuple(arr.shape)} does not match the plan's {tuple(buf.shape)}",
                          field=f"inputs[{buf.name!r}]")
    float_buffer = buf.dtype not in INTEGER_DTYPES
    if float_buffer and not _is_float(arr.dtype):
        raise SchemaError(f"input '{buf.name}' is a {buf.dtype} buffer: expects a float array (float32, float16 or "
                          f"bfloat16), got {arr.dtype}; convert it first, e.g. a.astype(np.float32)",
                          field=f"inputs[{buf.name!r}]")
    if not float_buffer and arr.dtype.kind not in "iu":
        raise SchemaError(f"input '{buf.name}' is an {buf.dtype} buffer: expects an integer array, got {arr.dtype}; "
                          f"convert it first, e.g. a.astype(np.{buf.dtype})", field=f"inputs[{buf.name!r}]")
    if not float_buffer:
        # main.cpp reads int32 words and keeps the low byte of int8 / uint8
        low, high = int(np.iinfo(buf.dtype).min), int(np.iinfo(buf.dtype).max)
        if arr.size and (int(arr.min()) < low or int(arr.max()) > high):
            raise SchemaError(f"input '{buf.name}' is an {buf.dtype} buffer: its values must lie in [{low}, {high}], "
                              f"got [{int(arr.min())}, {int(arr.max())}]", field=f"inputs[{buf.name!r}]")
        return np.ascontiguousarray(arr, dtype="<i4")  # main.cpp narrows int8 / uint8
    return np.ascontiguousarray(np.asarray(arr, dtype=np.float32), dtype="<f4")


def _inputs_by_name(plan, inputs) -> dict[str, np.ndarray]:
    in_bufs = [b for b in plan.buffers if b.role in ("input", "inout")]
    names = [b.name for b in in_bufs]
    if isinstance(inputs, Mapping):
        unknown = sorted(set(inputs) - set(names))
        missing = [n for n in names if n not in inputs]
        if unknown or missing:
            raise SchemaError(f"inputs: expected exactly {names}; missing {missing}, unknown {unknown}", field="inputs")
        given = dict(inputs)
    elif isinstance(inputs, Sequence):
        if len(inputs) != len(in_bufs):
            raise SchemaError(f"inputs: expected {len(in_bufs)} arrays ({names}), got {len(inputs)}", field="inputs")
        given = dict(zip(names, inputs))
    else:
        raise SchemaError("inputs: pass a dict name -> array or a list in the plan's input order", field="inputs")
    return {b.name: _host_array(b, given[b.name]) for b in in_bufs}


def load_plan_for(path: Path, inputs: Any, arch: str | None = None) -> tuple[Any, bool]:
    """(plan, whether it is a runtime-size template): a template (T.dynamic) comes bound to
    the sizes of `inputs` (read as `_inputs_by_name` reads them)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return load_plan(path, arch=arch), False  # its error names the problem
    if not sizes.is_dynamic(raw):
        return load_plan(path, arch=arch), False
    buffers = sorted(raw["buffers"], key=lambda b: b["index"])
    names = [b["name"] for b in buffers if b["role"] in ("input", "inout")]
    given = dict(inputs) if isinstance(inputs, Mapping) else dict(zip(names, inputs)) \
        if isinstance(inputs, Sequence) else {}
    shapes = {n: tuple(np.shape(v)) for n, v in given.items()}
    return validate_plan(sizes.bind_plan(raw, sizes.sizes_from_shapes(raw, shapes)), arch), True


def _run_parent() -> str | None:
    """Where run directories go: $TMPDIR when set, else /dev/shm when it is a writable
    directory (memory: the inputs and outputs of a run never reach a disk), else the default."""
    if os.environ.get("TMPDIR"):
        return None
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def _signal_name(rc: int) -> str:
    try:
        return signal.Signals(-rc).name
    except ValueError:
        return f"signal {-rc}"


def _read_report(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError:
        return {}


def _raise_for(proc: subprocess.CompletedProcess, report: dict[str, Any], artifact_dir: Path) -> None:
    kind = report.get("kind") or ""
    if proc.returncode == 2:
        raise EmulatorError(proc.stderr.strip() or "the host program rejected its arguments", kind="usage",
                            report={"artifact_dir": str(artifact_dir)})
    if kind == "kernel_build":
        raise KernelBuildError(
            report.get("message", "kernel build failed").splitlines()[0],
            command=report.get("command", []),
            returncode=report.get("returncode"),
            stderr=report.get("stderr", proc.stderr),
            source_path=report.get("source_path"),
        )
    if kind:
        raise EmulatorError(report.get("message", proc.stderr.strip()), kind=kind,
                            report={"artifact_dir": str(artifact_dir)})
    if proc.returncode < 0:
        raise EmulatorError(f"the host program died of {_signal_name(proc.returncode)}: {proc.stderr.strip()[-2000:]}",
                            kind="crash", report={"artifact_dir": str(artifact_dir)})
    raise EmulatorError(f"the host program exited with status {proc.returncode}: {proc.stderr.strip()[-2000:]}",
                        kind="crash", report={"artifact_dir": str(artifact_dir)})


def _counters(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for entry in report.get("cores", []):
        x, y = entry["core"]
        out[f"{x},{y}"] = {k: v for k, v in entry.items() if k != "core"}
    return out


def run(
    artifact_dir: str | os.PathLike,
    inputs: Mapping[str, Any] | Sequence[Any],
    *,
    arch: str | None = None,
    device: str = "emulator",
    seed: int | None = None,
) -> RunResult:
    """Run an artifact directory on the emulated chip (or on silicon) and return its outputs.

    Args:
        artifact_dir: Directory holding reader.cpp, compute.cpp, writer.cpp, main.cpp, tt.plan.json.
        inputs: The input buffers, as a dict name -> array or a list in plan order; a float
            buffer takes float arrays only (float32/float16/bfloat16, converted to float32 first;
            main.cpp then rounds to the device format), an int32 / int8 / uint8 buffer integer arrays
            in its range only.
        arch: ``"wormhole_b0"`` or ``"blackhole"``; default the plan's arch (a different one is
            a SchemaError: the artifacts are built for one arch).
        device: ``"emulator"`` (default) or ``"hardware"`` (needs ``TT_METAL_HOME``).
        seed: Fills each output's DRAM pages with seeded noise before the run so that pages a
            kernel forgets to write show up (None: outputs are filled with NaN).

    Returns:
        A `RunResult` with outputs in each buffer's dtype and per-core counters.

    Raises:
        SchemaError: bad plan, arch or inputs (wrong shape, complex or integer data for a
        float buffer). KernelBuildError: a kernel or main.cpp does not
        compile. EmulatorError: deadlock, protocol fault or crash, with the emulator's report.
    """
    artifact_dir = Path(artifact_dir).resolve()
    if device not in DEVICES:
        raise SchemaError(f"device: {device!r} is not one of {', '.join(DEVICES)}", field="device")
    plan, dynamic = load_plan_for(artifact_dir / "tt.plan.json", inputs, arch)
    target = get_arch(arch or plan.arch)
    host_inputs = _inputs_by_name(plan, inputs)
    if device == "hardware":
        return _hardware.run(artifact_dir, plan, host_inputs)

    exe = _build.build_host(artifact_dir / "main.cpp")
    keep = bool(os.environ.get("TT_RUNTIME_KEEP"))
    work = Path(tempfile.mkdtemp(prefix="tt-run-", dir=_run_parent()))
    try:
        args = [str(exe), "--kernels", str(artifact_dir)]
        out_paths = {}
        for b in plan.buffers:
            path = work / f"{b.name}.npy"
            if b.role in ("input", "inout"):  # an inout tensor's result replaces its file
                np.save(path, host_inputs[b.name])
            if b.role in ("output", "inout"):
                out_paths[b.name] = path
            args.append(f"{b.name}={path}")
        report_path = work / "report.json"
        env = dict(os.environ)
        env.update(_arch_env(target))
        env["TT_EMU_REPORT"] = str(report_path)
        env["TT_RUNTIME_INCLUDE"] = str(_build.INCLUDE_DIR)
        env["TT_RUNTIME_CACHE"] = str(_build.cache_root())
        env["TT_EMU_DRAM_FILL"] = "nan" if seed is None else str(int(seed))
        t0 = time.perf_counter()
        proc = _serve.run(args, cwd=work, env=env)  # a warm host process when one is up
        seconds = time.perf_counter() - t0
        report = _read_report(report_path)
        if proc.returncode != 0 or report.get("status") != "ok":
            _raise_for(proc, report, artifact_dir)
        if proc.stderr:  # the kernels' own prints (DPRINT, T.print)
            sys.stderr.write(proc.stderr)
        outputs = {}
        for b in plan.buffers:
            if b.role not in ("output", "inout"):
                continue
            # mapped, not read: a fresh copy of a large output costs more in page faults than
            # the run itself; the mapping outlives the file (removed with the run directory)
            words = np.asarray(np.load(out_paths[b.name], mmap_mode="c"))
            outputs[b.name] = words.astype(_NUMPY_DTYPES.get(b.dtype, np.float32), copy=False)
        return RunResult(outputs=outputs, counters=_counters(report), arch=target.name, device="emulator",
                         seconds=seconds, plan=plan.to_json() if dynamic else None)
    finally:
        if keep:
            print(f"tt_runtime: kept run directory {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


__all__ = ["run", "DEVICES", "TTError"]
