"""prim_func, the per-parse build state, T.Kernel, allocations and loops."""

from __future__ import annotations

import contextlib
import inspect
import os
from typing import Any

import numpy as np
from tvm.script import tirx as _T
from tvm.script.parser.core import dispatch as _dispatch
from tvm.script.parser.core import doc as _doc
from tvm.script.parser.core import utils as _utils
from tvm.script.parser.core.entry import parse as _parse

from tt_ir import tir
from tt_ir.errors import TTError


class _BuildState:
    """What T records while one kernel is parsed; applied as function attributes at the end."""

    def __init__(self, name: str):
        self.name = name
        self.func_attrs: dict[str, Any] = {}
        self.errors: list[TTError] = []


_STACK: list[_BuildState] = []


def current_state(what: str) -> _BuildState:
    """The state of the kernel being parsed; TTError if `what` is used outside @T.prim_func."""
    if not _STACK:
        raise TTError(f"{what} can only be used inside a kernel decorated with @T.prim_func")
    return _STACK[-1]


def fail(message: str) -> TTError:
    """Build (and remember, so prim_func can re-raise it) a TTError located at the kernel line."""
    line = tir.current_parse_line()
    err = TTError(f"{message}\n  at {line}" if line else message)
    if _STACK:
        _STACK[-1].errors.append(err)
    return err


def _tt_error_in(exc: BaseException, state: _BuildState) -> TTError | None:
    seen = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, TTError):
            return cur
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return state.errors[-1] if state.errors else None


def prim_func(func: Any = None, *, private: bool = False, check_well_formed: bool = True) -> Any:
    """Parse a Python function written with T into a PrimFunc (name = function name).

    Use as `@T.prim_func` or `@T.prim_func(private=True)`. Attributes recorded by
    T.Kernel(threads=...), T.annotate_layout and T.annotate_core_grid are attached
    as function attributes after parsing.
    """

    def decorate(fn: Any) -> Any:
        try:
            inspect.getsourcelines(fn)
        except (OSError, TypeError):
            raise TTError(f"T.prim_func: cannot read the source of '{fn.__name__}'; TVMScript parses "
                          "kernels from their source file, so define them in a .py file (not in "
                          "exec(), `python -c` or an interactive prompt)") from None
        extra_vars = _utils.inspect_function_capture(fn)
        if any(isinstance(a, str) for a in getattr(fn, "__annotations__", {}).values()):
            # `from __future__ import annotations`: names used only in annotations are
            # not in the closure; TVM looks them up in the enclosing frames.
            _utils.resolve_closure_vars(fn, extra_vars, inspect.stack(0))
        state = _BuildState(fn.__name__)
        _STACK.append(state)
        try:
            result = _parse(fn, extra_vars, check_well_formed=check_well_formed)
        except TTError:
            raise
        except Exception as exc:
            tt_err = _tt_error_in(exc, state)
            if tt_err is None:
                # TVMScript rejected the kernel body (a type error, an unknown name, ...):
                # its diagnostic already points at the kernel line, so keep it, as a TTError.
                message = str(exc).strip() or type(exc).__name__
                raise TTError(f"T.prim_func '{fn.__name__}': the kernel does not parse:\n{message}") from exc
            raise tt_err from None
        finally:
            _STACK.pop()
        return tir.with_attrs(result, state.func_attrs)

    decorate.dispatch_token = "tirx"  # the TVMScript parser reads this off the decorator
    if func is not None:
        return decorate(func)
    return decorate


prim_func.dispatch_token = "tirx"


# --- T.Kernel -----------------------------------------------------------------------
_BLOCK_AXES = ("blockIdx.x", "blockIdx.y", "blockIdx.z")


def _threads3(threads: Any) -> list[int]:
    if isinstance(threads, (list, tuple)):
        vals = [int(tir.as_int(t) if tir.as_int(t) is not None else t) for t in threads]
    else:
        vals = [int(tir.as_int(threads) if tir.as_int(threads) is not None else threads)]
    if not 1 <= len(vals) <= 3:
        raise fail(f"T.Kernel: threads must be an int or up to 3 ints, got {threads!r}")
    return vals + [1] * (3 - len(vals))


