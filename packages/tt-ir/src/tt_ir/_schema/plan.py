"""The plan: everything the host program and the runtime need about one kernel.

`Plan` mirrors ``tt.plan.json`` (contracts §2) field by field. Constructing one checks
every field and the cross-field rules of `tt_ir._schema.plan_rules`; errors carry the
JSON path of the offending field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir._checks import (
    check_identifier,
    check_instance,
    check_int,
    check_items,
    check_one_of,
    choices,
    fail,
    list_from_json,
    object_from_json,
    read_fields,
    reading,
    set_field,
)
from tt_ir._schema.buffer import Buffer
from tt_ir._schema.cb import CircularBuffer
from tt_ir._schema.compute import ComputeConfig
from tt_ir._schema.core import CoreCoord
from tt_ir._schema.kernel import Kernel
from tt_ir._schema.l1 import L1Usage
from tt_ir._schema.plan_rules import check_plan
from tt_ir._schema.work import WorkPartition
from tt_ir.arch import ARCH_NAMES, Arch, check_grid, get_arch
from tt_ir.errors import SchemaError

SCHEMA_VERSION = 1
PLAN_FIELDS = (
    "schema_version",
    "kernel_name",
    "arch",
    "core_grid",
    "compute_config",
    "buffers",
    "circular_buffers",
    "kernels",
    "work",
    "l1",
    "semaphores",
)


@dataclass(frozen=True)
class Semaphore:
    """A semaphore created on every work core."""

    id: int
    initial_value: int = 0

    def __post_init__(self) -> None:
        set_field(self, "id", check_int("Semaphore", "id", self.id, low=0))
        value = check_int(
            "Semaphore", "initial_value", self.initial_value, 0, (1 << 32) - 1
        )
        set_field(self, "initial_value", value)

    def to_json(self) -> dict[str, Any]:
        """``{"id", "initial_value"}``."""
        return {"id": self.id, "initial_value": self.initial_value}

    @classmethod
    def from_json(cls, data: Any) -> Semaphore:
        """Read a ``semaphores`` entry of ``tt.plan.json``."""
        with reading():
            return cls(**read_fields("Semaphore", data, ("id", "initial_value")))


@dataclass(frozen=True)
class Plan:
    """The contents of ``tt.plan.json`` (schema_version 1); see contracts §2."""

    schema_version: int
    kernel_name: str
    arch: str
    core_grid: tuple[int, int]
    compute_config: ComputeConfig
    buffers: tuple[Buffer, ...]
    circular_buffers: tuple[CircularBuffer, ...]
    kernels: tuple[Kernel, ...]
    work: WorkPartition
    l1: L1Usage
    semaphores: tuple[Semaphore, ...] = ()

    def __post_init__(self) -> None:
        with reading():
            self._check_fields()
            check_plan(self, self.get_arch())

    def _check_fields(self) -> None:
        version = check_int("Plan", "schema_version", self.schema_version)
        if version != SCHEMA_VERSION:
            detail = f"{version} is not supported; allowed: {SCHEMA_VERSION}"
            raise fail("Plan", "schema_version", detail)
        check_identifier("Plan", "kernel_name", self.kernel_name)
        check_one_of("Plan", "arch", self.arch, ARCH_NAMES)
        set_field(
            self,
            "core_grid",
            check_grid(get_arch(self.arch), self.core_grid, "Plan", "core_grid"),
        )
        check_instance("Plan", "compute_config", self.compute_config, ComputeConfig)
        set_field(self, "buffers", check_items("Plan", "buffers", self.buffers, Buffer))
        cbs = check_items(
            "Plan", "circular_buffers", self.circular_buffers, CircularBuffer
        )
        set_field(self, "circular_buffers", cbs)
        set_field(self, "kernels", check_items("Plan", "kernels", self.kernels, Kernel))
        check_instance("Plan", "work", self.work, WorkPartition)
        check_instance("Plan", "l1", self.l1, L1Usage)
        set_field(
            self,
            "semaphores",
            check_items("Plan", "semaphores", self.semaphores, Semaphore),
        )

    def get_arch(self) -> Arch:
        """The target `Arch` restricted to ``core_grid``."""
        return get_arch(self.arch, self.core_grid)

    def kernel(self, role: str) -> Kernel:
        """The kernel with ``role`` (``"reader"``, ``"compute"``, ``"writer"``)."""
        for kernel in self.kernels:
            if kernel.role == role:
                return kernel
        roles = choices(kernel.role for kernel in self.kernels)
        raise SchemaError(f"plan has no {role!r} kernel; kernels: {roles}")

    def buffer(self, name: str) -> Buffer:
        """The buffer called ``name``."""
        for buffer in self.buffers:
            if buffer.name == name:
                return buffer
        names = choices(buffer.name for buffer in self.buffers)
        raise SchemaError(f"plan has no buffer {name!r}; buffers: {names}")

    def circular_buffer(self, name: str) -> CircularBuffer:
        """The circular buffer called ``name``."""
        for cb in self.circular_buffers:
            if cb.name == name:
                return cb
        names = choices(cb.name for cb in self.circular_buffers)
        raise SchemaError(
            f"plan has no circular buffer {name!r}; circular buffers: {names}"
        )

    @property
    def work_cores(self) -> tuple[CoreCoord, ...]:
        """The cores that get kernels: those with work."""
        return self.work.work_cores

    def to_json(self) -> dict[str, Any]:
        """The ``tt.plan.json`` document, fields in contract order."""
        return {
            "schema_version": self.schema_version,
            "kernel_name": self.kernel_name,
            "arch": self.arch,
            "core_grid": list(self.core_grid),
            "compute_config": self.compute_config.to_json(),
            "buffers": [buffer.to_json() for buffer in self.buffers],
            "circular_buffers": [cb.to_json() for cb in self.circular_buffers],
            "kernels": [kernel.to_json() for kernel in self.kernels],
            "work": self.work.to_json(),
            "l1": self.l1.to_json(),
            "semaphores": [semaphore.to_json() for semaphore in self.semaphores],
        }

    @classmethod
    def from_json(cls, data: Any) -> Plan:
        """Read a ``tt.plan.json`` document (decoded JSON).

        Raises:
            SchemaError: A field is missing, unknown or invalid, or a plan rule is
                broken; the error's ``path`` is the JSON path of the field.
        """
        with reading():
            fields = dict(read_fields("Plan", data, PLAN_FIELDS))
            fields["compute_config"] = object_from_json(
                ComputeConfig, "compute_config", fields["compute_config"]
            )
            fields["buffers"] = list_from_json(
                "Plan", "buffers", fields["buffers"], Buffer
            )
            fields["circular_buffers"] = list_from_json(
                "Plan", "circular_buffers", fields["circular_buffers"], CircularBuffer
            )
            fields["kernels"] = list_from_json(
                "Plan", "kernels", fields["kernels"], Kernel
            )
            fields["work"] = object_from_json(WorkPartition, "work", fields["work"])
            fields["l1"] = object_from_json(L1Usage, "l1", fields["l1"])
            fields["semaphores"] = list_from_json(
                "Plan", "semaphores", fields["semaphores"], Semaphore
            )
            return cls(**fields)
