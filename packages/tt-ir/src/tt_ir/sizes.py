"""Runtime sizes: one compiled kernel for every shape of its `T.dynamic` dims.

A kernel whose tensor dims are `T.dynamic("m")` sizes compiles once. Each size is assumed a
positive multiple of its *granule* (the tile, 32, and every block extent that tiles it), so
the compiler can write it as ``granule * unit``: ``m = 64 * m_div64``. The kernels receive the
units as runtime arguments, and every count the passes derive from a size is a whole
multiple of units, written in the plan as a *monomial*: an int, or a string
``"c*u1*u2..."`` (``"2*m_div64"`` tiles, ``"m_div64*n_div64"`` blocks).

The plan of such a kernel (``tt.plan.json``) is a template: its top-level ``sizes`` lists
each size (name, granule, unit, and the input tensor dim the host reads it from); buffer
shapes, tile grids, page counts and the launch grid may be monomials, and the per-core
work is left for the run (unless the launch grid is static: then its split stands). `bind_plan` turns the template into the ordinary plan for given
sizes (every count a number, the cores split as `split_blocks` does at compile time);
`representative_sizes` gives sizes (one granule each) to check a template with.

Pure Python, no TVM: the runtime, the code generator and the CLI all use it.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any

from tt_ir.errors import TTError

__all__ = [
    "SizeError",
    "bind_plan",
    "evaluate",
    "is_dynamic",
    "monomial",
    "parse_monomial",
    "representative_sizes",
    "sizes_from_shapes",
    "split_blocks",
]

_UNIT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class SizeError(TTError):
    """A call's tensors do not fit a kernel compiled for runtime sizes (a size that is not a
    multiple of its granule, or two tensors that disagree on one size)."""

    def __init__(self, message: str, hint: str | None = None):
        self.message, self.hint = message, hint
        super().__init__(message + (f"\n  hint: {hint}" if hint else ""))


def parse_monomial(value: Any) -> tuple[int, tuple[str, ...]]:
    """(coefficient, unit names) of an int or a ``"c*u1*u2"`` string."""
    if isinstance(value, bool):
        raise TTError(f"not a size expression: {value!r}")
    if isinstance(value, int):
        return value, ()
    if not isinstance(value, str) or not value:
        raise TTError(f"not a size expression: {value!r} (expected an int or 'c*unit*...')")
    coef, units = 1, []
    for factor in value.replace(" ", "").split("*"):
        if factor.isdigit():
            coef *= int(factor)
        elif _UNIT.match(factor):
            units.append(factor)
        else:
            raise TTError(f"not a size expression: {value!r} (factor {factor!r})")
    return coef, tuple(sorted(units))


def monomial(coef: int, units: tuple[str, ...] | list[str]) -> Any:
    """The plan form of ``coef * u1 * u2 ...``: an int when there are no units."""
    units = sorted(units)
    if not units or coef == 0:
        return int(coef)
    return "*".join(([str(coef)] if coef != 1 else []) + units)


def evaluate(value: Any, units: dict[str, int]) -> int:
    """The number `value` (int or monomial) stands for with these unit values."""
    coef, names = parse_monomial(value)
    missing = [n for n in names if n not in units]
    if missing:
        raise TTError(f"size expression {value!r} needs {', '.join(missing)}")
    return coef * math.prod(units[n] for n in names)


def is_dynamic(plan: dict) -> bool:
    """Whether `plan` is a runtime-size template (it has a non-empty ``sizes``)."""
    return bool(plan.get("sizes"))


def split_blocks(num_blocks: int, core_grid: tuple | list) -> list[dict]:
    """Contiguous block ranges over the cores of `core_grid`, taken in row-major order, busy
    cores only: the first ``num_blocks % ncores`` cores get one block more."""
    ncores = core_grid[0] * core_grid[1]
    base, extra = divmod(num_blocks, ncores)
    out, start = [], 0
    for c in range(ncores):
        count = base + (1 if c < extra else 0)
        if count == 0:
            break
        out.append({"core": [c % core_grid[0], c // core_grid[0]], "start": start, "count": count})
        start += count
    return out


def representative_sizes(plan: dict) -> dict[str, int]:
    """One granule per size: the smallest shapes the template serves."""
    return {s["name"]: int(s["granule"]) for s in plan.get("sizes", [])}


def sizes_from_shapes(plan: dict, shapes: dict[str, tuple]) -> dict[str, int]:
    """{size name: value} read from the inputs' shapes ({buffer name: shape})."""
    out: dict[str, int] = {}
    for s in plan.get("sizes", []):
        src = s["source"]
        shape = shapes.get(src["buffer"])
        if shape is None:
            raise SizeError(f"size '{s['name']}' is read from tensor '{src['buffer']}', which was not given")
        if len(shape) <= src["dim"]:
            raise SizeError(f"tensor '{src['buffer']}' has shape {tuple(shape)}; size '{s['name']}' is its "
                            f"dim {src['dim']}")
        out[s["name"]] = int(shape[src["dim"]])
    return out