class Kernel:
    """`with T.Kernel(gx, gy[, gz], threads=128) as (bx, by[, bz]):`.

    Emits `T.launch_thread("blockIdx.x", gx)` ... (AttrStmt "thread_extent") and
    records `threads` as the function attribute `tl.launch_threads = [t, 1, 1]`;
    no threadIdx is materialised (Tenstorrent maps blocks to Tensix cores).
    """

    def __init__(self, *grid: Any, threads: Any = 128, **options: Any):
        if not 1 <= len(grid) <= 3:
            raise fail(f"T.Kernel takes 1 to 3 grid extents (x, y, z), got {len(grid)}")
        self.grid = grid
        self.threads = threads
        self.options = options
        self._stack: contextlib.ExitStack | None = None

    def __enter__(self) -> Any:
        state = current_state("T.Kernel")
        threads = _threads3(self.threads)
        previous = state.func_attrs.get("tl.launch_threads")
        if previous is not None:  # several T.Kernel scopes (TileLang's split-K reduction kernel
            # beside its GEMM): threads mean nothing on Tenstorrent, so the largest is recorded
            threads = [max(a, b) for a, b in zip(previous, threads)]
        state.func_attrs["tl.launch_threads"] = threads
        self._stack = contextlib.ExitStack()
        block_vars = [self._stack.enter_context(_T.launch_thread(axis, extent))
                      for axis, extent in zip(_BLOCK_AXES, self.grid)]
        return block_vars[0] if len(block_vars) == 1 else block_vars

    def __exit__(self, *exc: object) -> Any:
        assert self._stack is not None
        return self._stack.__exit__(*exc)


# --- allocations ----------------------------------------------------------------------
def dtype_name(dtype: Any) -> str:
    """A dtype as TVM names it: "bfloat16" from "bfloat16", T.bfloat16, torch.bfloat16 (a
    kernel factory often passes its tensors' `x.dtype`, as TileLang accepts), np.float32 or
    ml_dtypes.bfloat16."""
    if isinstance(dtype, str):
        return str(dtype)
    text = str(dtype)
    if text.startswith("torch."):
        return text[len("torch."):]
    try:
        return np.dtype(dtype).name
    except TypeError:
        return text


def _shape(shape: Any) -> Any:
    return (shape,) if not isinstance(shape, (list, tuple)) else tuple(shape)


def alloc_shared(shape: Any, dtype: Any, scope: str = "shared.dyn") -> Any:
    """A shared (on Tenstorrent: circular-buffer / L1) tile, scope `shared.dyn`."""
    return _T.alloc_buffer(_shape(shape), dtype_name(dtype), scope=scope)


def alloc_fragment(shape: Any, dtype: Any, scope: str = "local.fragment") -> Any:
    """A register fragment (on Tenstorrent: DST / intermediate CB), scope `local.fragment`."""
    return _T.alloc_buffer(_shape(shape), dtype_name(dtype), scope=scope)


def alloc_local(shape: Any, dtype: Any, scope: str = "local") -> Any:
    """A per-thread local buffer, scope `local`."""
    return _T.alloc_buffer(_shape(shape), dtype_name(dtype), scope=scope)


def alloc_global(shape: Any, dtype: Any) -> Any:
    """`T.alloc_global`: refused (a DRAM scratch tensor between T.Kernel launches)."""
    raise fail(f"T.alloc_global({list(_shape(shape))}, {dtype_name(dtype)}): a scratch tensor in DRAM "
               "that one T.Kernel launch writes and a later one reads; a Tenstorrent program runs "
               "one launch. Write each launch as its own @T.prim_func, called in order, and pass "
               "the scratch tensor to both as a parameter (allocated on the host)")


def alloc_var(dtype: Any, *args: Any, init: Any = None, scope: str = "local.var") -> Any:
    """A scalar variable, as TileLang's: `x = T.alloc_var(T.int32)` binds `x` to the value of a
    one-element buffer (scope `local.var`), so `x` reads it in expressions, and `x = v` /
    `x += v` store into it (TVMScript's scalar assignment); `x[0]` reads and writes it too.
    `T.alloc_var(dtype, init)` or `init=` stores its first value; a positional string is the
    scope (`T.alloc_var(T.int32, "local.var")`)."""
    if len(args) > 2:
        raise fail(f"T.alloc_var takes (dtype, init, scope) at most; got {1 + len(args)} positional arguments")
    if len(args) == 1 and isinstance(args[0], str):
        scope = args[0]
    elif len(args) >= 1:
        if init is not None:
            raise fail("T.alloc_var: init is given twice (positionally and as init=)")
        init = args[0]
        scope = args[1] if len(args) == 2 else scope
    buf = _T.alloc_buffer((1,), dtype_name(dtype), scope=scope)
    if init is not None:
        if isinstance(init, (int, float)):
            init = tir.const(init, dtype_name(dtype))
        elif tir.is_buffer(init):  # another variable's buffer: its value
            init = tir.load(init, [0])
        _T.buffer_store(buf, init, [0])
    return _T.scalar_wrapper(tir.load(buf, [0]))


