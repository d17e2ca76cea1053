"""Import the frontend IR that real TileLang prints into our canonical form.

TileLang (which bundles its own TVM fork) and apache-tvm 0.27 cannot share a process,
so the interface is text: in a TileLang environment run `print(prim_func.script())`
(or `jit_fn.get_tir(...).script()`) and pass that text to `import_tilelang`.

    import_tilelang(text, source_name="tilelang.py") -> PrimFunc | IRModule

The text is rewritten as a Python AST, then parsed by apache-tvm's TVMScript parser:

- `X_handle: T.handle` + `X = T.match_buffer(X_handle, shape, dtype[, strides=<compact>])`
  -> parameter `X: T.Buffer(shape, dtype)`;
- `for bx in T.thread_binding(n, thread="blockIdx.x"):` -> `bx = T.launch_thread("blockIdx.x", n)`;
- `tx: T.int32 = T.launch_thread_idx(0)` -> dropped (threads are not materialised on
  Tenstorrent; a kernel that uses them is rejected);
- `with T.sblock("tilelang_root"):` -> its body, inlined; `T.reads()/T.writes()` dropped;
  `T.sblock_attr({...})` -> function attributes (`tl.launch_threads`, ...);
  `T.sblock_alloc_buffer` -> `T.alloc_buffer` (flat AllocBuffer);
- `T.attr(None, k, v)` -> `T.attr(0, k, v)` (0.27 rejects a null node);
- TileLang ops -> our `T.tl.*` namespace (`T.copy` -> `T.tl.copy`, `T.region`,
  `T.gemm`, `T.fill`, `T.reduce`, `T.infinity`); a 19-argument gemm (TileLang HEAD,
  with strides/offsets/k_pack/wg_wait) is reduced to the 13-slot form T emits;
- each tile-op statement and each outermost `T.parallel` nest is wrapped in
  `T.attr(0, "tt.source_line", "<source_name>:<line in text>")`.

Anything that cannot be imported (post-LayoutInference `metadata[...]`, thread indices
used in the body, threadIdx bindings, unknown `tl.*` ops) raises TTError naming the line.
"""

from __future__ import annotations

import ast
from typing import Any

from tt_ir import tir
from tt_ir.errors import TTError

_TL_RENAMES = {"copy": "copy", "region": "region", "gemm": "gemm", "fill": "fill",
               "reduce": "reduce", "infinity": "infinity"}
_TILE_OPS = ("copy", "gemm", "fill", "reduce")
_GEMM_HEAD_ARGS = 19


def import_tilelang(text: str, source_name: str = "tilelang.py") -> Any:
    """Parse TileLang-printed TVMScript into a PrimFunc (or IRModule) in canonical form."""
    if "metadata[" in text:
        raise TTError("import_tilelang: the IR refers to metadata[...], which is how TileLang prints "
                      "layouts: those of T.annotate_layout in the kernel (already in its frontend IR), "
                      "or all of them in IR printed after LayoutInference. Layouts have no meaning on "
                      "Tenstorrent (tiles are 32x32): remove T.annotate_layout from the kernel and "
                      "print its frontend IR, before LayoutInference")
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise TTError(f"import_tilelang: not Python/TVMScript text: {exc}") from None
    _Rewriter(source_name).visit(tree)
    ast.fix_missing_locations(tree)
    canonical = ast.unparse(tree)
    try:
        return tir.parse(canonical)
    except Exception as exc:  # noqa: BLE001 - TVM's parser raises many kinds; report them as one
        first = str(exc).strip().splitlines()
        detail = "\n".join(first[:8])
        raise TTError(f"import_tilelang: TVMScript rejected the normalised IR "
                      f"(an op without a shim, or unsupported syntax):\n{detail}") from None


def _is_t_call(node: Any, *names: str) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "T"
            and node.func.attr in names)


def _t_attr(*path: str) -> ast.expr:
    node: ast.expr = ast.Name("T", ast.Load())
    for part in path:
        node = ast.Attribute(node, part, ast.Load())
    return node