def _units(plan: dict, sizes: dict[str, int]) -> dict[str, int]:
    units = {}
    for s in plan.get("sizes", []):
        name, granule = s["name"], int(s["granule"])
        if name not in sizes:
            raise SizeError(f"kernel '{plan.get('kernel_name')}': no value for size '{name}'")
        value = int(sizes[name])
        if value <= 0 or value % granule:
            raise SizeError(
                f"kernel '{plan.get('kernel_name')}' was compiled for runtime sizes; size '{name}' = {value} "
                f"is not a positive multiple of {granule} (its granule: the tile and the block extents "
                f"that tile it)",
                hint=f"pad '{name}' to a multiple of {granule} ({-(-max(value, 1) // granule) * granule}), "
                     "or compile for this shape (a T.const size, or call the jit kernel, which "
                     "compiles such shapes on their own)")
        units[s["unit"]] = value // granule
    return units


def bind_plan(plan: dict, sizes: dict[str, int]) -> dict:
    """The ordinary (all-numbers) plan of template `plan` for `sizes` ({size name: value}).

    Raises:
        SizeError: a size is missing, not positive, or not a multiple of its granule.
    """
    if not is_dynamic(plan):
        return plan
    units = _units(plan, sizes)
    out = copy.deepcopy(plan)
    out.pop("sizes")
    for buf in out["buffers"]:
        for key in ("shape", "tiles"):
            buf[key] = [evaluate(d, units) for d in buf[key]]
        buf["num_pages"] = evaluate(buf["num_pages"], units)
    work = out["work"]
    if work["cores"]:  # a static grid: its compile-time split (any order) stands; the
        for kernel in out["kernels"]:  # units join each core's values
            schema = kernel["runtime_args"]
            for ca in kernel["core_args"]:
                given = iter(ca["values"])
                ca["values"] = [units[a["name"]] if a["kind"] == "size" else next(given)
                                for a in schema if a["kind"] != "buffer_address"]
            for arg in schema:
                if arg["kind"] == "size":
                    arg["kind"] = "value"
        return out
    work["grid"] = [evaluate(g, units) for g in work["grid"]]
    work["num_blocks"] = evaluate(work["num_blocks"], units)
    work["cores"] = split_blocks(work["num_blocks"], out["core_grid"])
    for kernel in out["kernels"]:
        schema = kernel["runtime_args"]
        for arg in schema:
            if arg["kind"] == "size":
                arg["kind"] = "value"
        kernel["core_args"] = []
        for c in work["cores"]:
            values = {"block_start": c["start"], "block_count": c["count"], **units}
            kernel["core_args"].append({"core": c["core"], "values": [
                values[a["name"]] for a in schema if a["kind"] != "buffer_address"]})
    return out