def _var_load(x: Any) -> Any:
    """The buffer of a T.alloc_var's value (a load of element 0 of a one-element local.var
    buffer), else None."""
    if isinstance(x, _T.scalar_wrapper):
        x = x.scalar
    if isinstance(x, tir.TensorLoad) and tir.scope_of(x.source) == "local.var" \
            and len(x.indices) == 1 and tir.as_int(x.indices[0]) == 0:
        return x.source
    return None


def _install_var_subscripts() -> None:
    """`x[0]` of a T.alloc_var bound to its value: the value itself when read, a store into its
    buffer when assigned to (TileLang code writes both `x` and `x[0]`)."""
    load_cls = tir.TensorLoad
    base = load_cls.__getitem__
    if getattr(base, "_tt_var", False):
        return

    def getitem(self: Any, index: Any) -> Any:
        key = index[0] if isinstance(index, (tuple, list)) and len(index) == 1 else index
        if _var_load(self) is not None and tir.as_int(key) == 0:
            return self
        return base(self, index)

    getitem._tt_var = True
    load_cls.__getitem__ = getitem


_install_var_subscripts()


# --- loops ------------------------------------------------------------------------------
MAX_STAGES = 4  # the range README.md documents for T.Pipelined


def Pipelined(start: Any, stop: Any = None, num_stages: int = 0, order: Any = None,
              stage: Any = None, sync: Any = None, group: Any = None) -> Any:
    """A serial loop annotated `num_stages` (+ `tl_pipeline_order`/`tl_pipeline_stage`).

    `num_stages` is 0-4: N >= 1 input blocks in flight per CB (the CB holds N blocks); 0, as
    in TileLang, no software pipelining (the CB holds 2 blocks, like a copy outside a
    pipelined loop). A deeper CB is the compile option `cb_depth`, not more stages.
    """
    if isinstance(num_stages, bool) or not isinstance(num_stages, int) or not 0 <= num_stages <= MAX_STAGES:
        raise fail(f"T.Pipelined(num_stages={num_stages!r}): num_stages must be an int from 0 to {MAX_STAGES} "
                   f"(N >= 1: N blocks per input CB; 0: 2 blocks, no pipelining); for a deeper CB compile "
                   f"with the option cb_depth=N (tt compile --option cb_depth=N)")
    annotations: dict[str, Any] = {"num_stages": num_stages}
    if order is not None:
        annotations["tl_pipeline_order"] = list(order)
    if stage is not None:
        annotations["tl_pipeline_stage"] = list(stage)
    if sync is not None:
        annotations["tl_pipeline_sync"] = list(sync)
    if group is not None:
        annotations["tl_pipeline_group"] = list(group)
    if stop is None:
        return _T.serial(start, annotations=annotations)
    return _T.serial(start, stop, annotations=annotations)


class _ParallelLoops:
    """Marker returned by T.Parallel; the `For` dispatch below opens one loop per extent."""

    def __init__(self, extents: tuple, annotations: dict | None):
        self.extents = extents
        self.annotations = annotations


def Parallel(*extents: Any, coalesced_width: Any = None, loop_layout: Any = None) -> _ParallelLoops:
    """`for i, j in T.Parallel(M, N):` -> nested `T.parallel` loops (For kind Parallel)."""
    if not extents:
        raise fail("T.Parallel needs at least one extent")
    annotations = None
    if coalesced_width is not None:
        annotations = {"coalesced_width": coalesced_width}
    return _ParallelLoops(extents, annotations)


Parallel._tt_parallel = True  # recognised by the For dispatch below (survives reloads)


def _parallel_for(self: Any, node: Any, loops: _ParallelLoops) -> None:
    source = self.diag.source
    line = f"{os.path.basename(str(source.source_name))}:{source.start_line + node.lineno - 1}"
    with self.var_table.with_frame(), contextlib.ExitStack() as stack:
        stack.enter_context(_T.attr(0, tir.SOURCE_LINE_KEY, line))
        loop_vars = []
        for extent in loops.extents:
            frame = _T.parallel(0, extent, annotations=loops.annotations)
            loop_vars.append(stack.enter_context(frame))
        source_value = loop_vars[0] if len(loop_vars) == 1 else loop_vars
        from tvm.tirx.script.parser.parser import bind_for_value

        self.eval_assign(target=node.target, source=source_value, bind_value=bind_for_value)
        self.visit_body(node.body)


