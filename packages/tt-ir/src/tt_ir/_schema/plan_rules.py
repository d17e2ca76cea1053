"""The cross-field rules of a plan (contracts §2), checked against one `Arch`.

Each rule raises a `SchemaError` whose field is the plan-relative path of the value
that breaks it. Single-object rules (a CB's producer differs from its consumer, a
kernel's per-core value counts, the work cover) live with the objects themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tt_ir._checks import at, choices, fail, unique
from tt_ir._schema.cb import KERNEL_ROLES
from tt_ir.arch import Arch
from tt_ir.dtypes import exponent_family
from tt_ir.errors import SchemaError

if TYPE_CHECKING:
    from tt_ir._schema.kernel import Kernel
    from tt_ir._schema.plan import Plan


def check_plan(plan: Plan, arch: Arch) -> None:
    """Check every cross-field rule of ``plan`` for ``arch``.

    Raises:
        SchemaError: The first broken rule, located at the offending field.
    """
    _check_buffers(plan)
    _check_circular_buffers(plan, arch)
    _check_work(plan, arch)
    _check_kernel_roles(plan)
    for i, kernel in enumerate(plan.kernels):
        with at(f"kernels[{i}]"):
            _check_kernel(plan, kernel, arch)
    _check_l1(plan, arch)
    _check_semaphores(plan, arch)


def _check_buffers(plan: Plan) -> None:
    for i, buffer in enumerate(plan.buffers):
        if buffer.index != i:
            detail = (
                f"{buffer.index} at position {i}; buffers are listed in signature order"
            )
            raise fail("Buffer", "index", detail, f"buffers[{i}].index")
    unique("Plan", "buffers", [buffer.name for buffer in plan.buffers], "name")


def _check_circular_buffers(plan: Plan, arch: Arch) -> None:
    cbs = plan.circular_buffers
    unique("Plan", "circular_buffers", [cb.index for cb in cbs], "index")
    unique("Plan", "circular_buffers", [cb.name for cb in cbs], "name")
    for i, cb in enumerate(cbs):
        with at(f"circular_buffers[{i}]"):
            cb.check_arch(arch)
    families = {}
    for i, cb in enumerate(cbs):
        family = exponent_family(cb.data_format)
        if family is None:
            continue
        first = families.setdefault(family, cb)
        other = families.get("A" if family == "B" else "B")
        if other is not None and first is cb:
            detail = (f"{cb.name!r} is {cb.data_format} (exponent family {family}) but {other.name!r} is "
                      f"{other.data_format} (family {exponent_family(other.data_format)}); tt-metal builds a "
                      "program only when its CBs share one exponent family (Float32, Int32 and UInt8 "
                      "belong to none)")
            raise fail("CircularBuffer", "data_format", detail, f"circular_buffers[{i}].data_format")


def _check_kernel_roles(plan: Plan) -> None:
    roles = [kernel.role for kernel in plan.kernels]
    unique("Plan", "kernels", roles, "role")
    for role in KERNEL_ROLES:
        if role not in roles:
            detail = (
                f"no {role!r} kernel; a plan has one each of {choices(KERNEL_ROLES)}"
            )
            raise fail("Plan", "kernels", detail)
    movers = [(i, k) for i, k in enumerate(plan.kernels) if k.role != "compute"]
    (_, first), (second_index, second) = movers
    if first.processor == second.processor:
        detail = f"{second.processor!r} is already running the {first.role} kernel"
        raise fail("Kernel", "processor", detail, f"kernels[{second_index}].processor")


def _check_kernel(plan: Plan, kernel: Kernel, arch: Arch) -> None:
    buffers = [buffer.name for buffer in plan.buffers]
    for i, accessor in enumerate(kernel.accessors):
        if accessor.buffer not in buffers:
            detail = (
                f"{accessor.buffer!r} is not a plan buffer; buffers: {choices(buffers)}"
            )
            raise fail("Accessor", "buffer", detail, f"accessors[{i}].buffer")
    for i, arg in enumerate(kernel.runtime_args):
        if arg.kind == "buffer_address" and arg.buffer not in buffers:
            detail = f"{arg.buffer!r} is not a plan buffer; buffers: {choices(buffers)}"
            raise fail("RuntimeArg", "buffer", detail, f"runtime_args[{i}].buffer")
    if len(kernel.runtime_args) > arch.max_runtime_args:
        count = len(kernel.runtime_args)
        detail = f"{count} entries; {arch.name} allows {arch.max_runtime_args}"
        raise fail("Kernel", "runtime_args", detail)
    work_cores = set(plan.work.work_cores)
    for i, entry in enumerate(kernel.core_args):
        if entry.core not in work_cores:
            detail = f"{entry.core} has no work; only cores in work.cores get kernels"
            raise fail("CoreArgs", "core", detail, f"core_args[{i}].core")
    missing = [core for core in plan.work.work_cores if core not in set(kernel.cores)]
    if missing:
        detail = (
            f"no entry for work core {missing[0]}; every core in work.cores needs one"
        )
        raise fail("Kernel", "core_args", detail)


def _check_work(plan: Plan, arch: Arch) -> None:
    for i, work in enumerate(plan.work.cores):
        if not arch.contains(work.core):
            detail = (
                f"{work.core} is outside the {arch.grid[0]}x{arch.grid[1]} core grid"
            )
            raise fail("CoreWork", "core", detail, f"work.cores[{i}].core")


def _check_l1(plan: Plan, arch: Arch) -> None:
    l1 = plan.l1
    if l1.capacity != arch.l1_size:
        detail = f"{l1.capacity} is not the L1 size of {arch.name} ({arch.l1_size})"
        raise fail("L1Usage", "capacity", detail, "l1.capacity")
    if l1.base < arch.l1_unreserved_base:
        detail = (
            f"{l1.base} is below the first free L1 byte of {arch.name} "
            f"({arch.l1_unreserved_base})"
        )
        raise fail("L1Usage", "base", detail, "l1.base")
    expected = [(cb.index, cb.total_bytes) for cb in plan.circular_buffers]
    listed = [(usage.index, usage.bytes) for usage in l1.cbs]
    if listed != expected:
        detail = (
            f"{_pairs(listed)} does not match circular_buffers "
            f"(index, page_size * num_pages): {_pairs(expected)}"
        )
        raise fail("L1Usage", "cbs", detail, "l1.cbs")
    if l1.end > l1.capacity:
        raise SchemaError(_overflow_message(plan, arch), field="l1.per_core_bytes")


def _pairs(pairs: list[tuple[int, int]]) -> str:
    return "[" + ", ".join(f"{index}: {nbytes}" for index, nbytes in pairs) + "]"


def _overflow_message(plan: Plan, arch: Arch) -> str:
    """The L1 overflow verdict with one line per circular buffer."""
    l1 = plan.l1
    verdict = (
        f"L1Usage.per_core_bytes: the circular buffers need {l1.per_core_bytes} B but "
        f"{arch.name} has {l1.capacity - l1.base} B of L1 from base {l1.base} "
        f"(base + per_core_bytes = {l1.end} > capacity {l1.capacity})"
    )
    lines = [
        verdict,
        f"  {'index':>5}  {'name':<24} {'page_size':>9} x {'num_pages':<9} {'bytes':>9}",
    ]
    for cb in plan.circular_buffers:
        lines.append(
            f"  {cb.index:>5}  {cb.name:<24} {cb.page_size:>9} x {cb.num_pages:<9} "
            f"{cb.total_bytes:>9}"
        )
    lines.append(f"  {'total':>5}  {'':<24} {'':>9}   {'':<9} {l1.per_core_bytes:>9}")
    return "\n".join(lines)


def _check_semaphores(plan: Plan, arch: Arch) -> None:
    unique("Plan", "semaphores", [semaphore.id for semaphore in plan.semaphores], "id")
    for i, semaphore in enumerate(plan.semaphores):
        if semaphore.id >= arch.num_semaphores:
            last = arch.num_semaphores - 1
            detail = f"{semaphore.id} is out of range for {arch.name} (0..{last})"
            raise fail("Semaphore", "id", detail, f"semaphores[{i}].id")
