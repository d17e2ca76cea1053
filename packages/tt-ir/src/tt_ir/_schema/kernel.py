"""One of the three device kernels of a program: where it runs and its arguments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tt_ir._checks import (
    UINT32_MAX,
    check_identifier,
    check_ints,
    check_items,
    check_one_of,
    check_str,
    choices,
    fail,
    list_from_json,
    read_fields,
    reading,
    set_field,
    unique,
)
from tt_ir._schema.cb import KERNEL_ROLES
from tt_ir._schema.core import CoreCoord
from tt_ir._schema.runtime_args import PER_CORE_KINDS, Accessor, CoreArgs, RuntimeArg
from tt_ir.arch import ARCH_NAMES, get_arch
from tt_ir.errors import SchemaError

DATA_MOVEMENT_PROCESSORS = ("RISCV_0", "RISCV_1")
NOCS = ("NOC_0", "NOC_1")
MAX_RUNTIME_ARGS = min(get_arch(name).max_runtime_args for name in ARCH_NAMES)
_FIELDS = (
    "role",
    "file",
    "processor",
    "noc",
    "compile_args",
    "defines",
    "accessors",
    "runtime_args",
    "core_args",
)


@dataclass(frozen=True)
class Kernel:
    """A reader, compute or writer kernel of the program.

    Attributes:
        role: ``"reader"``, ``"compute"`` or ``"writer"``.
        file: Its source file, ``"<role>.cpp"``.
        processor: ``"RISCV_0"``/``"RISCV_1"`` for data movement, ``"TRISC"`` for compute.
        noc: ``"NOC_0"``/``"NOC_1"`` for data movement, None for compute.
        compile_args: Compile-time ``uint32`` words (TensorAccessorArgs, in accessor order).
        defines: ``#define`` name/value pairs, in order.
        accessors: Its TensorAccessors.
        runtime_args: The runtime-argument schema: entry i is ``get_arg_val(i)``.
        core_args: Per work core, the values of the ``value`` / ``noc_x`` / ``noc_y`` entries.
    """

    role: str
    file: str
    processor: str
    noc: str | None
    compile_args: tuple[int, ...] = ()
    defines: tuple[tuple[str, str], ...] = ()
    accessors: tuple[Accessor, ...] = ()
    runtime_args: tuple[RuntimeArg, ...] = ()
    core_args: tuple[CoreArgs, ...] = ()

    def __post_init__(self) -> None:
        check_one_of("Kernel", "role", self.role, KERNEL_ROLES)
        check_str("Kernel", "file", self.file)
        if self.file != f"{self.role}.cpp":
            raise fail("Kernel", "file", f"{self.file!r} must be '{self.role}.cpp'")
        self._check_placement()
        compile_args = check_ints(
            "Kernel", "compile_args", self.compile_args, low=0, high=UINT32_MAX
        )
        set_field(self, "compile_args", compile_args)
        set_field(self, "defines", _check_defines(self.defines))
        self._check_accessors()
        self._check_runtime_args()
        self._check_core_args()

    def _check_placement(self) -> None:
        if self.role == "compute":
            check_one_of("Kernel", "processor", self.processor, ("TRISC",))
            if self.noc is not None:
                raise fail(
                    "Kernel", "noc", f"{self.noc!r}: a compute kernel has no NoC (null)"
                )
            return
        check_one_of("Kernel", "processor", self.processor, DATA_MOVEMENT_PROCESSORS)
        check_one_of("Kernel", "noc", self.noc, NOCS)

    def _check_accessors(self) -> None:
        accessors = check_items("Kernel", "accessors", self.accessors, Accessor)
        unique("Kernel", "accessors", [a.buffer for a in accessors], "buffer")
        unique("Kernel", "accessors", [a.cta_offset for a in accessors], "cta_offset")
        for i, accessor in enumerate(accessors):
            if accessor.cta_offset >= len(self.compile_args):
                detail = (
                    f"{accessor.cta_offset} is past the end of compile_args "
                    f"({len(self.compile_args)} words)"
                )
                raise fail("Kernel", f"accessors[{i}].cta_offset", detail)
        set_field(self, "accessors", accessors)

    def _check_runtime_args(self) -> None:
        args = check_items("Kernel", "runtime_args", self.runtime_args, RuntimeArg)
        unique("Kernel", "runtime_args", [arg.name for arg in args], "name")
        if len(args) > MAX_RUNTIME_ARGS:
            detail = f"{len(args)} entries; at most {MAX_RUNTIME_ARGS} per core"
            raise fail("Kernel", "runtime_args", detail)
        set_field(self, "runtime_args", args)

    def _check_core_args(self) -> None:
        core_args = check_items("Kernel", "core_args", self.core_args, CoreArgs)
        unique("Kernel", "core_args", [entry.core for entry in core_args], "core")
        expected = len(self.value_arg_names)
        for i, entry in enumerate(core_args):
            if len(entry.values) != expected:
                detail = (
                    f"core {entry.core} has {len(entry.values)} values; the runtime_args "
                    f"schema has {expected} per-core entries ({choices(self.value_arg_names)})"
                )
                raise fail("Kernel", f"core_args[{i}].values", detail)
        set_field(self, "core_args", core_args)

    @property
    def value_arg_names(self) -> tuple[str, ...]:
        """Names of the per-core runtime args (``value``, ``noc_x``, ``noc_y``), in schema order."""
        return tuple(arg.name for arg in self.runtime_args if arg.kind in PER_CORE_KINDS)

    @property
    def cores(self) -> tuple[CoreCoord, ...]:
        """The cores this kernel runs on, in ``core_args`` order."""
        return tuple(entry.core for entry in self.core_args)

    def values_for(self, core: Any) -> tuple[int, ...]:
        """The ``value`` runtime args of ``core``.

        Raises:
            SchemaError: The kernel does not run on ``core``.
        """
        core = CoreCoord.of(core)
        for entry in self.core_args:
            if entry.core == core:
                return entry.values
        cores = choices(str(c) for c in self.cores)
        raise SchemaError(
            f"{self.role} kernel does not run on core {core}; its cores: {cores}"
        )

    def to_json(self) -> dict[str, Any]:
        """The kernel entry of ``tt.plan.json``."""
        return {
            "role": self.role,
            "file": self.file,
            "processor": self.processor,
            "noc": self.noc,
            "compile_args": list(self.compile_args),
            "defines": dict(self.defines),
            "accessors": [accessor.to_json() for accessor in self.accessors],
            "runtime_args": [arg.to_json() for arg in self.runtime_args],
            "core_args": [entry.to_json() for entry in self.core_args],
        }

    @classmethod
    def from_json(cls, data: Any) -> Kernel:
        """Read a kernel entry of ``tt.plan.json``."""
        with reading():
            fields = dict(read_fields("Kernel", data, _FIELDS))
            if not isinstance(fields["defines"], dict):
                raise fail(
                    "Kernel",
                    "defines",
                    f"expected a JSON object, got {fields['defines']!r}",
                )
            fields["accessors"] = list_from_json(
                "Kernel", "accessors", fields["accessors"], Accessor
            )
            fields["runtime_args"] = list_from_json(
                "Kernel", "runtime_args", fields["runtime_args"], RuntimeArg
            )
            fields["core_args"] = list_from_json(
                "Kernel", "core_args", fields["core_args"], CoreArgs
            )
            return cls(**fields)


def _check_defines(defines: Any) -> tuple[tuple[str, str], ...]:
    """Return ``#define`` pairs from a mapping or a sequence of pairs."""
    pairs = tuple(defines.items()) if isinstance(defines, Mapping) else tuple(defines)
    checked = []
    for i, pair in enumerate(pairs):
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise fail(
                "Kernel",
                f"defines[{i}]",
                f"expected a (name, value) pair, got {pair!r}",
            )
        name, value = pair
        check_identifier("Kernel", f"defines.{name}", name)
        if not isinstance(value, str):
            raise fail(
                "Kernel", f"defines.{name}", f"expected a string value, got {value!r}"
            )
        checked.append((name, value))
    unique("Kernel", "defines", [name for name, _ in checked])
    return tuple(checked)
