"""Loading kernel files for the `tt` command.

A kernel file is ordinary Python. It may hold `@T.prim_func` kernels, factories decorated
with `tt_cli.jit` (parameters come from `--param K=V`), or plain factory functions that
return a PrimFunc (named with `--kernel`). It may define `reference(*inputs)` (numpy) for
`tt run` to compare against (`<kernel>_reference` first, for a file of several kernels), and
`inputs(seed)` to replace the random inputs.

A file of the IR that real TileLang prints (`print(func.script())`: TVMScript whose `T` is
imported only in a comment) is read through `tt_ir.importer.import_tilelang` instead.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from tt_ir import TTError


class KernelFileError(TTError):
    """A kernel file that cannot be loaded or holds no usable kernel."""


@dataclass
class LoadedKernel:
    name: str
    func: Any                      # the PrimFunc
    module: ModuleType
    out_idx: Any = None
    arch: str | None = None
    options: dict | None = None
    params: dict | None = None

    def helper(self, name: str) -> Callable | None:
        """The file's `<kernel>_<name>` function (`quantize_reference`: a file of several
        kernels names its helpers per kernel; then a helper it lacks is None), else `<name>`."""
        own = getattr(self.module, f"{self.name}_{name}", None)
        if callable(own):
            return own
        if callable(getattr(self.module, f"{self.name}_reference", None)):
            return None
        shared = getattr(self.module, name, None)
        return shared if callable(shared) else None

    @property
    def reference(self) -> Callable | None:
        return self.helper("reference")

    def call_reference(self, *inputs: Any) -> Any:
        """Calls `reference(*inputs, **p)` with the factory parameters `p` it names."""
        return self.call_with_params(self.reference, *inputs)

    def call_with_params(self, fn: Callable, *inputs: Any) -> Any:
        """Calls `fn(*inputs, **p)` with those factory parameters `p` that `fn` names. An
        exception from it is the kernel file's, and is reported as such (not as tt's)."""
        accepted = inspect.signature(fn).parameters
        kwargs = {k: v for k, v in (self.params or {}).items() if k in accepted}
        try:
            return fn(*inputs, **kwargs)
        except TTError:
            raise
        except Exception as err:
            where = getattr(self.module, "__file__", None) or self.module.__name__
            shapes = ", ".join(str(getattr(a, "shape", type(a).__name__)) for a in inputs)
            raise KernelFileError(
                f"{fn.__name__}() in {where} raised {type(err).__name__}: {err} (called with "
                f"inputs of shape {shapes}{' and ' + repr(kwargs) if kwargs else ''}); it is the "
                "kernel file's own helper: fix it (tt -v shows its traceback)") from err

    @property
    def make_inputs(self) -> Callable | None:
        return self.helper("inputs")


def parse_params(pairs: tuple[str, ...]) -> dict[str, Any]:
    """`("M=1024", "dtype=bfloat16")` -> `{"M": 1024, "dtype": "bfloat16"}`."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.isidentifier():
            raise KernelFileError(f"--param '{pair}' is not NAME=VALUE (e.g. --param M=1024)")
        try:
            params[key] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            params[key] = text
    return params


def parse_options(pairs: tuple[str, ...]) -> dict[str, Any]:
    """`("cb_depth=1", "math_fidelity=HiFi2")` -> `{"cb_depth": 1, "math_fidelity": "HiFi2"}` (--option)."""
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.isidentifier():
            raise KernelFileError(f"--option '{pair}' is not KEY=VALUE (e.g. --option cb_depth=1)")
        if key == "arch":
            raise KernelFileError("--option arch=...: the target is chosen with --arch (wormhole_b0 or blackhole)")
        try:
            options[key] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            options[key] = text
    return options