def _literal(node: Any) -> Any:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def _kwarg(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


class _Rewriter(ast.NodeTransformer):
    def __init__(self, source_name: str):
        self.source_name = source_name
        self.func_attrs: dict[str, Any] = {}
        self.thread_vars: set[str] = set()
        self.in_parallel = False

    def fail(self, node: Any, message: str) -> TTError:
        return TTError(f"import_tilelang: {message}\n  at {self.source_name}:{getattr(node, 'lineno', '?')}")

    # --- function: params, collected attrs -------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        self.func_attrs, self.thread_vars = {}, set()
        self._fold_match_buffers(node)
        node.body = self._stmts(node.body)
        self._check_thread_vars(node)
        if self.func_attrs:
            node.body.insert(0, self._func_attr_stmt(node))
        return node

    def _fold_match_buffers(self, node: ast.FunctionDef) -> None:
        params = {a.arg: a for a in node.args.args}
        keep = []
        for stmt in node.body:
            folded = self._match_buffer_param(stmt, params)
            if not folded:
                keep.append(stmt)
        node.body = keep

    def _match_buffer_param(self, stmt: ast.stmt, params: dict) -> bool:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name) and _is_t_call(stmt.value, "match_buffer")):
            return False
        call = stmt.value
        handle = call.args[0] if call.args else None
        if not isinstance(handle, ast.Name) or handle.id not in params or len(call.args) < 2:
            return False
        shape = _literal(call.args[1])
        strides = _kwarg(call, "strides")
        others = [k for k in call.keywords if k.arg not in ("strides", "dtype")]
        if others or shape is None or (strides is not None and not _compact(shape, _literal(strides))):
            return False
        dtype = call.args[2] if len(call.args) > 2 else _kwarg(call, "dtype")
        ann_args = [call.args[1]] + ([dtype] if dtype is not None else [])
        param = params[handle.id]
        param.arg = stmt.targets[0].id
        param.annotation = ast.Call(_t_attr("Buffer"), ann_args, [])
        return True

    def _func_attr_stmt(self, node: ast.FunctionDef) -> ast.stmt:
        for i, stmt in enumerate(node.body):
            if isinstance(stmt, ast.Expr) and _is_t_call(stmt.value, "func_attr"):
                existing = _literal(stmt.value.args[0]) or {}
                node.body.pop(i)
                self.func_attrs = {**existing, **self.func_attrs}
                break
        value = ast.parse(repr(self.func_attrs), mode="eval").body
        return ast.Expr(ast.Call(_t_attr("func_attr"), [value], []))

    def _check_thread_vars(self, node: ast.FunctionDef) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in self.thread_vars:
                raise self.fail(sub, f"the kernel uses thread index {sub.id!r}; thread-level "
                                     "code cannot be mapped to Tenstorrent cores")

    # --- statements --------------------------------------------------------------------
    def _stmts(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for stmt in stmts:
            out.extend(self._stmt(stmt))
        return out

    def _stmt(self, stmt: ast.stmt) -> list[ast.stmt]:
        if isinstance(stmt, ast.For):
            return self._for(stmt)
        if isinstance(stmt, ast.With):
            return self._with(stmt)
        if isinstance(stmt, ast.AnnAssign) and _is_t_call(stmt.value, "launch_thread_idx"):
            self.thread_vars.add(stmt.target.id)
            return []
        if isinstance(stmt, ast.Expr) and _is_t_call(stmt.value, "reads", "writes"):
            return []
        if isinstance(stmt, ast.Expr) and _is_t_call(stmt.value, "sblock_attr"):
            self.func_attrs.update(_literal(stmt.value.args[0]) or {})
            return []
        if isinstance(stmt, ast.If):
            stmt.test = self.visit(stmt.test)
            stmt.body, stmt.orelse = self._stmts(stmt.body), self._stmts(stmt.orelse)
            return [stmt]
        stmt = self.visit(stmt)
        if isinstance(stmt, ast.Expr) and self._is_tile_op(stmt):
            return [self._with_line(stmt, stmt)]
        return [stmt]

    def _is_tile_op(self, stmt: ast.Expr) -> bool:
        func = stmt.value.func if isinstance(stmt.value, ast.Call) else None
        return (isinstance(func, ast.Attribute) and func.attr in _TILE_OPS
                and isinstance(func.value, ast.Attribute) and func.value.attr == "tl")

    def _with_line(self, stmt: ast.stmt, body: ast.stmt | list) -> ast.stmt:
        line = ast.Constant(f"{self.source_name}:{stmt.lineno}")
        attr = ast.Call(_t_attr("attr"), [ast.Constant(0), ast.Constant(tir.SOURCE_LINE_KEY), line], [])
        return ast.With([ast.withitem(attr, None)], body if isinstance(body, list) else [body])

    def _for(self, stmt: ast.For) -> list[ast.stmt]:
        it = stmt.iter
        if _is_t_call(it, "thread_binding"):
            thread = _literal(_kwarg(it, "thread") or (it.args[-1] if len(it.args) > 1 else None))
            if not isinstance(thread, str) or not thread.startswith("blockIdx."):
                raise self.fail(stmt, f"thread binding {thread!r} is not a blockIdx; only the "
                                      "block grid maps to Tenstorrent cores")
            launch = ast.Call(_t_attr("launch_thread"), [ast.Constant(thread), it.args[0]], [])
            assign = ast.Assign([ast.Name(stmt.target.id, ast.Store())], launch, lineno=stmt.lineno)
            return [assign, *self._stmts(stmt.body)]
        stmt.iter = self.visit(stmt.iter)
        outermost_parallel = _is_t_call(it, "parallel") and not self.in_parallel
        self.in_parallel = self.in_parallel or outermost_parallel
        stmt.body = self._stmts(stmt.body)
        if outermost_parallel:
            self.in_parallel = False
            return [self._with_line(stmt, stmt)]
        return [stmt]

    def _with(self, stmt: ast.With) -> list[ast.stmt]:
        first = stmt.items[0].context_expr
        if len(stmt.items) == 1 and _is_t_call(first, "sblock", "block"):
            return self._stmts(stmt.body)
        for item in stmt.items:
            item.context_expr = self.visit(item.context_expr)
        stmt.body = self._stmts(stmt.body)
        return [stmt]

    # --- expressions -------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if _is_t_call(node, "sblock_alloc_buffer"):
            node.func = _t_attr("alloc_buffer")
        elif _is_t_call(node, "attr") and node.args and _literal(node.args[0]) is None \
                and isinstance(node.args[0], ast.Constant):
            node.args[0] = ast.Constant(0)
        elif _is_t_call(node, *_TL_RENAMES):
            name = node.func.attr
            node.func = _t_attr("tl", _TL_RENAMES[name])
            if name == "gemm" and len(node.args) == _GEMM_HEAD_ARGS:
                node.args = node.args[:10] + [node.args[16], node.args[17], node.args[18]]
        return node


def _compact(shape: Any, strides: Any) -> bool:
    if not isinstance(shape, (list, tuple)) or not isinstance(strides, (list, tuple)):
        return False
    if len(shape) != len(strides) or not all(isinstance(s, int) for s in shape):
        return False
    expected, acc = [], 1
    for extent in reversed(shape):
        expected.append(acc)
        acc *= extent
    return list(strides) == expected[::-1]
