"""main.cpp, the host program, from the plan alone (contracts §4).

Every decision is a small function here (tensor table, merged core ranges, kernel configs,
the per-core work table and each kernel's runtime-argument vector); `main.cpp.j2` holds the
program around them.
"""

from __future__ import annotations

from tt_codegen._errors import CodegenError
from tt_codegen._printer import identifier
from tt_codegen._templates import render
from tt_codegen._version import __version__

# Plan data_format -> the host-side conversion main.cpp implements.
_HOST_FORMATS = ("Float32", "Float16", "Float16_b", "Int32", "Int8", "UInt8")
_PROCESSORS = {"RISCV_0": "DataMovementProcessor::RISCV_0", "RISCV_1": "DataMovementProcessor::RISCV_1"}
_NOCS = {"NOC_0": "NOC::RISCV_0_default", "NOC_1": "NOC::RISCV_1_default"}
_FIDELITIES = ("LoFi", "HiFi2", "HiFi3", "HiFi4")
_WORK_ROWS_PER_LINE = 4
# Runtime-arg kinds with a per-core number in core_args (noc_*: a logical coordinate).
_PER_CORE_KINDS = ("value", "noc_x", "noc_y")


def _cxx_bool(value: bool) -> str:
    return "true" if value else "false"


def tensor_rows(plan: dict) -> list[str]:
    """The `kTensors` initializers, one per buffer in signature order."""
    rows = []
    for buf in sorted(plan["buffers"], key=lambda b: b["index"]):
        fmt = buf["data_format"]
        if fmt not in _HOST_FORMATS:
            raise CodegenError(
                f"buffer '{buf['name']}' has data format {fmt}; main.cpp converts only {', '.join(_HOST_FORMATS)}",
                hint="keep DRAM tensors in bfloat16, float16, float32, int32, int8 or uint8",
            )
        shape = [d if isinstance(d, int) else 0 for d in buf["shape"]]  # 0: a runtime size
        rows_ = 1
        for d in shape[:-1]:
            rows_ *= d
        dims = ", ".join(str(d) for d in shape)
        output = _cxx_bool(buf["role"] in ("output", "inout"))
        read = _cxx_bool(buf["role"] in ("input", "inout"))
        row_dim = buf.get("row_dim")
        rows.append(
            f'{{"{buf["name"]}", {output}, {read}, {{{dims}}}, {rows_}, {shape[-1]}, Format::{fmt}, '
            f'tt::DataFormat::{fmt}, {buf["page_size"]}, {-1 if row_dim is None else int(row_dim)}}},'
        )
    return rows


