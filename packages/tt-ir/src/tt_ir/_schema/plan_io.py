"""Validating, reading and writing ``tt.plan.json``.

`validate_plan` runs both checkers: the typed objects (every field and the plan rules,
with messages naming the field, the value and what is allowed) and the JSON Schema
shipped at ``tt_ir/schema/plan.schema.json`` (the contract for readers outside Python).
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

from tt_ir._checks import reading
from tt_ir._schema.plan import Plan
from tt_ir._schema.plan_rules import check_plan
from tt_ir.arch import Arch, get_arch
from tt_ir.errors import SchemaError

__all__ = ["dump_plan", "load_plan", "plan_schema", "validate_plan"]


@functools.cache
def _schema() -> dict[str, Any]:
    text = (
        resources.files("tt_ir").joinpath("schema/plan.schema.json").read_text("utf-8")
    )
    return json.loads(text)


@functools.cache
def _validator() -> Any:
    import jsonschema  # imported on first use: it is slow to import

    return jsonschema.Draft202012Validator(_schema())


def plan_schema() -> dict[str, Any]:
    """A copy of the ``tt.plan.json`` JSON Schema (draft 2020-12)."""
    return copy.deepcopy(_schema())


def validate_plan(plan: dict[str, Any] | Plan, arch: str | Arch | None = None, *,
                  json_schema: bool = True) -> Plan:
    """Check a plan against the schema and every plan rule.

    Args:
        plan: A decoded ``tt.plan.json`` document or a `Plan`.
        arch: Also check against this target (a name, or an `Arch` with the grid of the
            card at hand, e.g. Blackhole 11x10); it must be the plan's arch, and every
            work core must lie in its grid. None: the plan's own arch and ``core_grid``.
        json_schema: Also run ``plan.schema.json`` (about 30 ms for a 64-core plan).
            The typed checks alone enforce every rule of docs/contracts.md §2; the JSON
            Schema is the published form of the same rules, for readers of the file.

    Returns:
        The `Plan`.

    Raises:
        SchemaError: The first problem found, with the JSON path of the field.
    """
    if isinstance(plan, dict) and "sizes" in plan:  # a runtime-size template: check its
        plan = _bind_representative(plan)            # binding at one granule per size
    checked = plan if isinstance(plan, Plan) else Plan.from_json(plan)
    data = checked.to_json() if isinstance(plan, Plan) else plan
    if json_schema:
        _check_json_schema(data)
    if arch is not None:
        _check_target(checked, arch)
    return checked


def _bind_representative(plan: dict[str, Any]) -> dict[str, Any]:
    from tt_ir import sizes

    rows = plan["sizes"]
    keys = {"name", "granule", "unit", "source"}
    for i, row in enumerate(rows if isinstance(rows, list) else [None]):
        if not isinstance(row, dict) or set(row) != keys or not isinstance(row["granule"], int) \
                or row["granule"] < 1 or not isinstance(row["source"], dict):
            raise SchemaError(f"Plan.sizes[{i}]: {row!r} must be {{name, granule (int >= 1), unit, "
                              "source: {buffer, dim}}", field=f"sizes[{i}]", path=f"$.sizes[{i}]")
    try:
        return sizes.bind_plan(plan, sizes.representative_sizes(plan))
    except (KeyError, TypeError, ValueError) as error:
        raise SchemaError(f"Plan.sizes: the template does not bind: {error!r}",
                          field="sizes", path="$.sizes") from None


def _check_json_schema(data: Any) -> None:
    import jsonschema

    error = jsonschema.exceptions.best_match(_validator().iter_errors(data))
    if error is None:
        return
    field = ".".join(str(part) for part in error.absolute_path) or None
    raise SchemaError(
        f"plan.schema.json: {error.message}", field=field, path=error.json_path
    )


def _check_target(plan: Plan, arch: str | Arch) -> None:
    with reading():
        target = (
            get_arch(arch) if isinstance(arch, Arch) else get_arch(arch, plan.core_grid)
        )
        if target.name != plan.arch:
            detail = f"the plan is for {plan.arch}, not {target.name}"
            raise SchemaError(f"Plan.arch: {detail}", field="arch")
        check_plan(plan, target)


def load_plan(source: str | Path, arch: str | Arch | None = None) -> Plan:
    """Read and validate a plan from a file path or from JSON text.

    Args:
        source: A path, or the JSON text itself (a string starting with ``{``).
        arch: Passed to `validate_plan`.

    Returns:
        The `Plan`.

    Raises:
        SchemaError: Unreadable file, invalid JSON, or an invalid plan.
    """
    text = source if _is_json_text(source) else _read(Path(source))
    if arch is None or isinstance(arch, str):  # a Plan is immutable: one validation per text
        return _load_text(text, arch)
    return _parse_and_validate(text, arch)


@functools.lru_cache(maxsize=32)
def _load_text(text: str, arch: str | None) -> Plan:
    return _parse_and_validate(text, arch)


def _parse_and_validate(text: str, arch: str | Arch | None) -> Plan:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        detail = f"{error.msg} at line {error.lineno} column {error.colno}"
        raise SchemaError(f"tt.plan.json: invalid JSON: {detail}") from None
    return validate_plan(data, arch)


def _is_json_text(source: str | Path) -> bool:
    return isinstance(source, str) and source.lstrip().startswith("{")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise SchemaError(
            f"load_plan: cannot read {path}: {error.strerror or error}"
        ) from None


def dump_plan(plan: dict[str, Any] | Plan) -> str:
    """The ``tt.plan.json`` text of a plan, validated first.

    Fields are in contract order, indented by 2, with a trailing newline: the same
    plan always gives the same bytes.
    """
    checked = validate_plan(plan)
    if isinstance(plan, dict) and "sizes" in plan:  # a runtime-size template stays one
        ordered = {k: plan[k] for k in checked.to_json() if k in plan}
        return json.dumps({**ordered, "sizes": plan["sizes"]}, indent=2) + "\n"
    return json.dumps(checked.to_json(), indent=2) + "\n"
