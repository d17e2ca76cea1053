"""Writes small artifact directories in exactly the shape tt-codegen emits (tests only).

The host program is the golden ``eltwise_add/main.cpp`` with its kernel-specific sections
(tensor table, CBs, kernels, runtime args) regenerated from an `ArtifactSpec`; the plan is a
``tt.plan.json`` that `tt_ir.validate_plan` accepts. Kernels are hand-written sources.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden" / "eltwise_add"
KERNELS = Path(__file__).parent / "kernels"

_FORMATS = {"bfloat16": ("Float16_b", 2048), "float16": ("Float16", 2048), "float32": ("Float32", 4096),
            "int32": ("Int32", 4096), "bfloat8_b": ("Bfp8_b", 1088)}
_HOST_FORMAT = {"bfloat16": "Float16_b", "float16": "Float16", "float32": "Float32", "int32": "Int32"}


@dataclasses.dataclass
class KernelSpec:
    source: str                                   # file name under tests/kernels, or C++ text
    args: list[tuple[str, str | None]]            # (name, buffer or None for a per-core value)
    values: dict[tuple[int, int], list[int]]      # per core: the values of the value args
    accessors: list[str] = dataclasses.field(default_factory=list)
    compile_args: list[int] = dataclasses.field(default_factory=list)  # compute only


@dataclasses.dataclass
class ArtifactSpec:
    name: str
    buffers: list[tuple[str, tuple[int, ...], str, str]]        # name, shape, dtype, role
    cbs: list[tuple[int, str, str, int, str, str]]              # index, name, dtype, pages, producer, consumer
    cores: list[tuple[int, int]]
    reader: KernelSpec
    compute: KernelSpec
    writer: KernelSpec
    fp32_dest_acc_en: bool = False
    host_extra: str = ""                                        # C++ inserted after the CBs are created
    arch: str = "wormhole_b0"


def _source_text(src: str) -> str:
    path = KERNELS / src
    return path.read_text() if "\n" not in src and path.exists() else src


def _main_cpp(spec: ArtifactSpec) -> str:
    text = (GOLDEN / "main.cpp").read_text().replace("'eltwise_add'", f"'{spec.name}'")
    text = text.replace('"eltwise_add: %s\\n"', f'"{spec.name}: %s\\n"')
    rows = []
    for name, shape, dtype, role in spec.buffers:
        fmt, tile = _FORMATS[dtype]
        cols = shape[-1]
        rows_ = 1
        for d in shape[:-1]:
            rows_ *= d
        dims = ", ".join(str(d) for d in shape)
        rows.append(f'    {{"{name}", {str(role == "output").lower()}, {str(role == "input").lower()}, '
                    f'{{{dims}}}, {rows_}, {cols}, Format::{_HOST_FORMAT[dtype]}, tt::DataFormat::{fmt}, {tile}, -1}},')
    text = re.sub(r"const std::vector<Tensor> kTensors = \{\n.*?\n\};",
                  "const std::vector<Tensor> kTensors = {\n" + "\n".join(rows) + "\n};", text, flags=re.S)
    text = text.replace("this kernel has A, B, C", "this kernel has " + ", ".join(b[0] for b in spec.buffers))
    start = text.index("    // 2. Program")
    end = text.index("    // 5. Inputs in")
    return text[:start] + _program_section(spec) + text[end:]


def _program_section(spec: ArtifactSpec) -> str:
    ranges = ", ".join(f"CoreRange(CoreCoord({x}, {y}))" for x, y in spec.cores)
    out = ["    // 2. Program: circular buffers on the cores that have work.",
           "    Program program = CreateProgram();",
           f"    CoreRangeSet cores(std::vector<CoreRange>{{{ranges}}});"]
    for index, _name, dtype, pages, _p, _c in spec.cbs:
        fmt, tile = _FORMATS[dtype]
        out += [f"    CircularBufferConfig cfg_{index}({pages} * {tile}, {{{{tt::CBIndex::c_{index}, tt::DataFormat::{fmt}}}}});",
                f"    cfg_{index}.set_page_size(tt::CBIndex::c_{index}, {tile});",
                f"    CBHandle cb_{index} = CreateCircularBuffer(program, cores, cfg_{index});",
                f"    (void)cb_{index};"]
    if spec.host_extra:
        out.append("    " + spec.host_extra)
    out.append("")
    out.append("    // 3. Kernels, with TensorAccessor compile-time args.")
    for role in ("reader", "writer"):
        out.append(f"    std::vector<uint32_t> {role}_cta;")
        for buf in getattr(spec, role).accessors:
            out.append(f'    TensorAccessorArgs(*bufs.at("{buf}")).append_to({role}_cta);')
    out.append("    std::string dir = absolute_dir(opt.kernel_dir);")
    ccta = ", ".join(str(v) for v in spec.compute.compile_args)
    out += [
        '    KernelHandle reader = CreateKernel(',
        '        program, dir + "/reader.cpp", cores,',
        '        DataMovementConfig{.processor = DataMovementProcessor::RISCV_1, .noc = NOC::RISCV_1_default, .compile_args = reader_cta});',
        '    KernelHandle compute = CreateKernel(',
        '        program, dir + "/compute.cpp", cores,',
        f'        ComputeConfig{{.math_fidelity = MathFidelity::HiFi4, .fp32_dest_acc_en = {str(spec.fp32_dest_acc_en).lower()}, .dst_full_sync_en = false,',
        f'                      .math_approx_mode = false, .compile_args = {{{ccta}}}}});',
        '    KernelHandle writer = CreateKernel(',
        '        program, dir + "/writer.cpp", cores,',
        '        DataMovementConfig{.processor = DataMovementProcessor::RISCV_0, .noc = NOC::RISCV_0_default, .compile_args = writer_cta});',
        "",
        "    // 4. Per-core runtime args.",
    ]
    for name, _shape, _dtype, _role in spec.buffers:
        out.append(f'    uint32_t {name}_addr = bufs.at("{name}")->address();')
    for role in ("reader", "compute", "writer"):
        k = getattr(spec, role)
        for x, y in spec.cores:
            vals = iter(k.values.get((x, y), []))
            args = [f"{buf}_addr" if buf else str(next(vals)) for _n, buf in k.args]
            out.append(f"    SetRuntimeArgs(program, {role}, CoreCoord({x}, {y}), std::vector<uint32_t>{{{', '.join(args)}}});")
    out.append("")
    return "\n".join(out) + "\n"


def _plan(spec: ArtifactSpec) -> dict:
    buffers = []
    for i, (name, shape, dtype, role) in enumerate(spec.buffers):
        fmt, tile = _FORMATS[dtype]
        rows = 1
        for d in shape[:-1]:
            rows *= d
        buffers.append({"name": name, "index": i, "role": role, "shape": list(shape), "dtype": dtype, "data_format": fmt,
                        "layout": {"memory": "dram", "kind": "interleaved", "tile": [32, 32], "shard": None},
                        "page_size": tile, "num_pages": rows // 32 * (shape[-1] // 32), "tiles": [rows // 32, shape[-1] // 32]})
    cbs = []
    for index, name, dtype, pages, producer, consumer in spec.cbs:
        fmt, tile = _FORMATS[dtype]
        role = "input" if producer == "reader" else "output" if consumer == "writer" else "intermediate"
        cbs.append({"index": index, "name": name, "role": role, "data_format": fmt, "page_size": tile, "num_pages": pages,
                    "producer": producer, "consumer": consumer})
    kernels = []
    cta_of = {}
    for role, proc, noc in (("reader", "RISCV_1", "NOC_1"), ("compute", "TRISC", None), ("writer", "RISCV_0", "NOC_0")):
        k = getattr(spec, role)
        accessors, cta, off = [], [], 0
        for buf in k.accessors:
            accessors.append({"buffer": buf, "cta_offset": off})
            page = next(_FORMATS[b[2]][1] for b in spec.buffers if b[0] == buf)
            cta += [2, (page + 31) // 32 * 32]
            off += 2
        cta_of[role] = cta
        kernels.append({
            "role": role, "file": f"{role}.cpp", "processor": proc, "noc": noc,
            "compile_args": cta if role != "compute" else list(k.compile_args), "defines": {}, "accessors": accessors,
            "runtime_args": [{"name": n, "kind": "buffer_address", "buffer": b} if b else {"name": n, "kind": "value"}
                             for n, b in k.args],
            "core_args": [{"core": [x, y], "values": list(k.values.get((x, y), []))} for x, y in spec.cores],
        })
    l1_cbs = [{"index": c["index"], "bytes": c["page_size"] * c["num_pages"]} for c in cbs]
    per_core = sum(c["bytes"] for c in l1_cbs)
    n = len(spec.cores)
    return {
        "schema_version": 1, "kernel_name": spec.name, "arch": spec.arch,
        "core_grid": [8, 8] if spec.arch == "wormhole_b0" else [13, 10],
        "compute_config": {"math_fidelity": "HiFi4", "fp32_dest_acc_en": spec.fp32_dest_acc_en,
                           "math_approx_mode": False, "dst_full_sync_en": False},
        "buffers": buffers, "circular_buffers": cbs, "kernels": kernels,
        "work": {"grid": [n, 1, 1], "num_blocks": n, "order": "row_major",
                 "cores": [{"core": [x, y], "start": i, "count": 1} for i, (x, y) in enumerate(spec.cores)]},
        "l1": {"capacity": 1499136 if spec.arch == "wormhole_b0" else 1572864, "base": 102400,
               "per_core_bytes": per_core, "cbs": l1_cbs},
        "semaphores": [],
    }


def write_artifact(spec: ArtifactSpec, out_dir: Path) -> Path:
    """Write the five artifacts of `spec` into `out_dir` and return it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "main.cpp").write_text(_main_cpp(spec))
    (out_dir / "tt.plan.json").write_text(json.dumps(_plan(spec), indent=2) + "\n")
    for role in ("reader", "compute", "writer"):
        (out_dir / f"{role}.cpp").write_text(_source_text(getattr(spec, role).source))
    return out_dir
