"""finalize_persistent_signature: each kernel's runtime-arg list, and the plan.

Requires: the three kernels fully lowered (only `tt.runtime_arg` placeholders left),
all metadata (`tt.buffers`, `tt.cbs`, `tt.compute_config`, `tt.work`, `tt.dfg`,
`tt.kernels`).
Rewrites: `tt.runtime_arg(name)` -> `get_arg_val<uint32_t>(i)`, with i from the
canonical schema of each kernel: the buffer addresses of its accessors (in accessor
order), then `block_start` and `block_count` when the kernel uses them (compute:
`block_count` only), then (reuse="mcast", `tt.mcast`) per shared CB its role flag and
the NoC coordinates of its sender and multicast rectangle (`_mcast.arg_kinds`;
`noc_x`/`noc_y` args carry logical coordinates that main.cpp resolves); the plan lists
two semaphores per shared CB (initial value 0); then, with runtime sizes, the units a
kernel reads (kind `size`), each bound once at the top of the kernel
(`uint32_t m_div64 = get_arg_val<uint32_t>(i)`). Removes the internal `tt.*` module attributes.
Guarantees: module attribute `tt.plan` = the JSON plan of contracts §2: buffers, CBs
(with producer/consumer kernels), kernels (processor, NoC, compile args, accessors,
runtime-arg schema and per-core values for the cores in `work.cores`), work split,
L1 table; with runtime sizes a template (`sizes`, monomials, no per-core values where the
grid is a runtime size: `tt_ir.sizes.bind_plan`). Validated by `verify_tt_ir`.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from tt_ir import get_arch, tir
from tt_passes import _build as B
from tt_passes import _mcast, _meta
from tt_passes._base import TTPass, map_roles
from tt_passes.grid_to_core_grid import RUNTIME_ARG

PROCESSORS = {"reader": ("RISCV_1", "NOC_1"), "compute": ("TRISC", None),
              "writer": ("RISCV_0", "NOC_0")}
VALUE_ARGS = ("block_start", "block_count")


# --- collect / decide --------------------------------------------------------------
def used_args(body: Any) -> set:
    out: set = set()

    def visit(call: Any) -> None:
        if tir.extern_name(call) == RUNTIME_ARG:
            out.add(B.string(call.args[1]))

    tir.walk(body, visit, types=tir.Call)
    return out


def used_units(body: Any, units: list) -> list:
    """The runtime-size units (`m_div64`) `body` reads, in `units` order."""
    names: set = set()
    tir.walk(body, lambda v: names.add(str(v.name)), types=tir.Var)
    return [u for u in units if u in names]


def arg_schema(info: Any, used: set, mcast: list, units: list = ()) -> list:
    schema = [{"name": f"{a['buffer']}_addr", "kind": "buffer_address", "buffer": a["buffer"]}
              for a in info.accessors]
    schema += [{"name": n, "kind": "value"} for n in VALUE_ARGS if n in used]
    schema += [{"name": u, "kind": "size"} for u in units]
    for m in mcast:
        schema += [{"name": n, "kind": k} for n, k in _mcast.arg_kinds(m["cb"], m["axis"]).items()
                   if n in used]
    return schema


def core_args(schema: list, work: Any, mcast: list, noc: str | None) -> list:
    out = []
    for c in work.cores:  # none for runtime sizes: tt_ir.sizes.bind_plan fills them
        values = {"block_start": c["start"], "block_count": c["count"]}
        for m in mcast:
            cx, cy = work.grid[0] // work.tile[0], work.grid[1] // work.tile[1]
            values.update(_mcast.arg_values(m["cb"], m["axis"], c["core"], cx, cy, noc, m["spread"]))
        out.append({"core": c["core"], "values": [values[a["name"]] for a in schema  # sizes:
                                                  if a["kind"] not in ("buffer_address", "size")]})
    return out


# --- rewrite -----------------------------------------------------------------------
def bind_args(body: Any, schema: list) -> Any:
    index = {a["name"]: i for i, a in enumerate(schema)}

    def visit(call: Any) -> Any:
        if tir.extern_name(call) != RUNTIME_ARG:
            return call
        return B.call("get_arg_val<uint32_t>", index[B.string(call.args[1])], ret=B.U32)

    binds, vmap = [], {}
    for i, a in enumerate(schema):  # runtime-size units: one bound variable each, which
        if a["kind"] != "size":     # every use (built by several passes) now refers to
            continue
        unit = B.var(a["name"])
        binds.append(tir.Bind(unit, B.call("get_arg_val<uint32_t>", i, ret=B.U32)))
        for v in tir.collect(body, tir.Var, lambda v, n=a["name"]: str(v.name) == n):
            vmap[v] = unit if tir.dtype_of(v) == B.U32 else tir.Cast(tir.dtype_of(v), unit)
    body = tir.substitute(body, vmap)
    return B.seq(*binds, tir.rewrite(body, visit, types=tir.Call))


# --- plan ----------------------------------------------------------------------------
def build_plan(mod: Any, arch_name: str, grid: Any, kernels: list) -> dict:
    arch = get_arch(arch_name, grid)
    cbs = _meta.get(mod, _meta.CBS, [])
    edges = {e.cb: e for e in _meta.get(mod, _meta.DFG, [])}
    work = _meta.get(mod, _meta.WORK)
    config = dataclasses.asdict(_meta.get(mod, _meta.COMPUTE))
    config.pop("dst_tiles")
    cb_rows = [{"index": cb.index, "name": cb.name, "role": cb.role,
                "data_format": cb.data_format, "page_size": cb.page_size,
                "num_pages": cb.num_pages, "producer": edges[cb.name].producer,
                "consumer": edges[cb.name].consumer,
                # pages per reserve / wait: the reader moves whole blocks, compute packs
                # DST sub-blocks (the performance model's transfer size)
                "block_pages": cb.block_tiles if edges[cb.name].producer == "reader"
                else cb.unit_tiles} for cb in sorted(cbs, key=lambda c: c.index)]
    l1 = [{"index": r["index"], "bytes": r["page_size"] * r["num_pages"]} for r in cb_rows]
    return {
        "schema_version": 1,
        "kernel_name": _meta.get(mod, _meta.KERNEL_NAME),
        "arch": arch.name,
        "core_grid": list(arch.grid),
        "compute_config": config,
        "buffers": [{k: v for k, v in dataclasses.asdict(b).items()
                     if k != "row_dim" or v is not None}
                    for b in _meta.get(mod, _meta.BUFFERS, [])],
        "circular_buffers": cb_rows,
        "kernels": kernels,
        "work": {"grid": work.grid, "num_blocks": work.num_blocks, "order": work.order,
                 "cores": work.cores, **({"tile": work.tile} if work.tile else {})},
        "l1": {"capacity": arch.l1_size, "base": arch.l1_unreserved_base,
               "per_core_bytes": sum(r["bytes"] for r in l1), "cbs": l1},
        "semaphores": [{"id": i, "initial_value": 0}
                       for m in _meta.get(mod, _meta.MCAST, []) for i in m["sems"]],
    }


def kernel_entry(info: Any, schema: list, work: Any, mcast: list) -> dict:
    processor, noc = PROCESSORS[info.role]
    return {"role": info.role, "file": f"{info.role}.cpp", "processor": processor, "noc": noc,
            "compile_args": info.compile_args, "defines": {}, "accessors": info.accessors,
            "runtime_args": schema, "core_args": core_args(schema, work, mcast, noc)}


# --- pass ----------------------------------------------------------------------------
@dataclass
class FinalizePersistentSignature(TTPass):
    name = "finalize_persistent_signature"
    arch: str = "wormhole_b0"
    grid: tuple | None = None

    def run(self, mod: Any) -> Any:
        infos = {k.role: k for k in _meta.get(mod, _meta.KERNELS, [])}
        work = _meta.get(mod, _meta.WORK)
        mcast = _meta.get(mod, _meta.MCAST, [])
        sizes = _meta.get(mod, _meta.SIZES, [])
        entries = {}

        def finalize(role: str, func: Any) -> Any:
            units = used_units(func.body, [s["unit"] for s in sizes])
            schema = arg_schema(infos[role], used_args(func.body), mcast, units)
            entries[role] = kernel_entry(infos[role], schema, work, mcast)
            return func.with_body(bind_args(func.body, schema))

        mod = map_roles(mod, finalize)
        plan = build_plan(mod, self.arch, self.grid, [entries[r] for r in _meta.ROLES])
        if sizes:  # a template: the host binds the sizes (tt_ir.sizes.bind_plan)
            plan["sizes"] = sizes
        lines = {cb.name: cb.source_line for cb in _meta.get(mod, _meta.CBS, []) if cb.source_line}
        mod = _meta.without(mod, _meta.INTERNAL_KEYS)
        mod = mod.with_attr(_meta.SOURCE_LINES, json.dumps(lines, sort_keys=True))
        return mod.with_attr(_meta.PLAN, json.dumps(plan))  # one line: dumps stay parseable


def finalize_persistent_signature(**options: Any) -> Any:
    """The `finalize_persistent_signature` pass as a TVM pass (options: arch, grid)."""
    return FinalizePersistentSignature(**options).as_tvm_pass()
