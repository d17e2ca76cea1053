"""`tilelang.layout`'s swizzle makers, for kernels ported with `import tt_cli as tilelang`.

TileLang annotates shared buffers with GPU swizzles (`T.annotate_layout({A_shared:
tilelang.layout.make_swizzled_layout(A_shared)})`) against shared-memory bank conflicts. A
Tenstorrent CB holds whole 32x32 tiles and has no banks to swizzle over, so each maker
returns a marker that `T.annotate_layout` accepts for an on-chip buffer and ignores (saying
so once); on a tensor it is refused, naming `T.tt_layout` as the layout that applies.
"""

from __future__ import annotations

from typing import Any

from tt_ir.language._annotate import GpuLayout


def _maker(kind: str) -> Any:
    def make(buffer: Any, *args: Any, **kwargs: Any) -> GpuLayout:
        return GpuLayout(kind)

    make.__name__ = f"make_{kind.replace(' ', '_')}"
    make.__doc__ = f"A TileLang {kind} marker (ignored on Tenstorrent)."
    return make


make_swizzled_layout = _maker("swizzled layout")
make_full_bank_swizzled_layout = _maker("full bank swizzled layout")
make_half_bank_swizzled_layout = _maker("half bank swizzled layout")
make_quarter_bank_swizzled_layout = _maker("quarter bank swizzled layout")
make_linear_layout = _maker("linear layout")
make_wgmma_swizzled_layout = _maker("wgmma swizzled layout")
make_volta_swizzled_layout = _maker("volta swizzled layout")

__all__ = [
    "make_full_bank_swizzled_layout",
    "make_half_bank_swizzled_layout",
    "make_linear_layout",
    "make_quarter_bank_swizzled_layout",
    "make_swizzled_layout",
    "make_volta_swizzled_layout",
    "make_wgmma_swizzled_layout",
]
