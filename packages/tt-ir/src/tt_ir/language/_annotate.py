"""Tenstorrent annotations: buffer layouts and the core grid, stored as function attributes."""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

from tt_ir import tir
from tt_ir.errors import SchemaError
from tt_ir.language._build import current_state, fail

LAYOUTS_ATTR = "tt.layouts"
CORE_GRID_ATTR = "tt.core_grid"

_MEMORIES = ("dram", "l1")
_KINDS = ("interleaved", "sharded")
_ORDERS = ("row_major", "col_major")
_SHARD_STRATEGIES = ("height", "width", "block")


def _pair(value: Any, field: str) -> list[int] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise SchemaError(f"tt_layout.{field}: expected two ints, got {value!r}", field=field)
    try:
        return [int(v) for v in value]
    except (TypeError, ValueError):
        raise SchemaError(f"tt_layout.{field}: expected two ints, got {value!r}", field=field) from None


def _choice(value: str, field: str, allowed: tuple) -> str:
    if value not in allowed:
        raise SchemaError(f"tt_layout.{field}: {value!r} is not one of {', '.join(allowed)}", field=field)
    return value


@dataclasses.dataclass(frozen=True)
class TTLayout:
    """Where a global buffer lives and how it is split across DRAM banks / core L1s.

    memory: "dram" | "l1"; kind: "interleaved" | "sharded"; for sharded layouts
    shard_grid = [cores_x, cores_y], shard_shape = [rows, cols] per core,
    strategy = "height" | "width" | "block", order = "row_major" | "col_major".
    """

    memory: str = "dram"
    kind: str = "interleaved"
    shard_grid: list[int] | None = None
    shard_shape: list[int] | None = None
    strategy: str | None = None
    order: str = "row_major"

    def to_json(self) -> dict:
        out = {"memory": self.memory, "kind": self.kind, "order": self.order}
        for key in ("shard_grid", "shard_shape", "strategy"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out

    @classmethod
    def from_json(cls, data: dict) -> TTLayout:
        return tt_layout(**data)


def tt_layout(memory: str = "dram", kind: str = "interleaved", shard_grid: Any = None,
              shard_shape: Any = None, strategy: str | None = None,
              order: str = "row_major") -> TTLayout:
    """A validated TTLayout (SchemaError naming the field and the allowed values)."""
    _choice(memory, "memory", _MEMORIES)
    _choice(kind, "kind", _KINDS)
    _choice(order, "order", _ORDERS)
    grid, shape = _pair(shard_grid, "shard_grid"), _pair(shard_shape, "shard_shape")
    if kind == "sharded":
        if grid is None or shape is None:
            raise SchemaError("tt_layout: kind='sharded' needs shard_grid=[x, y] and "
                              "shard_shape=[rows, cols]", field="shard_grid")
        strategy = _choice(strategy or "block", "strategy", _SHARD_STRATEGIES)
    elif grid is not None or shape is not None or strategy is not None:
        raise SchemaError("tt_layout: shard_grid/shard_shape/strategy only apply to "
                          "kind='sharded'", field="kind")
    return TTLayout(memory, kind, grid, shape, strategy, order)


@dataclasses.dataclass(frozen=True)
class GpuLayout:
    """A TileLang GPU layout of an on-chip buffer (`tilelang.layout.make_swizzled_layout(buf)`
    and the other swizzles): shared-memory bank swizzles have no Tenstorrent meaning (a CB holds
    whole 32x32 tiles), so `T.annotate_layout` accepts and ignores them, saying so once."""

    kind: str


_SAID: set = set()


def say_once(what: str, text: str) -> None:
    if what not in _SAID:
        _SAID.add(what)
        print(text, file=sys.stderr)


def annotate_layout(layouts: dict) -> None:
    """`T.annotate_layout({A: T.tt_layout(...)})`: record layouts of global buffers.

    Stored as the function attribute `tt.layouts = {buffer_name: layout.to_json()}`. A
    TileLang swizzle of an on-chip buffer (`GpuLayout`) is ignored, with one notice.
    """
    state = current_state("T.annotate_layout")
    table = dict(state.func_attrs.get(LAYOUTS_ATTR, {}))
    for buf, layout in layouts.items():
        if not tir.is_buffer(buf):
            raise fail(f"T.annotate_layout: keys must be buffers, got {buf!r}")
        if isinstance(layout, GpuLayout) and tir.scope_of(buf) != "global":
            say_once("swizzle", f"T.annotate_layout: TileLang's {layout.kind} (of "
                      f"'{buf.name}' and any others) is a GPU shared-memory layout; Tenstorrent "
                      "CBs hold whole 32x32 tiles, so it is ignored")
            continue
        if not isinstance(layout, TTLayout):
            raise fail(f"T.annotate_layout: the layout of {buf.name} must be T.tt_layout(...), "
                       f"got {type(layout).__name__} (TileLang swizzle/fragment layouts do not "
                       "apply to Tenstorrent)")
        table[str(buf.name)] = layout.to_json()
    state.func_attrs[LAYOUTS_ATTR] = table


def annotate_core_grid(x: int, y: int) -> None:
    """`T.annotate_core_grid(x, y)`: the kernel may use an x-by-y grid of Tensix cores.

    Stored as the function attribute `tt.core_grid = [x, y]`.
    """
    state = current_state("T.annotate_core_grid")
    xi, yi = tir.as_int(x), tir.as_int(y)
    if xi is None or yi is None or xi < 1 or yi < 1:
        raise fail(f"T.annotate_core_grid: expected two positive ints, got ({x!r}, {y!r})")
    state.func_attrs[CORE_GRID_ATTR] = [xi, yi]