def printed_ir(text: str) -> bool:
    """Whether `text` is IR printed by TileLang (or TVM): a `@T.prim_func` / `@I.ir_module`
    without a line that imports or assigns `T`, which Python could not run (NameError: T)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return False
    binds_t = any(isinstance(node, (ast.Import, ast.ImportFrom)) and any((a.asname or a.name) == "T"
                                                                         for a in node.names)
                  or isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "T"
                                                          for t in node.targets)
                  for node in tree.body)
    decorated = any(isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.decorator_list
                    and ast.unparse(node.decorator_list[0]) in ("T.prim_func", "I.ir_module")
                    for node in tree.body)
    return decorated and not binds_t


def _printed_ir_module(path: Path, text: str) -> ModuleType:
    """A module holding the kernels of a file of TileLang's printed IR, each under its name."""
    from tt_ir import tir
    from tt_ir.importer import import_tilelang

    imported = import_tilelang(text, source_name=path.name)
    module = ModuleType(f"_tt_kernel_ir_{abs(hash(str(path.resolve())))}")
    module.__file__ = str(path)
    if isinstance(imported, tir.PrimFunc):
        funcs = {str(tir.get_attr(imported, "global_symbol") or path.stem): imported}
    else:
        funcs = {str(gv.name_hint): f for gv, f in imported.functions.items()}
    for name, func in funcs.items():
        setattr(module, name, func)
    return module


def load_module(path: Path) -> ModuleType:
    if not path.is_file():
        raise KernelFileError(f"kernel file '{path}' does not exist")
    text = path.read_text(errors="replace")
    if printed_ir(text):
        return _printed_ir_module(path, text)
    name = f"_tt_kernel_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        raise KernelFileError(f"{path}:{e.lineno}: syntax error: {e.msg}\n  {(e.text or '').rstrip()}") from None
    except TTError:
        raise
    except Exception as e:  # the user's module failed while building its kernels
        frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == str(path)]
        where = f"{path}:{frames[-1].lineno}" if frames else str(path)
        raise KernelFileError(f"{where}: loading the kernel file failed: {type(e).__name__}: {e}") from e
    return module


def _candidates(module: ModuleType) -> dict[str, Any]:
    """{name: kernel} of the module's kernels; an `@tt_cli.autotune` kernel as the kernel it
    tunes (built with the --param values; `tt tune` ranks its configs)."""
    from tt_cli._driver import JitKernel
    from tt_cli._eager import EagerKernel
    from tt_cli.autotuner import AutoTuned, AutoTunedEager
    from tt_ir import tir

    found = {}
    for name, value in vars(module).items():
        if name.startswith("_"):
            continue
        if isinstance(value, AutoTuned):
            value = value.jit
        elif isinstance(value, AutoTunedEager):
            value = value.eager
        if isinstance(value, (tir.PrimFunc, JitKernel, EagerKernel)):
            found[name] = value
    return found


def tune_configs(path: Path, kernel: str | None) -> list[dict] | None:
    """The configs of the file's `@tt_cli.autotune` kernel (`kernel`, or the only kernel), or
    None when it is not autotuned."""
    from tt_cli.autotuner import AutoTuned, AutoTunedEager, expand

    module = load_module(path)
    tuned = {n: v for n, v in vars(module).items()
             if isinstance(v, (AutoTuned, AutoTunedEager)) and not n.startswith("_")}
    name = kernel if kernel is not None else (next(iter(_candidates(module)))
                                              if len(_candidates(module)) == 1 else None)
    return expand(tuned[name].configs) if name in tuned else None


