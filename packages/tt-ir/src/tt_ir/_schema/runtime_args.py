"""The runtime-argument schema of a kernel and its per-core values.

Entry i of a kernel's ``runtime_args`` is what ``get_arg_val<uint32_t>(i)`` returns.
``buffer_address`` entries are filled by the host with the buffer's device address;
``value`` entries come, per core, from ``core_args`` (in schema order). ``noc_x`` /
``noc_y`` entries also take a per-core value from ``core_args``: a *logical* core
coordinate (x resp. y) that the host turns into the NoC coordinate the kernel needs
(``worker_core_from_logical_core(CoreCoord(x, 0)).x`` resp. ``(0, y).y``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir._checks import (
    UINT32_MAX,
    check_identifier,
    check_int,
    check_ints,
    check_one_of,
    fail,
    object_from_json,
    read_fields,
    reading,
    set_field,
)
from tt_ir._schema.core import CoreCoord

RUNTIME_ARG_KINDS = ("buffer_address", "value", "noc_x", "noc_y")
# Kinds whose per-core values come from ``core_args`` (in schema order).
PER_CORE_KINDS = ("value", "noc_x", "noc_y")


@dataclass(frozen=True)
class RuntimeArg:
    """One ``uint32_t`` runtime argument of a kernel.

    Attributes:
        name: Argument name (``"A_addr"``, ``"block_start"``).
        kind: ``"buffer_address"``, ``"value"``, ``"noc_x"`` or ``"noc_y"`` (the NoC
            x / y coordinate of the logical core coordinate given per core).
        buffer: The plan buffer whose address this is (``buffer_address`` only).
    """

    name: str
    kind: str
    buffer: str | None = None

    def __post_init__(self) -> None:
        check_identifier("RuntimeArg", "name", self.name)
        check_one_of("RuntimeArg", "kind", self.kind, RUNTIME_ARG_KINDS)
        if self.kind != "buffer_address" and self.buffer is not None:
            raise fail("RuntimeArg", "buffer", f"a '{self.kind}' argument names no buffer")
        if self.kind == "buffer_address":
            check_identifier("RuntimeArg", "buffer", self.buffer)

    def to_json(self) -> dict[str, Any]:
        """``{"name", "kind"}`` plus ``"buffer"`` for a buffer address."""
        data: dict[str, Any] = {"name": self.name, "kind": self.kind}
        if self.kind == "buffer_address":
            data["buffer"] = self.buffer
        return data

    @classmethod
    def from_json(cls, data: Any) -> RuntimeArg:
        """Read a ``runtime_args`` entry of ``tt.plan.json``."""
        with reading():
            if isinstance(data, dict) and "kind" in data:
                check_one_of("RuntimeArg", "kind", data["kind"], RUNTIME_ARG_KINDS)
            has_buffer = isinstance(data, dict) and data.get("kind") == "buffer_address"
            names = ("name", "kind", "buffer") if has_buffer else ("name", "kind")
            return cls(**read_fields("RuntimeArg", data, names))


@dataclass(frozen=True)
class CoreArgs:
    """The per-core runtime arguments (``value``, ``noc_x``, ``noc_y``) of one core, in schema order.

    Attributes:
        core: The logical core.
        values: One ``uint32`` per ``value`` / ``noc_x`` / ``noc_y`` entry of the kernel's
            runtime args (for ``noc_*`` entries: a logical core coordinate).
    """

    core: CoreCoord
    values: tuple[int, ...]

    def __post_init__(self) -> None:
        set_field(self, "core", CoreCoord.of(self.core))
        values = check_ints("CoreArgs", "values", self.values, low=0, high=UINT32_MAX)
        set_field(self, "values", values)

    def to_json(self) -> dict[str, Any]:
        """``{"core": [x, y], "values": [...]}``."""
        return {"core": self.core.to_json(), "values": list(self.values)}

    @classmethod
    def from_json(cls, data: Any) -> CoreArgs:
        """Read a ``core_args`` entry of ``tt.plan.json``."""
        with reading():
            fields = read_fields("CoreArgs", data, ("core", "values"))
            core = object_from_json(CoreCoord, "core", fields["core"])
            return cls(core, fields["values"])


@dataclass(frozen=True)
class Accessor:
    """A ``TensorAccessor`` of a kernel: its buffer and compile-time-arg offset.

    Attributes:
        buffer: The plan buffer it reads or writes.
        cta_offset: Index of its first word in the kernel's ``compile_args``.
    """

    buffer: str
    cta_offset: int

    def __post_init__(self) -> None:
        check_identifier("Accessor", "buffer", self.buffer)
        set_field(
            self,
            "cta_offset",
            check_int("Accessor", "cta_offset", self.cta_offset, low=0),
        )

    def to_json(self) -> dict[str, Any]:
        """``{"buffer", "cta_offset"}``."""
        return {"buffer": self.buffer, "cta_offset": self.cta_offset}

    @classmethod
    def from_json(cls, data: Any) -> Accessor:
        """Read an ``accessors`` entry of ``tt.plan.json``."""
        with reading():
            return cls(**read_fields("Accessor", data, ("buffer", "cta_offset")))
