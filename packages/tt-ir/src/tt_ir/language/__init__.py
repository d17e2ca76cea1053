"""The TileLang surface on apache-tvm 0.27: `import tt_ir.language as T`.

A TileLang kernel ports by changing its import line::

    @T.prim_func
    def matmul(A: T.Tensor((M, K), T.bfloat16), B: T.Tensor((K, N), T.bfloat16),
               C: T.Tensor((M, N), T.bfloat16)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm), threads=128) as (bx, by):
            A_s = T.alloc_shared((bm, bk), T.bfloat16)
            ...
            for k in T.Pipelined(T.ceildiv(K, bk), num_stages=3):
                T.copy(A[by * bm, k * bk], A_s)
                T.gemm(A_s, B_s, C_l)

API
    prim_func            decorator; PrimFunc named like the Python function
    Tensor, Buffer       parameter annotations `T.Tensor(shape, dtype)`
    SharedBuffer, FragmentBuffer, LocalBuffer   annotations of `T.macro` parameters
    Kernel(gx[, gy[, gz]], threads=128) -> block vars (bx[, by[, bz]])
    alloc_shared / alloc_fragment / alloc_local / alloc_var
    copy, gemm (GemmWarpPolicy), fill, clear, reduce, reduce_max/min/sum/abssum/absmax
    Pipelined(n, num_stages=, order=, stage=), Parallel(*extents), serial, unroll,
    vectorized, grid, use_swizzle
    ceildiv, clamp, atomic_add, max, min, exp, exp2, log, log2, abs, sqrt, rsqrt, if_then_else, infinity, cast
    dtypes: float16 bfloat16 float32 float64 int8 int16 int32 int64 uint8 uint16 uint32
            bool -- each usable as a dtype ("bfloat16") and as a constant (T.float32(0))
    Tenstorrent: tt_layout(memory=, kind=, shard_grid=, shard_shape=, strategy=, order=),
            annotate_layout({buf: layout}), annotate_core_grid(x, y)
    Anything else falls through to apache-tvm's TVMScript `T` (T.evaluate, T.Cast, ...).

Canonical IR produced (what tt-passes consumes)
    - T.Kernel: `T.launch_thread("blockIdx.x"|"y"|"z", extent)` (AttrStmt thread_extent);
      no threadIdx; `threads` -> function attribute `tl.launch_threads = [t, 1, 1]`.
    - alloc_*: flat AllocBuffer with scope "shared.dyn" / "local.fragment" / "local" /
      "local.var".
    - tile ops: `Evaluate(tl.tileop.copy|gemm|fill|reduce(...))` with `tl.region`
      operands, exactly TileLang's encoding (printed `T.tl.copy(T.tl.region(...), ...)`).
    - Pipelined: serial For with annotation num_stages; Parallel: nested For kind Parallel.
    - Source lines: each tile op and each T.Parallel nest is wrapped in
      `AttrStmt(0, "tt.source_line", "kernel.py:14")` (printed
      `with T.attr({"tt.source_line": "kernel.py:14"}):`); see tt_ir.tir.tile_op_sites.
    - Layouts: function attribute `tt.layouts = {buffer name: {"memory", "kind",
      "order"[, "shard_grid", "shard_shape", "strategy"]}}`; core grid: `tt.core_grid =
      [x, y]`.

Errors in kernels (mismatched copy shapes, bad gemm K, ...) raise tt_ir.errors.TTError
with the kernel line.
"""

from __future__ import annotations

import builtins as _builtins
from typing import Any

from tvm import tirx as _tirx
from tvm.script import tirx as _T

from tt_ir import tir as _tir
from tt_ir.errors import TTError
from tt_ir.language import _tvm_compat
from tt_ir.language._annotate import (
    CORE_GRID_ATTR,
    LAYOUTS_ATTR,
    TTLayout,
    annotate_core_grid,
    annotate_layout,
    say_once,
    tt_layout,
)
from tt_ir.language._build import (
    Kernel,
    Parallel,
    Pipelined,
    alloc_fragment,
    alloc_global,
    alloc_local,
    alloc_shared,
    alloc_var,
    dtype_name,
    prim_func,
)
from tt_ir.language._tileops import (
    GemmWarpPolicy,
    c2d_im2col,
    clear,
    copy,
    cummax,
    cumsum,
    fill,
    gemm,
    im2col,
    reduce,
    reduce_absmax,
    reduce_abssum,
    reduce_max,
    reduce_min,
    reduce_sum,
    reshape,
    transpose,
    view,
)


