"""One kernel file (reader.cpp, compute.cpp or writer.cpp) from its PrimFunc and the plan.

Decisions live here (includes, CB constant names, the header line); the layout is the
`kernel.cpp.j2` template; the body comes from `KernelPrinter`.
"""

from __future__ import annotations

from typing import Any

from tt_codegen import _compute_headers as ch
from tt_codegen._printer import HELPERS, KernelPrinter, identifier
from tt_codegen._templates import render
from tt_codegen._version import __version__

DATAFLOW_HEADER = "api/dataflow/dataflow_api.h"
STARTUP_HEADER = "api/compute/compute_kernel_hw_startup.h"
# Every compute kernel reaches the CB, DST-register, pack and argument calls through common.h.
_BASE_HEADERS = frozenset(h for h in ch.COMMON_PARTS if h.startswith("api/compute/") and h != STARTUP_HEADER)


def cb_constant_names(plan: dict) -> dict[int, str]:
    """CB index -> `cb_<name>` for every CB of the plan."""
    return {cb["index"]: "cb_" + identifier(cb["name"]) for cb in plan["circular_buffers"]}


def compute_includes(callees: list[str]) -> list[str]:
    """The `api/compute/...` headers declaring the calls a compute kernel makes (contracts §4)."""
    headers: set[str] = set()
    needs_common = False
    for callee in callees:
        header = ch.DECLARED_IN.get(callee.split("<", 1)[0])
        if header is None:  # not a compute API function: sdk-check reports it if it is undeclared
            continue
        if header in _BASE_HEADERS:
            needs_common = True
            continue
        headers.add(header)
    if needs_common and not headers & ch.INCLUDES_COMMON:
        headers.add("api/compute/common.h")
    return sorted(headers)


def render_kernel(func: Any, role: str, kernel: dict, plan: dict) -> str:
    """The C++ text of one kernel file."""
    cb_names = cb_constant_names(plan)
    printer = KernelPrinter(role, cb_names, reserved=set(cb_names.values()) | {"kernel_main", *HELPERS})
    body = printer.print_body(func.body)
    if role == "compute":
        includes = compute_includes(printer.callees)
        role_note = "compute"
    else:
        includes = [DATAFLOW_HEADER] + (["api/debug/dprint.h"] if "DPRINT" in printer.callees else [])
        role_note = f"{role}, {kernel['processor']} / {kernel['noc']}"
    cbs = [{"name": cb_names[i], "index": i} for i in sorted(printer.used_cbs)]
    return render(
        "kernel.cpp.j2",
        version=__version__,
        kernel_name=plan["kernel_name"],
        role_note=role_note,
        includes=includes,
        cbs=cbs,
        helpers=printer.helpers,
        body=body,
    )
