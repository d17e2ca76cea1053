"""Runs artifact directories through the real TT-Metalium host stack on a mocked device.

Runs inside a Python 3.10 environment with the ttnn 0.81.1 wheel (its `_ttnn` is built for
3.10), with TT_METAL_MOCK_CLUSTER_DESC_PATH set and the stand-in `riscv-tt-elf-g++` installed
(see `mock_session.py`). For each program it builds the `ttnn.generic_op` descriptor from its
`tt.plan.json` as main.cpp builds its program: DRAM-interleaved tensors, the circular buffers
on the work cores, semaphores, the three kernels with their processors, NoCs, compute config,
compile-time args and per-core runtime args. It checks that the accessor compile-time args the
real `TensorAccessorArgs` gives equal the plan's, and runs the program: the real host stack
validates buffers, CBs and L1, runtime args and semaphores, JIT-builds the kernels (through the
stand-in compiler) and loads the binaries. A mocked device executes nothing, so no outputs
are compared here; the emulator does that.

Prints one line per program (`ok`, `known: ...` or `FAIL: ...`) and a JSON summary line;
exits 1 when a program fails unexpectedly, or when one listed in KNOWN now passes (so the list
stays true).

    python run_plans.py DIR...
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
from pathlib import Path

if os.environ.get("TT_MOCK_FLOAT16_SHIM"):  # before ttnn, so that its converter is the one found
    ctypes.CDLL(os.environ["TT_MOCK_FLOAT16_SHIM"], mode=ctypes.RTLD_GLOBAL)

import ttnn  # noqa: E402

# float16 tensors live in DRAM as bfloat16-sized pages (2 bytes a value; nothing reads them on
# a mocked device); their CBs take the real Float16 format through float16_format.so.
DTYPES = {"bfloat16": ttnn.bfloat16, "float16": ttnn.bfloat16, "float32": ttnn.float32, "int32": ttnn.int32,
          "uint8": ttnn.uint8, "int8": ttnn.int8}
FORMATS = {"Float16_b": ttnn.bfloat16, "Float16": ttnn.DataType.FP8_E4M3, "Float32": ttnn.float32,
           "Int32": ttnn.int32, "UInt8": ttnn.uint8, "Int8": ttnn.int8}
_FLOAT16 = 1  # tt::DataFormat::Float16

# Programs the real stack refuses today, with the reason: none. (The int8-weight GEMM was one
# until its weights stopped reaching compute as Int8 tiles next to Float16_b ones; the compiler
# now keeps every program in one exponent family, or refuses it.) The session fails when a
# listed program passes.
KNOWN: dict[str, str] = {}


def float16_described() -> bool:
    """Whether float16_format.so is loaded: FORMATS["Float16"] then gives Float16 CBs."""
    cb = ttnn.CBFormatDescriptor(buffer_index=0, data_format=FORMATS["Float16"], page_size=2048)
    return cb.data_format_as_uint8 == _FLOAT16


def not_describable(plan: dict) -> str | None:
    """Why `generic_op` cannot take this program through ttnn's Python API, if it cannot."""
    formats = {cb["data_format"] for cb in plan["circular_buffers"]}
    if "Float16" in formats and not float16_described():
        return ("ttnn's Python program descriptors have no Float16 data type and float16_format.so "
                "is not loaded or not in effect (TT_MOCK_FLOAT16_SHIM), so its Float16 CBs cannot be "
                "described")
    return None


def core_set(cores: list) -> ttnn.CoreRangeSet:
    return ttnn.CoreRangeSet([ttnn.CoreRange(ttnn.CoreCoord(x, y), ttnn.CoreCoord(x, y)) for x, y in cores])