class dtype(str):
    """A dtype that is also a constant constructor: `T.float32` == "float32", `T.float32(0)`.
    `T.dtype(x)` takes a name, a torch or numpy dtype (`T.dtype(q.dtype)`, as TileLang does)."""

    def __new__(cls, value: Any) -> dtype:
        return super().__new__(cls, dtype_name(value))

    def __call__(self, value: Any = None) -> Any:
        return getattr(_T, str(self))(value)

    def as_torch(self) -> Any:
        """The torch dtype of the same name (torch must be installed)."""
        import torch

        return getattr(torch, {"float": "float32", "half": "float16"}.get(str(self), str(self)))


float16 = dtype("float16")
bfloat16 = dtype("bfloat16")
float32 = dtype("float32")
float64 = dtype("float64")
int8 = dtype("int8")
int16 = dtype("int16")
int32 = dtype("int32")
int64 = dtype("int64")
uint8 = dtype("uint8")
uint16 = dtype("uint16")
uint32 = dtype("uint32")
bool = dtype("bool")
half, float = float16, float32
# Low-precision floats: named so that kernels declaring them reach the compiler, which
# refuses them naming Tenstorrent's own 8-bit format (bfloat8_b).
float8_e4m3fn = dtype("float8_e4m3fn")
float8_e4m3 = dtype("float8_e4m3")
float8_e5m2 = dtype("float8_e5m2")
float8_e4m3fnuz = dtype("float8_e4m3fnuz")
float8_e5m2fnuz = dtype("float8_e5m2fnuz")
float8_e8m0fnu = dtype("float8_e8m0fnu")
float4_e2m1fn = dtype("float4_e2m1fn")


class _TensorAnnotation:
    """Parameter annotation of a global buffer: `A: T.Tensor((M, K), T.bfloat16)` or, as
    older TileLang writes it, `A: T.Tensor[(M, K), T.bfloat16]`."""

    def __call__(self, shape: Any, dtype: Any = "float32", data: Any = None, **kwargs: Any) -> Any:
        shape = (shape,) if not isinstance(shape, (list, tuple)) else tuple(shape)
        if data is not None:  # a view in the body: `T.Tensor((M * N, K), dtype, X.data)`
            return _T.decl_buffer(shape, dtype_name(dtype), data=data, **kwargs)
        return _T.Buffer(shape, dtype_name(dtype), **kwargs)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], (list, tuple)):
            return self(key[0], key[1])
        return self(key)


Tensor = _TensorAnnotation()
Buffer = Tensor


def SharedBuffer(shape: Any, dtype: Any = "float32", **kwargs: Any) -> Any:
    """Annotation of a `T.macro` parameter that receives a shared buffer (only documents it:
    a macro is inlined, so its parameters take whatever buffer the call passes)."""
    return Tensor(shape, dtype, scope="shared.dyn", **kwargs)


def FragmentBuffer(shape: Any, dtype: Any = "float32", **kwargs: Any) -> Any:
    """Annotation of a `T.macro` parameter that receives a fragment (see SharedBuffer)."""
    return Tensor(shape, dtype, scope="local.fragment", **kwargs)


def LocalBuffer(shape: Any, dtype: Any = "float32", **kwargs: Any) -> Any:
    """Annotation of a `T.macro` parameter that receives a local buffer (see SharedBuffer)."""
    return Tensor(shape, dtype, scope="local", **kwargs)

# --- loops and math (TVMScript's, re-exported under TileLang's names) ---------------
serial = _T.serial
Serial = _T.serial
unroll = _T.unroll
vectorized = _T.vectorized
grid = _T.grid
parallel = _T.parallel
max = _T.max
min = _T.min
exp = _T.exp
exp2 = _T.exp2
macro = _T.macro  # TileLang's T.macro: a parse-time function whose body is inlined
log = _T.log
log2 = _T.log2
abs = _T.abs
sqrt = _T.sqrt
rsqrt = _T.rsqrt
tanh = _T.tanh
sigmoid = _T.sigmoid
floor = _T.floor
ceil = _T.ceil
reinterpret = _T.reinterpret  # the same bits as another dtype of the same width
truncdiv = _T.truncdiv  # C's `/` on integers (TVMScript refuses a bare `/` between them)
truncmod = _T.truncmod
floordiv = _T.floordiv
floormod = _T.floormod
if_then_else = _T.if_then_else
Cast = _T.Cast


