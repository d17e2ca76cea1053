"""configure_tensor_accessor: bind each kernel's TensorAccessors to CTA offsets and args.

Requires: `split_device_kernel`, `attach_tensor_accessor` (`tt.accessors`).
Rewrites: in the reader and the writer, for each tensor the kernel moves (in order
of first use), two `Bind`s at the top of the body:

    A_addr: uint32 = tt.runtime_arg("A_addr")          (before the other runtime args)
    A_acc: handle = TensorAccessor(cta_offset, A_addr, page_size)   (after them)

`TensorAccessor(...)` is the special form of contracts §3 that codegen prints as
`TensorAccessorArgs<cta_offset>()` + `TensorAccessor(args, addr, page_size)`.
The compile-time args of a kernel are its accessors' words concatenated, so each
accessor's `cta_offset` is the number of words before it.
Guarantees: module attribute `tt.kernels` = one `KernelInfo` per role with
`accessors` [{buffer, cta_offset}] and `compile_args`; compute has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir import tir
from tt_passes import _build as B
from tt_passes import _meta
from tt_passes._base import TTPass, map_roles, role_funcs
from tt_passes.grid_to_core_grid import runtime_arg

MOVES = ("tt.copy_in", "tt.copy_out", "tt.im2col_in", "tt.elements_in")


# --- collect ---------------------------------------------------------------------
def moved_buffers(body: Any) -> list:
    """Tensor names in order of first use by tt.copy_in / tt.copy_out."""
    out: list = []

    def visit(stmt: Any) -> None:
        hit = B.intrinsic_of(stmt)
        if hit is not None and hit[0] in MOVES:
            name = B.string(hit[1][1])
            if name not in out:
                out.append(name)

    tir.walk(body, visit, types=tir.Evaluate, order="pre")
    return out


# --- decide ----------------------------------------------------------------------
def cta_layout(names: list, accessors: dict) -> tuple[list, list]:
    """([{buffer, cta_offset}], compile_args) for accessors in `names` order."""
    table, words = [], []
    for name in names:
        table.append({"buffer": name, "cta_offset": len(words)})
        words.extend(accessors[name].args)
    return table, words


# --- rewrite ---------------------------------------------------------------------
def bind_accessors(body: Any, table: list, accessors: dict) -> Any:
    stmts = B.items(body)
    lead = 0
    while lead < len(stmts) and isinstance(stmts[lead], tir.Bind):
        lead += 1
    addrs, accs = [], []
    for entry in table:
        name = entry["buffer"]
        addr = B.var(f"{name}_addr")
        addrs.append(tir.Bind(addr, runtime_arg(f"{name}_addr")))
        acc = tir.make_var(f"{name}_acc", "handle")
        call = B.call("TensorAccessor", entry["cta_offset"], addr, accessors[name].page_size,
                      ret="handle")
        accs.append(tir.Bind(acc, call))
    return B.seq(*addrs, *stmts[:lead], *accs, *stmts[lead:])


# --- pass ------------------------------------------------------------------------
@dataclass
class ConfigureTensorAccessor(TTPass):
    name = "configure_tensor_accessor"

    def run(self, mod: Any) -> Any:
        accessors = {a.buffer: a for a in _meta.get(mod, _meta.ACCESSORS, [])}
        infos = []

        def configure(role: str, func: Any) -> Any:
            table, words = cta_layout(moved_buffers(func.body), accessors)
            infos.append(_meta.KernelInfo(role=role, accessors=table, compile_args=words))
            if not table:
                return func
            return func.with_body(bind_accessors(func.body, table, accessors))

        assert set(role_funcs(mod)) == set(_meta.ROLES), "run split_device_kernel first"
        mod = map_roles(mod, configure)
        infos.sort(key=lambda k: _meta.ROLES.index(k.role))
        return _meta.put(mod, _meta.KERNELS, infos)


def configure_tensor_accessor() -> Any:
    """The `configure_tensor_accessor` pass as a TVM pass."""
    return ConfigureTensorAccessor().as_tvm_pass()
