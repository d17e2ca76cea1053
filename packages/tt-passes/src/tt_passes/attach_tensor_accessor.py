"""attach_tensor_accessor: a TensorAccessor descriptor for every global tensor.

Requires: `infer_tt_layout` (`tt.buffers`).
Rewrites: nothing in the body.
Guarantees: module attribute `tt.accessors` = one `AccessorInfo` per tensor, in
signature order: the page size and the `TensorAccessorArgs` compile-time words. For
a DRAM-interleaved tensor these are two words, `[ArgsConfig, page_size]` with
ArgsConfig = IsDram (2), exactly what `TensorAccessorArgs(buffer).append_to()`
produces on the host. (Sharded layouts, which add rank/banks/shapes, are refused
earlier by `infer_tt_layout`.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_passes import _meta
from tt_passes._base import TTPass

ARGS_IS_DRAM = 2
ARGS_SHARDED = 1


def accessor_args(layout: dict, page_size: int) -> list:
    """The TensorAccessorArgs words for an interleaved tensor."""
    assert layout["kind"] == "interleaved", layout
    config = ARGS_IS_DRAM if layout["memory"] == "dram" else 0
    return [config, page_size]


@dataclass
class AttachTensorAccessor(TTPass):
    name = "attach_tensor_accessor"

    def run(self, mod: Any) -> Any:
        buffers = _meta.get(mod, _meta.BUFFERS, [])
        accessors = [_meta.AccessorInfo(b.name, b.page_size, accessor_args(b.layout, b.page_size))
                     for b in buffers]
        return _meta.put(mod, _meta.ACCESSORS, accessors)


def attach_tensor_accessor() -> Any:
    """The `attach_tensor_accessor` pass as a TVM pass."""
    return AttachTensorAccessor().as_tvm_pass()