def cast(value: Any, dtype: Any) -> Any:
    """`T.cast(x, T.float32)`."""
    return _T.Cast(dtype_name(dtype), value)


def atomic_add(dst: Any, value: Any, **_options: Any) -> Any:
    """`T.atomic_add(C[y, x], v)` inside T.Parallel: C[y, x] += v, however many blocks add to
    that element (`tl.atomic_add(C[y, x], v)`). Tenstorrent has no atomics on DRAM: the
    compiler runs split-K's partial sums of one tile on one core (canonicalize_tile_program)."""
    return _tir.call_intrin("handle", "tl.atomic_add", dst, value)


def clamp(x: Any, lo: Any = None, hi: Any = None, *, min_val: Any = None,
          max_val: Any = None) -> Any:
    """`T.clamp(x, lo, hi)` (or `min_val=`, `max_val=`) = min(max(x, lo), hi); a bound left
    None is no bound."""
    lo = min_val if lo is None else lo
    hi = max_val if hi is None else hi
    if lo is not None:
        x = _T.max(x, _tirx.const(lo, _tir.dtype_of(x)) if _builtins.isinstance(lo, (_builtins.int, _builtins.float)) else lo)
    if hi is not None:
        x = _T.min(x, _tirx.const(hi, _tir.dtype_of(x)) if _builtins.isinstance(hi, (_builtins.int, _builtins.float)) else hi)
    return x


def align_up(a: Any, b: Any) -> Any:
    """`a` rounded up to a multiple of `b`."""
    return ceildiv(a, b) * b


def dynamic(name: str, dtype: Any = "int32") -> Any:
    """`M = T.dynamic("m")`: a tensor dim known only when the kernel is called. The kernel
    compiles once; each size must then be a positive multiple of its granule (the tile, 32,
    and the block extents that tile it), and it reaches the kernels as a runtime argument."""
    return _tir.make_var(str(name), dtype_name(dtype))


symbolic = dynamic  # TileLang's older name