def core_ranges(cores: list[list[int]]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Covers a set of logical cores with inclusive rectangles.

    Runs of consecutive x in each row first, then identical runs in consecutive rows are
    stacked. Deterministic: the result depends only on the set of cores.
    """
    rows: dict[int, list[int]] = {}
    for x, y in sorted({(c[0], c[1]) for c in cores}, key=lambda c: (c[1], c[0])):
        rows.setdefault(y, []).append(x)
    runs: list[tuple[int, int, int]] = []  # (y, x0, x1)
    for y, xs in rows.items():
        start = prev = xs[0]
        for x in xs[1:]:
            if x != prev + 1:
                runs.append((y, start, prev))
                start = x
            prev = x
        runs.append((y, start, prev))
    ranges: list[list[int]] = []  # [x0, y0, x1, y1]
    for y, x0, x1 in runs:
        for r in ranges:
            if r[0] == x0 and r[2] == x1 and r[3] == y - 1:
                r[3] = y
                break
        else:
            ranges.append([x0, y, x1, y])
    return [((r[0], r[1]), (r[2], r[3])) for r in ranges]


def core_lines(plan: dict) -> list[str]:
    """`CoreRangeSet cores(...)`, on one line for one range, else one range per line; with
    runtime sizes, the split of the blocks over the core grid, made when the sizes are known."""
    if runtime_work(plan):
        gx, gy = plan["core_grid"]
        blocks = " * ".join(f"({g})" for g in plan["work"]["grid"] if g != 1) or "1"
        return [f"uint32_t num_blocks = {blocks};",
                f"std::vector<std::array<uint32_t, 4>> work = split_blocks(num_blocks, {gx}, {gy});",
                f"CoreRangeSet cores = busy_cores(work.size(), {gx});"]
    cores = [w["core"] for w in plan["work"]["cores"]]
    if not cores:
        raise CodegenError("the plan's work.cores is empty: no core has work, so there is nothing to run")
    ranges = [f"CoreRange(CoreCoord({a[0]}, {a[1]}), CoreCoord({b[0]}, {b[1]}))" for a, b in core_ranges(cores)]
    if len(ranges) == 1:
        return [f"CoreRangeSet cores(std::vector<CoreRange>{{{ranges[0]}}});"]
    return ["CoreRangeSet cores(std::vector<CoreRange>{", *[f"    {r}," for r in ranges], "});"]


def _accessor_buffers(kernel: dict) -> list[str]:
    accessors = sorted(kernel["accessors"], key=lambda a: a["cta_offset"])
    if [a["buffer"] for a in accessors] != [a["buffer"] for a in kernel["accessors"]]:
        raise CodegenError(f"{kernel['role']}: accessors must be listed in cta_offset order")
    return [a["buffer"] for a in accessors]


def config_lines(kernel: dict, plan: dict, cta: str | None) -> list[str]:
    """The DataMovementConfig / ComputeConfig argument of CreateKernel, wrapped like the golden."""
    if cta is not None:
        compile_args = cta
    else:
        compile_args = "{" + ", ".join(str(int(v)) for v in kernel["compile_args"]) + "}"
    defines = ""
    if kernel["defines"]:
        pairs = ", ".join(f'{{"{k}", "{v}"}}' for k, v in sorted(kernel["defines"].items()))
        defines = f", .defines = {{{pairs}}}"
    if kernel["role"] == "compute":
        cc = plan["compute_config"]
        if cc["math_fidelity"] not in _FIDELITIES:
            raise CodegenError(f"math_fidelity {cc['math_fidelity']} is not one of {', '.join(_FIDELITIES)}")
        return [
            f"ComputeConfig{{.math_fidelity = MathFidelity::{cc['math_fidelity']}, "
            f".fp32_dest_acc_en = {_cxx_bool(cc['fp32_dest_acc_en'])}, "
            f".dst_full_sync_en = {_cxx_bool(cc['dst_full_sync_en'])},",
            f"              .math_approx_mode = {_cxx_bool(cc['math_approx_mode'])}, "
            f".compile_args = {compile_args}{defines}}});",
        ]
    processor, noc = kernel["processor"], kernel["noc"]
    if processor not in _PROCESSORS or noc not in _NOCS:
        raise CodegenError(
            f"{kernel['role']}: processor {processor} / noc {noc}; data movement runs on "
            f"{' or '.join(_PROCESSORS)} with {' or '.join(_NOCS)}"
        )
    return [
        f"DataMovementConfig{{.processor = {_PROCESSORS[processor]}, .noc = {_NOCS[noc]}, "
        f".compile_args = {compile_args}{defines}}});"
    ]


def runtime_work(plan: dict) -> bool:
    """Whether main.cpp splits the blocks when it runs: a launch grid of runtime sizes."""
    return bool(plan.get("sizes")) and not plan["work"]["cores"]


def size_lines(plan: dict) -> tuple[list[str], list[str]]:
    """With runtime sizes: the unit variables, and `bind_sizes`' body (each size read from its
    input's .npy header and checked, then the symbolic dims of every tensor set)."""
    units = [f"uint32_t {identifier(s['unit'])} = 0;  // {s['name']} / {s['granule']}" for s in plan["sizes"]]
    names = {b["name"]: i for i, b in enumerate(sorted(plan["buffers"], key=lambda b: b["index"]))}
    lines, read = [], set()
    for s in plan["sizes"]:
        src = s["source"]["buffer"]
        if src not in names:
            raise CodegenError(f"size '{s['name']}' is read from unknown buffer '{src}'")
        if src not in read:
            lines.append(f'std::vector<uint32_t> {identifier(src)}_shape = npy_shape(opt.paths.at("{src}"), "{src}");')
            read.add(src)
        lines.append(f'{identifier(s["unit"])} = size_units("{s["name"]}", {identifier(src)}_shape, "{src}", '
                     f'{int(s["source"]["dim"])}, {int(s["granule"])});')
    for buf in sorted(plan["buffers"], key=lambda b: b["index"]):
        if any(not isinstance(d, int) for d in buf["shape"]):
            lines.append(f"kTensors[{names[buf['name']]}].shape = {{{', '.join(str(d) for d in buf['shape'])}}};")
    return units, lines


def work_table(plan: dict) -> tuple[list[str], dict[tuple[str, str], int], list[list[int]]]:
    """Columns, (role, value-arg name) -> column, and one row per work core.

    Value arguments that carry the same name and the same per-core values in several kernels
    share one column (block_start, block_count); a name whose values differ between kernels
    gets a column per kernel, qualified with the kernel's role. With runtime sizes the rows
    are made at run time (`split_blocks` in main.cpp): {x, y, block_start, block_count}.
    """
    if runtime_work(plan):
        columns = ["x", "y", "block_start", "block_count"]
        column_of = {(k["role"], a["name"]): columns.index(a["name"]) for k in plan["kernels"]
                     for a in k["runtime_args"] if a["kind"] == "value"}
        return columns, column_of, []
    cores = [tuple(w["core"]) for w in plan["work"]["cores"]]
    per_kernel: dict[str, dict[tuple, list[int]]] = {}
    for k in plan["kernels"]:
        values = {tuple(ca["core"]): ca["values"] for ca in k["core_args"]}
        missing = [c for c in cores if c not in values]
        if missing:
            raise CodegenError(f"{k['role']}: no core_args for work core {list(missing[0])}; every work core needs them")
        per_kernel[k["role"]] = values

    columns = ["x", "y"]
    column_of: dict[tuple[str, str], int] = {}
    series: list[list[int]] = []
    for k in plan["kernels"]:
        names = [a["name"] for a in k["runtime_args"] if a["kind"] in _PER_CORE_KINDS]
        for i, name in enumerate(names):
            mine = [int(per_kernel[k["role"]][c][i]) for c in cores]
            column = name if name not in columns or series[columns.index(name) - 2] == mine else f"{k['role']}_{name}"
            if column not in columns:
                columns.append(column)
                series.append(mine)
            column_of[(k["role"], name)] = columns.index(column)
    rows = [[c[0], c[1], *[s[r] for s in series]] for r, c in enumerate(cores)]
    return columns, column_of, rows


def work_lines(rows: list[list[int]]) -> list[str]:
    cells = ["{" + ", ".join(str(v) for v in row) + "}," for row in rows]
    return [" ".join(cells[i : i + _WORK_ROWS_PER_LINE]) for i in range(0, len(cells), _WORK_ROWS_PER_LINE)]


def runtime_args(kernel: dict, column_of: dict[tuple[str, str], int], buffers: set[str]) -> list[str]:
    """The C++ initializer of one kernel's runtime-argument vector, in schema order."""
    out = []
    for arg in kernel["runtime_args"]:
        if arg["kind"] == "buffer_address":
            if arg["buffer"] not in buffers:
                raise CodegenError(f"{kernel['role']}: runtime arg '{arg['name']}' names unknown buffer '{arg['buffer']}'")
            out.append(f"{identifier(arg['buffer'])}_addr")
        elif arg["kind"] == "value":
            out.append(f"w[{column_of[(kernel['role'], arg['name'])]}]")
        elif arg["kind"] == "size":
            out.append(identifier(arg["name"]))
        elif arg["kind"] in ("noc_x", "noc_y"):
            out.append(f"{arg['kind']}(w[{column_of[(kernel['role'], arg['name'])]}])")
        else:
            raise CodegenError(f"{kernel['role']}: runtime arg '{arg['name']}' has kind '{arg['kind']}'; "
                               "main.cpp knows buffer_address, value, noc_x and noc_y")
    return out


def semaphores(plan: dict) -> list[dict]:
    """The plan's semaphores in creation order; CreateSemaphore hands out ids 0, 1, ... in order."""
    sems = sorted(plan.get("semaphores", []), key=lambda s: s["id"])
    ids = [s["id"] for s in sems]
    if ids != list(range(len(ids))):
        raise CodegenError(f"semaphore ids {ids} are not 0..{len(ids) - 1}; main.cpp creates them in id order "
                           "and kernels use the ids as literals")
    return sems


def render_main(plan: dict) -> str:
    buffers = sorted(plan["buffers"], key=lambda b: b["index"])
    names = [b["name"] for b in buffers]
    columns, column_of, rows = work_table(plan)
    unit_decls, bind_lines = size_lines(plan) if plan.get("sizes") else ([], [])
    kernels = []
    addressed: set[str] = set()
    for k in plan["kernels"]:
        accessors = _accessor_buffers(k)
        cta = f"{k['role']}_cta" if accessors else None
        rt = runtime_args(k, column_of, set(names))
        addressed |= {a["buffer"] for a in k["runtime_args"] if a["kind"] == "buffer_address"}
        kernels.append({
            "role": k["role"],
            "file": k["file"],
            "cta": cta,
            "accessors": accessors,
            "config_lines": config_lines(k, plan, cta),
            "rt_args": rt,
        })
    return render(
        "main.cpp.j2",
        version=__version__,
        kernel_name=plan["kernel_name"],
        usage_args=" ".join(f"{n}={n.lower()}.npy" for n in names),
        tensor_rows=tensor_rows(plan),
        buffer_list=", ".join(names),
        core_lines=core_lines(plan),
        cbs=sorted(plan["circular_buffers"], key=lambda c: c["index"]),
        semaphores=semaphores(plan),
        noc_axes=sorted({a["kind"] for k in plan["kernels"] for a in k["runtime_args"]
                         if a["kind"] in ("noc_x", "noc_y")}),
        kernels=kernels,
        work_columns=columns,
        work_lines=work_lines(rows),
        address_buffers=[n for n in names if n in addressed],
        sizes=bool(plan.get("sizes")),
        runtime_work=runtime_work(plan),
        unit_decls=unit_decls,
        size_lines=bind_lines,
    )
