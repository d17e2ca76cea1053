"""TileLang's TVM spellings on apache-tvm 0.27, for helpers kernel files write against TVM.

TileLang bundles its own TVM; its examples' helper functions use it directly (`from tvm
import tirx`; `val: tirx.PrimExpr`; `assert val.dtype == T.uint8`). apache-tvm 0.27 renamed
both: the expression base class is `tirx.Expr` and an expression's dtype is `expr.ty.dtype`.
Importing `tt_ir.language` adds the old names where they are missing -- `tirx.PrimExpr` as an
alias of `tirx.Expr`, and a read-only `dtype` property on expressions; a scalar `Var`, whose
`dtype` apache-tvm reserves for buffers (it raises), answers with its own dtype -- so such
helpers run unchanged. A buffer's `dtype` is what it was.
"""

from __future__ import annotations

from typing import Any

import tvm


def _dtype(expr: Any) -> Any:
    from tt_ir.language import dtype  # a str subclass that compares equal to "uint8"

    return dtype(str(expr.ty.dtype))


def install() -> None:
    """Adds the missing names (idempotent)."""
    if not hasattr(tvm.tirx, "PrimExpr"):
        tvm.tirx.PrimExpr = tvm.tirx.Expr
    if not hasattr(tvm.ir.Expr, "dtype"):
        tvm.ir.Expr.dtype = property(_dtype, doc="The expression's dtype (TileLang's TVM spelling).")
    own = tvm.ir.Var.__dict__.get("dtype")
    if isinstance(own, property) and not getattr(own.fget, "_tt_compat", False):
        def var_dtype(var: Any, buffer_dtype: Any = own.fget) -> Any:
            try:  # a buffer's element dtype, as before
                return buffer_dtype(var)
            except AttributeError:  # a scalar variable: its own dtype
                return _dtype(var)

        var_dtype._tt_compat = True
        tvm.ir.Var.dtype = property(var_dtype, doc=own.__doc__)