def ceildiv(a: Any, b: Any) -> Any:
    """Ceiling division; plain ints stay ints (grid extents print as literals)."""
    ai, bi = _tir.as_int(a), _tir.as_int(b)
    if ai is not None and bi is not None:
        return -(-ai // bi)
    return _tirx.ceildiv(a, b)


def infinity(dtype: Any) -> Any:
    """+inf of `dtype` as TileLang encodes it: `tl.infinity` (printed `T.tl.infinity("float32")`)."""
    return _tir.call_intrin(dtype_name(dtype), "tl.infinity")


def use_swizzle(panel_size: int, order: str = "row", enable: bool = True) -> Any:
    """TileLang's block rasterization hint: AttrStmt "threadblock_swizzle_pattern" (node 0)."""
    if not enable:
        return None
    name = "rasterization2DRow" if order == "row" else "rasterization2DColumn"
    return _T.attr(0, "threadblock_swizzle_pattern", _tirx.tvm_tuple(name, panel_size))


def _register_hint(name: str) -> None:
    say_once(name, f"T.{name}: a GPU register-allocation hint (warp-group registers); a Tensix "
                   "core has no such registers, so it is accepted and ignored")


def disable_warp_group_reg_alloc() -> None:
    """TileLang's hint to keep the warp groups' register split: accepted, ignored (said once)."""
    _register_hint("disable_warp_group_reg_alloc")


def no_set_max_nreg() -> None:
    """TileLang's hint not to rebalance registers: accepted, ignored (said once)."""
    _register_hint("no_set_max_nreg")


def print(obj: Any = None, msg: str = "", **_thread_options: Any) -> None:  # noqa: A001
    """`T.print(value, msg="...")` / `T.print(msg="...")`: the reader prints the message and the
    value (block indices, loop variables and arithmetic on them) once per block trip, with
    TT-Metalium's DPRINT (the emulator writes it to stderr). TileLang's warp options are
    accepted and mean nothing here. A buffer is refused: its blocks live in circular buffers
    spread over three kernels and many cores; copy it to an output tensor and print that."""
    if obj is not None and _tir.is_buffer(obj):
        raise TTError(f"T.print({obj.name}): printing a buffer is not supported on Tenstorrent "
                      "(its blocks live in circular buffers spread over three kernels and many "
                      "cores); copy it to an output tensor and print that on the host, or print "
                      "scalar values (block indices, loop variables)")
    if not isinstance(msg, str):
        raise TTError(f"T.print: msg must be a string, got {type(msg).__name__}")
    args = [_tir.StringImm(msg)] + ([] if obj is None else [obj])
    _T.evaluate(_tirx.call_extern("int32", "tt.print", *args))


# TileLang's thread- and warp-level ops: a Tenstorrent core runs its kernel once per block,
# with no threads the kernel could index or synchronize.
_THREAD_LEVEL = ("get_thread_binding", "get_thread_bindings", "alloc_reducer", "finalize_reducer",
                 "shfl_xor", "shfl_down", "shfl_up", "shfl_sync", "sync_threads", "sync_warp",
                 "get_lane_idx", "get_warp_idx", "get_warp_idx_sync", "get_warp_group_idx",
                 "warp_reduce_sum", "warp_reduce_max", "warp_reduce_min", "any_sync", "all_sync",
                 "ballot_sync", "activemask", "syncthreads")


def _thread_level(name: str) -> Any:
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise TTError(f"T.{name} is thread-level: a Tenstorrent core runs its reader, compute and "
                      "writer kernels once per block, with no GPU threads or warps to index or "
                      "synchronize; write the kernel over whole blocks (T.copy, T.Parallel, "
                      "T.gemm, T.reduce_*)")
    refuse.__name__ = name
    return refuse


def __getattr__(name: str) -> Any:
    """Fall through to apache-tvm's TVMScript namespace (T.evaluate, T.tl, T.tt, ...)."""
    if name in _THREAD_LEVEL:
        return _thread_level(name)
    try:
        return getattr(_T, name)
    except AttributeError:
        raise AttributeError(f"tt_ir.language has no attribute {name!r}") from None


__all__ = [
    "CORE_GRID_ATTR",
    "LAYOUTS_ATTR",
    "Buffer",
    "Cast",
    "FragmentBuffer",
    "LocalBuffer",
    "SharedBuffer",
    "GemmWarpPolicy",
    "Kernel",
    "Parallel",
    "Pipelined",
    "Serial",
    "TTLayout",
    "Tensor",
    "abs",
    "alloc_fragment",
    "alloc_global",
    "alloc_local",
    "alloc_shared",
    "alloc_var",
    "annotate_core_grid",
    "annotate_layout",
    "disable_warp_group_reg_alloc",
    "no_set_max_nreg",
    "bfloat16",
    "bool",
    "atomic_add",
    "cast",
    "clamp",
    "ceil",
    "ceildiv",
    "symbolic",
    "align_up",
    "clear",
    "copy",
    "cummax",
    "cumsum",
    "dtype",
    "dynamic",
    "exp",
    "exp2",
    "floordiv",
    "floormod",
    "truncdiv",
    "truncmod",
    "reinterpret",
    "macro",
    "fill",
    "float16",
    "float32",
    "float64",
    "float4_e2m1fn",
    "float8_e4m3",
    "float8_e4m3fn",
    "float8_e4m3fnuz",
    "float8_e5m2",
    "float8_e5m2fnuz",
    "float8_e8m0fnu",
    "floor",
    "gemm",
    "grid",
    "if_then_else",
    "im2col",
    "c2d_im2col",
    "infinity",
    "int8",
    "int16",
    "int32",
    "int64",
    "log",
    "log2",
    "max",
    "min",
    "parallel",
    "prim_func",
    "print",
    "reduce",
    "reduce_absmax",
    "reduce_abssum",
    "reduce_max",
    "reduce_min",
    "reduce_sum",
    "rsqrt",
    "serial",
    "sigmoid",
    "sqrt",
    "tanh",
    "transpose",
    "reshape",
    "view",
    "tt_layout",
    "uint8",
    "uint16",
    "uint32",
    "unroll",
    "use_swizzle",
    "vectorized",
]

_tvm_compat.install()  # TileLang's `tirx.PrimExpr` and `expr.dtype` for helpers written against TVM
