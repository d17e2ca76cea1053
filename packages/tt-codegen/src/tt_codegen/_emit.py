"""`emit(mod)`: a module lowered by tt-passes (contracts §3) -> `Artifacts` (contracts §4)."""

from __future__ import annotations

import json
from typing import Any

from tt_codegen._artifacts import Artifacts, plan_text
from tt_codegen._errors import CodegenError
from tt_codegen._host import render_main
from tt_codegen._kernels import render_kernel
from tt_ir import tir

ROLES = ("reader", "compute", "writer")


def read_plan(mod: Any) -> dict:
    """The module's `tt.plan`, parsed and validated against tt-ir's schema."""
    text = tir.get_attr(mod, "tt.plan")
    if text is None:
        raise CodegenError(
            "the module has no 'tt.plan' attribute",
            hint="emit() takes the module tt_passes.lower returns; its last pass attaches the plan",
        )
    try:
        plan = json.loads(text)
    except json.JSONDecodeError as err:
        raise CodegenError(f"the module's 'tt.plan' is not JSON: {err}") from err
    from tt_ir import validate_plan  # raises SchemaError naming the field

    validate_plan(plan)
    return plan


def kernel_functions(mod: Any) -> dict[str, Any]:
    """reader/compute/writer PrimFuncs, checked against contracts §3."""
    funcs = tir.functions(mod)
    if sorted(funcs) != sorted(ROLES):
        raise CodegenError(
            f"the module has functions {', '.join(sorted(funcs)) or 'none'}; "
            f"TT TIR has exactly {', '.join(ROLES)}"
        )
    for name, func in funcs.items():
        role = tir.get_attr(func, "tt.kernel_role")
        if role != name:
            raise CodegenError(f"function '{name}' has tt.kernel_role {role!r}; it must be '{name}'")
        if len(func.params):
            raise CodegenError(f"function '{name}' has parameters; kernels read runtime args with get_arg_val")
    return funcs


def _plan_kernels(plan: dict) -> dict[str, dict]:
    kernels = {k["role"]: k for k in plan["kernels"]}
    missing = [r for r in ROLES if r not in kernels]
    if missing:
        raise CodegenError(f"the plan has no kernel with role {missing[0]}")
    return kernels


def render_artifacts(plan: dict, funcs: dict[str, Any]) -> Artifacts:
    """The five files from an already validated plan and the three kernel PrimFuncs."""
    kernels = _plan_kernels(plan)
    files: dict[str, str] = {}
    for role in ROLES:
        files[kernels[role]["file"]] = render_kernel(funcs[role], role, kernels[role], plan)
    files["main.cpp"] = render_main(plan)
    files["tt.plan.json"] = plan_text(plan)
    return Artifacts(files=files, plan=plan)


def emit(mod: Any) -> Artifacts:
    """Generates reader.cpp, compute.cpp, writer.cpp, main.cpp and tt.plan.json.

    Args:
        mod: The IRModule `tt_passes.lower` returns: three PrimFuncs and the `tt.plan` attr.

    Returns:
        The artifacts; `Artifacts.write(dir)` puts them on disk. Same input, same bytes.

    Raises:
        CodegenError: a node outside TT TIR (named), a plan/IR mismatch.
        tt_ir.SchemaError: the plan fails tt-ir's schema (checked before anything is rendered).
    """
    plan = read_plan(mod)
    return render_artifacts(plan, kernel_functions(mod))