def descriptor(plan: dict, art: Path, dev) -> tuple:
    """(io tensors, ProgramDescriptor, accessor-arg mismatches) of one plan."""
    bufs = sorted(plan["buffers"], key=lambda b: b["index"])
    tensors = {}
    for b in bufs:
        shape = b["shape"] if len(b["shape"]) > 1 else [1, b["shape"][0]]
        tensors[b["name"]] = ttnn.allocate_tensor_on_device(ttnn.Shape(shape), DTYPES[b["dtype"]],
                                                            ttnn.TILE_LAYOUT, dev, ttnn.DRAM_MEMORY_CONFIG)
    cores = core_set([c["core"] for c in plan["work"]["cores"]])
    cbs = [ttnn.CBDescriptor(total_size=cb["page_size"] * cb["num_pages"], core_ranges=cores,
                             format_descriptors=[ttnn.CBFormatDescriptor(buffer_index=cb["index"],
                                                                         data_format=FORMATS[cb["data_format"]],
                                                                         page_size=cb["page_size"])])
           for cb in plan["circular_buffers"]]
    sems = [ttnn.SemaphoreDescriptor(id=s["id"], core_type=ttnn.CoreType.WORKER, core_ranges=cores,
                                     initial_value=s["initial_value"]) for s in plan.get("semaphores", [])]
    kernels, mismatches = [], []
    for k in plan["kernels"]:
        cta = [w for acc in k["accessors"]
               for w in ttnn.TensorAccessorArgs(tensors[acc["buffer"]]).get_compile_time_args()]
        if k["accessors"] and cta != k["compile_args"]:
            mismatches.append(f"{k['role']}: TensorAccessorArgs gives {cta}, the plan has {k['compile_args']}")
        runtime = []
        for ca in k["core_args"]:
            values = iter(ca["values"])
            args = []
            for a in k["runtime_args"]:
                if a["kind"] == "buffer_address":
                    args.append(tensors[a["buffer"]].buffer_address())
                elif a["kind"] == "noc_x":
                    args.append(dev.worker_core_from_logical_core(ttnn.CoreCoord(next(values), 0)).x)
                elif a["kind"] == "noc_y":
                    args.append(dev.worker_core_from_logical_core(ttnn.CoreCoord(0, next(values))).y)
                else:
                    args.append(next(values))
            runtime.append((ttnn.CoreCoord(*ca["core"]), args))
        if k["role"] == "compute":
            cc = plan["compute_config"]
            config = ttnn.ComputeConfigDescriptor(math_fidelity=getattr(ttnn.MathFidelity, cc["math_fidelity"]),
                                                  math_approx_mode=cc["math_approx_mode"],
                                                  fp32_dest_acc_en=cc["fp32_dest_acc_en"],
                                                  dst_full_sync_en=cc["dst_full_sync_en"])
        else:
            config = ttnn.DataMovementConfigDescriptor(
                processor=getattr(ttnn.DataMovementProcessor, k["processor"]),
                noc=getattr(ttnn.NOC, k["noc"].replace("NOC_", "RISCV_") + "_default"))
        kernels.append(ttnn.KernelDescriptor(kernel_source=str(art / k["file"]), core_ranges=cores,
                                             compile_time_args=k["compile_args"], runtime_args=runtime,
                                             config=config))
    desc = ttnn.ProgramDescriptor(kernels=kernels, semaphores=sems, cbs=cbs)
    return [tensors[b["name"]] for b in bufs], desc, mismatches


def refusal(text: str) -> str:
    """tt-metal's exception text without its backtraces: where it was thrown and why."""
    kept = [ln.strip() for ln in text.splitlines()
            if ln.strip() and not ln.startswith(" ---") and ln.strip() not in ("info:", "backtrace:")]
    return "; ".join(kept)[:600]


def run_one(art: Path, dev) -> tuple[str, str]:
    """(status, detail): status `ok`, `known`, `skipped` or `FAIL`."""
    plan = json.loads((art / "tt.plan.json").read_text())
    why = not_describable(plan)
    if why:  # without the library only where nobody asked for it: mock_session.py always does
        return ("FAIL" if os.environ.get("TT_MOCK_FLOAT16_SHIM") else "skipped"), why
    try:  # describing the program: any refusal here is a failure, known programs included
        io, desc, mismatches = descriptor(plan, art, dev)
    except Exception as err:
        return "FAIL", "describing the program: " + str(err).splitlines()[0][:300]
    if mismatches:
        return "FAIL", "; ".join(mismatches)
    try:  # the host stack's checks, JIT build and load
        ttnn.generic_op(io, desc)
    except Exception as err:  # its refusal, as it words it
        detail = refusal(str(err))
        return ("known", KNOWN[art.name]) if art.name in KNOWN else ("FAIL", detail)
    if art.name in KNOWN:
        return "FAIL", f"passes now: remove it from KNOWN in {Path(__file__).name} ({KNOWN[art.name]})"
    return "ok", "host setup, JIT build and binary load"


def main(dirs: list[str]) -> int:
    dev = ttnn.open_device(device_id=0)
    counts = {"ok": 0, "known": 0, "skipped": 0, "FAIL": 0}
    try:
        for d in dirs:
            status, detail = run_one(Path(d), dev)
            counts[status] += 1
            print(f"{status:<8}{Path(d).name}" + ("" if status == "ok" else f": {detail}"), flush=True)
    finally:
        ttnn.close_device(dev)
    print("summary " + json.dumps(counts), flush=True)
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