def _install_parallel_dispatch() -> None:
    original = _dispatch.get(token="tirx", type_name="For")
    if getattr(original, "_tt_parallel", False):
        return  # already installed (module imported twice)

    def visit_for(self: Any, node: Any) -> None:
        if isinstance(node.iter, _doc.Call):
            func = self.eval_expr(node.iter.func)
            if getattr(func, "_tt_parallel", False):
                loops = self.eval_expr(node.iter)
                _parallel_for(self, node, loops)
                return
        original(self, node)

    visit_for._tt_parallel = True
    _dispatch.register(token="tirx", type_name="For")(visit_for)


_install_parallel_dispatch()


def _store_to_var(parser: Any, target: Any, value: Any) -> bool:
    """`x[0] = v` with `x` a T.alloc_var bound to its value: the store into its buffer."""
    if not (isinstance(target, _doc.Subscript) and isinstance(target.value, _doc.Name)):
        return False
    bound = parser.var_table.get().get(target.value.id)
    buf = _var_load(bound)
    if buf is None:
        return False
    index = parser.eval_expr(target.slice)
    if tir.as_int(index[0] if isinstance(index, (tuple, list)) and len(index) == 1 else index) != 0:
        raise fail(f"{target.value.id} is a T.alloc_var, one element: index it with 0 (or not at all)")
    _T.buffer_store(buf, parser.eval_expr(value), [0])
    return True


def _install_chain_assign() -> None:
    """`A[i] = B[i] = C[i] = v` and `a = b = v` (TileLang's parser takes them; TVMScript's
    refuses "consequential assignments"): one assignment per target, left to right as Python
    does. A later target takes the first one's name when that is a plain name (`b = a`: one
    value, as in Python), else the value again (an element store of a pure expression)."""
    original = _dispatch.get(token="tirx", type_name="Assign")
    if getattr(original, "_tt_chain", False):
        return

    def visit_assign(self: Any, node: Any) -> None:
        if len(node.targets) == 1 and _store_to_var(self, node.targets[0], node.value):
            return
        if len(node.targets) <= 1:
            original(self, node)
            return
        first = node.targets[0]
        at = (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)
        original(self, _doc.Assign([first], node.value, *at))
        for target in node.targets[1:]:
            value = _doc.Name(first.id, _doc.Load(), *at) if isinstance(first, _doc.Name) \
                else node.value
            original(self, _doc.Assign([target], value, *at))

    visit_assign._tt_chain = True
    _dispatch.register(token="tirx", type_name="Assign")(visit_assign)


_install_chain_assign()


def _is_bfloat(expr: Any) -> bool:
    try:
        return str(tir.dtype_of(expr)).startswith("bfloat")
    except (AttributeError, TypeError, ValueError):
        return False


def _install_bf16_comparisons() -> None:
    """`x > 0` with x a bfloat16 load: TVMScript's comparison widens a Python number to the
    other side's dtype only for int and float type codes, so against bfloat16 it passes the
    bare int on and fails ("'int' object has no attribute 'expr_ty'"). The number becomes a
    constant of the expression's dtype first; everything else goes to TVMScript's own op."""
    from tvm import tirx

    def wrap(original: Any, index: int) -> Any:
        def compare(a: Any, b: Any) -> Any:
            expr, num = (a, b) if index == 0 else (b, a)
            if isinstance(num, (int, float)) and not isinstance(num, bool) \
                    and _is_bfloat(expr):
                num = tirx.FloatImm(tir.dtype_of(expr), float(num))
                a, b = (expr, num) if index == 0 else (num, expr)
            return original(a, b)
        return compare

    for ty in (tirx.Expr, tirx.IterVar):
        for op in (_doc.Eq, _doc.NotEq, _doc.Lt, _doc.LtE, _doc.Gt, _doc.GtE):
            for index in (0, 1):
                original = _dispatch.get_op(ty, op, index)
                if original is not None and not getattr(original, "_tt_bf16", False):
                    method = wrap(original, index)
                    method._tt_bf16 = True
                    _dispatch.register_op(ty, op, index)(method)


_install_bf16_comparisons()
