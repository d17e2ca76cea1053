"""TileLang's eager kernels: `@tt_cli.jit` on a function whose body is the kernel.

    @tt_cli.jit
    def matmul(A, B, block_M, block_N, block_K, dtype=T.bfloat16):
        M, N, K = T.const("M, N, K")          # sizes: from the inputs' shapes or compile()
                                              # (M = T.dynamic("m") too: one compile per shape)
        A: T.Tensor((M, K), dtype)            # a parameter's tensor type
        B: T.Tensor((K, N), dtype)
        C = T.empty((M, N), dtype)            # an output (or: a parameter the kernel writes,
                                              # filled in place: C: T.Tensor((M, N), dtype))
        with T.Kernel(...) as (bx, by):
            ...
        return C

    kernel = matmul.compile(M=1024, N=1024, K=1024, block_M=128, block_N=128, block_K=32)
    c = kernel(a, b)                          # or c = matmul(a, b, 128, 128, 32)

The function is rewritten, source to source, into the classic form TVMScript parses: a
factory taking the plain parameters and the `T.const` sizes, whose statements before the
`with T.Kernel` block stay as they are, then `@T.prim_func def <name>(<tensor params>,
<outputs>)` holding the kernel block. Every statement keeps its line number (the two new
header lines take the place of removed or blank lines just above the kernel block), so
messages point at the user's lines; the generated file has the user's file name and lives
in a temporary directory removed at exit.
"""

from __future__ import annotations

import ast
import atexit
import inspect
import linecache
import re
import shutil
import tempfile
import textwrap
from pathlib import Path
from typing import Any

from tt_ir.errors import TTCompileError, TTError
from tt_ir.language._annotate import say_once
from tt_ir.sizes import SizeError

_DIRS: list = []


def _cleanup() -> None:
    for d in _DIRS:
        shutil.rmtree(d, ignore_errors=True)


atexit.register(_cleanup)


def _call_name(node: Any) -> str | None:
    """`T.empty` / `T.const` / `T.Tensor` of `T.<name>(...)`."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _tensor_annotation(node: Any) -> tuple[bool, Any]:
    """(whether `node` is `T.Tensor(shape, dtype)` / `T.Tensor[shape, dtype]` (or T.Buffer),
    its shape node or None)."""
    if _call_name(node) in ("Tensor", "Buffer"):
        return True, node.args[0] if node.args else None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and \
            node.value.attr in ("Tensor", "Buffer"):
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        return True, items[0]
    return False, None


def is_eager(fn: Any) -> bool:
    """Whether `fn`'s body is a kernel (T.empty / T.const / `X: T.Tensor(...)` at its top level)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return False
    func = tree.body[0] if tree.body and isinstance(tree.body[0], ast.FunctionDef) else None
    if func is None:
        return False
    for stmt in func.body:
        if isinstance(stmt, ast.AnnAssign) and stmt.value is None and \
                _tensor_annotation(stmt.annotation)[0]:
            return True
        if isinstance(stmt, (ast.Assign, ast.Expr)) and _call_name(stmt.value) in ("empty", "const"):
            return True
    return False


def _dynamic_sizes(stmt: ast.Assign) -> list:
    """[(target, size name)] of `M = T.dynamic("m")` or `M, N = T.dynamic("m"), T.dynamic("n")`."""
    target, value = stmt.targets[0], stmt.value
    pairs = list(zip(target.elts, value.elts)) if isinstance(target, ast.Tuple) and \
        isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts) else [(target, value)]
    out = []
    for t, v in pairs:
        if not isinstance(t, ast.Name) or _call_name(v) not in ("dynamic", "symbolic"):
            return []
        arg = v.args[0] if v.args else None
        out.append((t.id, arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                    else t.id))
    return out


