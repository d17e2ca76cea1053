"""The shape of a tt-passes pass and the one helper that wraps it as a TVM pass.

A pass is a small dataclass: a `name`, typed options as fields, and `run(mod) -> mod`.
`as_tvm_pass()` wraps it as a TVM module pass (`tir.module_pass`); errors it raises on
purpose are `TTCompileError`s naming the pass, and any other exception escaping a pass is
re-raised as a `TTCompileError` ("internal error"), never as a raw TVM error.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Any, ClassVar

from tt_ir import tir
from tt_ir.errors import TTCompileError, TTError
from tt_passes import _meta


@dataclass
class TTPass(abc.ABC):
    """Base class: subclasses set `name` and implement `run`."""

    name: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A pass class without a docstring of its own documents itself with its module's
        (the contract: what it requires, rewrites, guarantees and refuses), so that
        `help(tt_passes.<pass>)` shows it rather than the dataclass signature."""
        super().__init_subclass__(**kwargs)
        if cls.__doc__ is None:
            import sys

            cls.__doc__ = sys.modules[cls.__module__].__doc__

    @abc.abstractmethod
    def run(self, mod: Any) -> Any:
        """The pass itself: module in, module out."""

    def error(self, message: str, *, obj: str | None = None, numbers: dict | None = None,
              source_line: str | None = None, hint: str | None = None) -> TTCompileError:
        """A `TTCompileError` from this pass (raise it)."""
        return TTCompileError(message, pass_name=self.name, obj=obj, numbers=numbers,
                              source_line=source_line, hint=hint)

    def __call__(self, mod: Any) -> Any:
        """Run as a TVM pass (so instruments see it)."""
        return self.as_tvm_pass()(mod)

    def as_tvm_pass(self) -> Any:
        def transform(mod: Any, ctx: Any) -> Any:
            return self._guarded_run(mod)

        return tir.module_pass(transform, name=self.name, opt_level=0)

    def _guarded_run(self, mod: Any) -> Any:
        self._check_order(mod)
        try:
            out = self.run(mod)
        except TTCompileError as err:
            renamed = in_user_names(err, _meta.get(mod, _meta.ORIGINS, {}) or {})
            if renamed is err:
                raise
            raise renamed from err
        except TTError as err:  # e.g. a SchemaError from tt_ir: keep its text, name the pass
            wrapped = self.error(str(err), hint="see the message above")
            raise wrapped from err
        except Exception as err:
            if _has_runtime_sizes(mod):  # a size the pass needs as a number
                wrapped = self.error(f"this kernel's runtime sizes (T.dynamic) are not supported "
                                     f"here ({type(err).__name__}: {err})",
                                     hint="make the sizes T.const (an eager @tt_cli.jit kernel "
                                          "compiles each shape on its own)")
                raise wrapped from err
            wrapped = self.error(f"internal error: {type(err).__name__}: {err}",
                                 hint="this is a tt-passes bug; rerun with dump_ir=DIR "
                                      "and report the last dump")
            raise wrapped from err
        order = _ordered_passes()
        if self.name not in order[:-1]:  # finalize drops the record: the final module keeps tt.plan
            return out
        return _meta.put(out, _meta.PASSES, [*_meta.get(mod, _meta.PASSES, []), self.name])

    def _check_order(self, mod: Any) -> None:
        """Each pass reads what the passes before it in `tt_passes.REGISTRY` wrote: run on a
        module they have not seen, it says which must run first."""
        order = _ordered_passes()
        if self.name not in order:
            return
        done = _meta.get(mod, _meta.PASSES, [])
        missing = [name for name in order[:order.index(self.name)] if name not in done]
        if missing:
            ran = ", ".join(done) if done else "none"
            raise self.error(
                f"runs after {missing[-1]}, which has not run on this module (missing: "
                f"{', '.join(missing)}; run so far: {ran})",
                hint="run the passes in tt_passes.REGISTRY order, or all of them with "
                     "tt_passes.pipeline() / tt_passes.lower()")


def _ordered_passes() -> list:
    """REGISTRY's passes that run in order, up to finalize_persistent_signature (verify_tt_ir
    checks any module it is given)."""
    from tt_passes._registry import REGISTRY  # the registry imports every pass, and they this

    return [name for name in REGISTRY if name != "verify_tt_ir"]


def _has_runtime_sizes(mod: Any) -> bool:
    """Whether a tensor of the kernel has a dim that is not a number (T.dynamic)."""
    if _meta.get(mod, _meta.SIZES):
        return True
    try:
        _, func = kernel_func(mod)
    except AssertionError:
        return False
    return any(tir.as_int(d) is None for p in func.params if tir.is_buffer(p) for d in p.shape)


def in_user_names(err: TTCompileError, origins: dict) -> TTCompileError:
    """`err` with the buffers the passes made ('A_local_1', 'x_out', 's_recip') named as the
    kernel author wrote them (`origins`: canonicalize_tile_program's record)."""
    if not origins:
        return err
    names = sorted(origins, key=len, reverse=True)

    def rename(text: str | None) -> str | None:
        if text is None:
            return None
        for name in names:
            plain = origins[name].split(" (")[0]
            text = text.replace(f"'{name}'", f"'{origins[name]}'")
            text = text.replace(f"{name}[", f"({plain})[" if " " in plain else f"{plain}[")
        return text

    fields = (err.message, err.obj, err.hint)
    new = tuple(rename(f) for f in fields)
    if new == fields:
        return err
    return TTCompileError(new[0], pass_name=err.pass_name, obj=new[1], numbers=err.numbers,
                          source_line=err.source_line, hint=new[2])


# --- the kernel function ------------------------------------------------------
def kernel_func(mod: Any) -> tuple[Any, Any]:
    """The (GlobalVar, PrimFunc) of the single TileLang kernel in `mod` (before the split)."""
    items = [(gv, f) for gv, f in mod.functions.items()
             if isinstance(f, tir.PrimFunc) and tir.get_attr(f, "tt.kernel_role") is None]
    assert len(items) == 1, f"expected one kernel PrimFunc, found {len(items)}"
    return items[0]


def with_kernel_body(mod: Any, body: Any) -> Any:
    """`mod` with the kernel function's body replaced."""
    gv, func = kernel_func(mod)
    return replace_func(mod, gv, func.with_body(body))


def replace_func(mod: Any, gv: Any, func: Any) -> Any:
    funcs = dict(mod.functions)
    funcs[gv] = func
    out = tir.IRModule(funcs)
    for key, value in tir.attrs_of(mod).items():
        out = out.with_attr(key, value)
    return out


def role_funcs(mod: Any) -> dict:
    """{role: (GlobalVar, PrimFunc)} of the split kernels."""
    out = {}
    for gv, f in mod.functions.items():
        role = tir.get_attr(f, "tt.kernel_role") if isinstance(f, tir.PrimFunc) else None
        if role is not None:
            out[role] = (gv, f)
    return out


def map_roles(mod: Any, fn: Any) -> Any:
    """Apply `fn(role, func) -> func` to each split kernel."""
    for role, (gv, func) in role_funcs(mod).items():
        mod = replace_func(mod, gv, fn(role, func))
    return mod


def cbs(mod: Any) -> list:
    return _meta.get(mod, _meta.CBS, [])