def load_kernel(path: Path, kernel: str | None = None, params: dict[str, Any] | None = None) -> LoadedKernel:
    """Loads `path` and returns the kernel to compile, built with `params` if it is a factory."""
    from tt_cli._driver import JitKernel
    from tt_ir import tir

    module = load_module(path)
    found = _candidates(module)
    if kernel is None:
        if not found:
            raise KernelFileError(f"{path} defines no kernel: expected a @T.prim_func or a @tt_cli.jit factory")
        if len(found) > 1:
            raise KernelFileError(f"{path} defines several kernels ({', '.join(sorted(found))}); choose one with --kernel NAME")
        kernel = next(iter(found))
    value = found.get(kernel, getattr(module, kernel, None))
    if value is None:
        names = ", ".join(sorted(found)) or "none"
        raise KernelFileError(f"{path} has no kernel '{kernel}'; kernels in it: {names}")
    params = params or {}
    if isinstance(value, tir.PrimFunc):
        if params:
            raise KernelFileError(f"'{kernel}' is a @T.prim_func and takes no --param (got {', '.join(params)})")
        return LoadedKernel(kernel, value, module)
    from tt_cli._eager import EagerKernel

    if isinstance(value, EagerKernel):  # its plain parameters and its sizes are the --params
        _check_params(kernel, value._factory, params)
        func = _call_factory(path, kernel, value._factory, params)
        return LoadedKernel(kernel, func, module, value.out_idx, value.arch, dict(value.options),
                            params)
    factory = value.factory if isinstance(value, JitKernel) else value
    if not callable(factory):
        raise KernelFileError(f"'{kernel}' in {path} is neither a PrimFunc nor a kernel factory")
    _check_params(kernel, factory, params)
    func = _call_factory(path, kernel, factory, params)
    if not isinstance(func, tir.PrimFunc):
        raise KernelFileError(f"factory '{kernel}' returned {type(func).__name__}, expected a @T.prim_func")
    params = {**_defaults(factory), **params}  # what the reference sees: the sizes in effect
    if isinstance(value, JitKernel):
        return LoadedKernel(kernel, func, module, value.out_idx, value.arch, dict(value.options), params)
    return LoadedKernel(kernel, func, module, params=params)


def _defaults(factory: Callable) -> dict[str, Any]:
    return {name: p.default for name, p in inspect.signature(factory).parameters.items()
            if p.default is not inspect.Parameter.empty}


def _check_params(kernel: str, factory: Callable, params: dict[str, Any]) -> None:
    sig = inspect.signature(factory)
    unknown = [k for k in params if k not in sig.parameters]
    if unknown:
        raise KernelFileError(f"factory '{kernel}' has no parameter {', '.join(unknown)}; its parameters: {', '.join(sig.parameters)}")
    missing = [p.name for p in sig.parameters.values() if p.default is inspect.Parameter.empty and p.name not in params]
    if missing:
        raise KernelFileError(f"factory '{kernel}' needs --param for {', '.join(missing)}")
    for name, value in params.items():
        _check_param_type(kernel, name, value, sig.parameters[name].default)


def _check_param_type(kernel: str, name: str, value: Any, default: Any) -> None:
    """A parameter whose default is a number (or a bool) must be given one: `M=abc` is refused."""
    if default is inspect.Parameter.empty or default is None:
        return
    if isinstance(default, bool):
        ok, kind = isinstance(value, bool), "True or False"
    elif isinstance(default, int):
        ok, kind = isinstance(value, int) and not isinstance(value, bool), "an integer"
    elif isinstance(default, float):
        ok, kind = isinstance(value, (int, float)) and not isinstance(value, bool), "a number"
    else:
        return
    if not ok:
        raise KernelFileError(
            f"--param {name}={value!r}: factory '{kernel}' takes {kind} for {name} (its default is {default!r}); "
            f"e.g. --param {name}={default!r}"
        )


def _call_factory(path: Path, kernel: str, factory: Callable, params: dict[str, Any]) -> Any:
    """`factory(**params)`; an exception it raises becomes a KernelFileError naming the parameters and the line."""
    try:
        return factory(**params)
    except TTError:
        raise
    except Exception as e:
        frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == str(path)]
        where = f"{path}:{frames[-1].lineno}: " if frames else ""
        given = ", ".join(f"{k}={v!r}" for k, v in params.items()) or "no parameters"
        raise KernelFileError(
            f"{where}factory '{kernel}' failed with {given}: {type(e).__name__}: {e}; check the --param values"
        ) from e