class EagerKernel:
    """An eager TileLang kernel: `.compile(**values)` and calls on tensors."""

    def __init__(self, fn: Any, arch: str, options: dict):
        self.fn, self.arch, self.options = fn, arch, options
        self.__name__ = fn.__name__
        self.__doc__ = fn.__doc__
        self._cache: dict = {}
        self._generic: bool | None = None  # T.dynamic: one compile for all shapes works
        self._read()
        self._factory = self._build()

    # ---- reading the function ----------------------------------------------------------
    def _read(self) -> None:
        lines, first = inspect.getsourcelines(self.fn)
        self.file = inspect.getsourcefile(self.fn) or "<kernel>"
        source = textwrap.dedent("".join(lines))
        self.indent = len(lines[0]) - len(lines[0].lstrip())
        tree = ast.parse(source)
        func = tree.body[0]
        self.first = first               # the file line of the source's first line
        self.def_line = func.lineno      # the def line within the source (after decorators)
        self.params = [a.arg for a in func.args.args]
        defaults = func.args.defaults
        self.defaults = {a.arg: ast.get_source_segment(source, d)
                         for a, d in zip(func.args.args[len(func.args.args) - len(defaults):], defaults)}
        self.consts: list = []
        self.dynamic: dict = {}     # T.dynamic size -> its name ("m")
        self.tensors: dict = {}     # param -> (annotation source, shape element sources)
        self.outputs: dict = {}     # output name -> T.empty args source
        self.returned: list = []
        self.return_line = 0
        removed: set = set()
        kernel_at = None
        for stmt in func.body:
            span = set(range(stmt.lineno, stmt.end_lineno + 1))
            if isinstance(stmt, ast.AnnAssign) and stmt.value is None and \
                    _tensor_annotation(stmt.annotation)[0]:
                name = stmt.target.id
                if name not in self.params:
                    raise self._error(stmt, f"'{name}: T.Tensor(...)' annotates no parameter of "
                                            f"{self.__name__}({', '.join(self.params)})")
                shape = _tensor_annotation(stmt.annotation)[1]
                shape_src = ast.get_source_segment(source, shape) if shape is not None else "()"
                self.tensors[name] = (ast.get_source_segment(source, stmt.annotation), shape_src)
                removed |= span
            elif isinstance(stmt, ast.Assign) and _call_name(stmt.value) == "const":
                names = stmt.value.args[0].value if stmt.value.args else ""
                # TileLang takes "M, N, K" and "M N K" alike
                self.consts += [n for n in re.split(r"[,\s]+", str(names)) if n]
                removed |= span
            elif isinstance(stmt, ast.Assign) and _dynamic_sizes(stmt):
                # runtime sizes: one compiled kernel serves every shape whose sizes are
                # multiples of their granules (tt_ir.sizes); other shapes compile on their own
                for target, name in _dynamic_sizes(stmt):
                    self.consts.append(target)
                    self.dynamic[target] = name
                removed |= span
            elif isinstance(stmt, ast.Assign) and _call_name(stmt.value) == "empty":
                target = stmt.targets[0].id
                args = ", ".join(ast.get_source_segment(source, a) for a in stmt.value.args)
                self.outputs[target] = args
                removed |= span
            elif isinstance(stmt, ast.Return):
                value = stmt.value
                items = value.elts if isinstance(value, ast.Tuple) else [value] if value else []
                self.returned = [x.id for x in items if isinstance(x, ast.Name)]
                removed |= span
                self.return_line = stmt.lineno
            elif isinstance(stmt, ast.With) and kernel_at is None:
                kernel_at = stmt
            elif kernel_at is not None:
                raise self._error(stmt, "an eager kernel ends with its `with T.Kernel(...)` block "
                                        "and `return`; move this statement before the block")
        if kernel_at is None:
            raise self._error(func, "an eager kernel needs a `with T.Kernel(...)` block")
        self.kernel_block = (kernel_at.lineno, kernel_at.end_lineno)
        self.body_start = func.body[0].lineno
        self.source_lines = source.splitlines()
        self.removed = removed

    def _error(self, node: Any, message: str) -> TTError:
        line = self.first + getattr(node, "lineno", 1) - 1
        return TTError(f"{message}\n  at {Path(self.file).name}:{line}")

    # ---- writing the classic form -----------------------------------------------------
    def _build(self) -> Any:
        """The factory `(plain params..., consts...) -> PrimFunc`, from a generated file."""
        src, d = self.source_lines, self.def_line
        k0, k1 = self.kernel_block
        out = [""] * len(src)            # out[i - 1]: line i of the function's source
        plain = [p for p in self.params if p not in self.tensors]
        sig = [f"{p}={self.defaults[p]}" if p in self.defaults else p for p in plain]
        consts = [c for c in self.consts if c not in plain]
        sig += ["*", *consts] if consts else []  # keyword-only: after any defaults
        out[d - 1] = f"def {self.__name__}({', '.join(sig)}):"
        for i in range(self.body_start, k0):  # statements before the block stay in place
            out[i - 1] = "" if i in self.removed else src[i - 1]
        params = [f"{t}: {self.tensors[t][0]}" for t in self.params if t in self.tensors]
        params += [f"{o}: T.Tensor({a})" for o, a in self.outputs.items()]
        header = ["    @T.prim_func", f"    def {self.__name__}({', '.join(params)}):"]
        body = [("    " + line) if line.strip() else line for line in src[k0 - 1:k1]]
        tail = [""] * (len(src) - k1)
        if self.return_line:
            tail[self.return_line - k1 - 1] = f"    return {self.__name__}"
        room = k0 - 2 > d and all(not out[i - 1].strip() or out[i - 1].strip().startswith("#")
                                  for i in (k0 - 2, k0 - 1))
        if room:  # the header takes two free lines just above the block: nothing moves
            out = out[:k0 - 3] + header + body + tail
        else:     # no room: insert it (later lines shift by two)
            out = out[:k0 - 1] + header + body + tail
        if not self.return_line:
            out.append(f"    return {self.__name__}")
        # the tensors' shapes for given sizes (to read the sizes back from a call's tensors)
        shapes = ", ".join(self.tensors[t][1] for t in self.params if t in self.tensors)
        out.append(f"def __tt_shapes__({', '.join(sig)}):")
        out += ["" if i in self.removed else src[i - 1] for i in range(self.body_start, k0)
                if i not in self.removed and src[i - 1].strip()]
        out.append(f"    return [{shapes}]")
        text = "\n" * (self.first - 1) + "\n".join(out) + "\n"
        folder = tempfile.mkdtemp(prefix="tt-eager-")
        _DIRS.append(folder)
        path = Path(folder) / Path(self.file).name
        path.write_text(text)
        linecache.checkcache(str(path))
        scope = dict(self.fn.__globals__)
        exec(compile(text, str(path), "exec"), scope)  # noqa: S102 -- the user's own kernel
        self._shapes = scope["__tt_shapes__"]
        return scope[self.__name__]

    # ---- using it ----------------------------------------------------------------------
    def _sizes(self, plain: dict, tensors: dict) -> dict:
        """The T.const / T.dynamic sizes, read from the tensors: the declared shapes are
        evaluated with a distinct marker number per size, and each marker's position names
        the tensor dim that gives it."""
        marks = {c: 1000003 + 7919 * k for k, c in enumerate(self.consts)}
        declared = self._shapes(**plain, **marks)
        sizes: dict = {}
        names = [t for t in self.params if t in self.tensors]
        for name, shape in zip(names, declared):
            shape = tuple(shape) if isinstance(shape, (list, tuple)) else (shape,)
            got = tuple(tensors[name].shape)
            if len(shape) != len(got):
                raise TTError(f"{self.__name__}: '{name}' is declared with {len(shape)} dims "
                              f"({self.tensors[name][1]}), got shape {got}")
            for dim, n in zip(shape, got):
                size = next((c for c, m in marks.items() if dim == m), None)
                if size is not None and sizes.setdefault(size, int(n)) != int(n):
                    raise TTError(f"{self.__name__}: size {size} is {sizes[size]} from one tensor "
                                  f"and {int(n)} from '{name}'")
        return sizes


    @property
    def out_idx(self) -> list | None:
        """Positions of the outputs: the T.empty tensors (in `return` order); None when the
        kernel makes none (the parameters it writes are its outputs, written in place)."""
        if not self.outputs:
            return None
        names = [t for t in self.params if t in self.tensors] + list(self.outputs)
        wanted = self.returned or list(self.outputs)
        return [names.index(o) for o in wanted]

    def compile(self, **values: Any) -> Any:
        """The compiled kernel for these plain parameters and sizes (cached)."""
        from tt_cli._driver import compile as tt_compile

        missing = [c for c in self.consts if c not in values and c not in self.dynamic]
        if missing:
            raise TTError(f"{self.__name__}.compile: give the sizes {', '.join(missing)} "
                          f"(T.const), e.g. {self.__name__}.compile({', '.join(f'{m}=...' for m in missing)}, ...)")
        key = tuple(sorted((k, repr(v)) for k, v in values.items()))
        if key not in self._cache:
            from tt_ir import language as T

            sizes = {d: T.dynamic(name) for d, name in self.dynamic.items() if d not in values}
            func = self._factory(**values, **sizes)
            self._cache[key] = tt_compile(func, out_idx=self.out_idx, arch=self.arch,
                                          **self.options)
        return self._cache[key]

    def get_tir(self, **values: Any) -> Any:
        """The PrimFunc for these plain parameters and sizes (not compiled)."""
        return self._factory(**values)

    def get_kernel_source(self, **values: Any) -> str:
        """The compute kernel's C++ for these plain parameters and sizes."""
        return self.compile(**values).get_kernel_source()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        bound = dict(zip(self.params, args))
        bound.update(kwargs)
        tensors = {t: bound.pop(t) for t in list(bound) if t in self.tensors}
        missing = [t for t in self.tensors if t not in tensors]
        if missing:
            raise TTError(f"{self.__name__}: pass the tensor(s) {', '.join(missing)}")
        sizes = self._sizes(bound, tensors)
        args = [tensors[t] for t in self.params if t in tensors]
        if self.dynamic and self._generic is not False:
            try:  # one kernel for every shape (sizes as runtime arguments)
                kernel = self.compile(**bound, **{k: v for k, v in sizes.items()
                                                  if k not in self.dynamic})
                self._generic = True
                return kernel(*args)
            except SizeError as e:  # this shape does not fit it: its own compile
                say_once(f"{self.__name__}:{e.message}", f"{self.__name__}: {e.message}; "
                         "this shape is compiled on its own")
            except TTCompileError as e:
                if self._generic:  # it compiled before: a real error of this call
                    raise
                self._generic = False
                say_once(self.__name__, f"{self.__name__}: cannot compile T.dynamic sizes as runtime "
                         f"arguments ({str(e).splitlines()[0]}); each distinct shape compiles on its own")
        kernel = self.compile(**bound, **sizes)
        return kernel(*args)
