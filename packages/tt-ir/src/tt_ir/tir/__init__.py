"""The one module through which tilelang-tt touches TVM (apache-tvm 0.27, `tvm.tirx`).

tt-passes and tt-codegen import TVM names and helpers from here, never from `tvm`
directly, so that the next TVM rename is absorbed in this package.

Node classes (re-exported):
    Stmt SeqStmt For ForKind While IfThenElse AttrStmt AllocBuffer DeclBuffer Bind
    Evaluate BufferStore AssertStmt PrimFunc IterVar Expr Var Call Op StringImm
    TensorLoad TensorRegion Range IRModule IntImm FloatImm Cast Max Min Select Buffer
    (0.27: a Buffer is an ir.Var with a BufferType; BufferLoad/BufferRegion are
    TensorLoad/TensorRegion; AllocBuffer and Bind are flat statements without body.)

Construction:
    const(v, dtype=None)  convert(v)  call_intrin(ret, op, *args)
    call_extern(ret, name, *args)  call_pure_extern(ret, name, *args)  evaluate(e)
    seq(*stmts)  make_buffer(shape, dtype, name, scope)  make_var(name, dtype)
    range_(min, extent)  simplify(e)

Predicates / accessors:
    is_buffer(x)  buffer_of(x)  dtype_of(x)  scope_of(buf)  shape_of(buf|region)
    as_int(x)  op_name(call)  is_call(x, *ops)  extern_name(call)

TileLang ops (registered on import, printed/parsed as `T.tl.<short>`):
    TL_OPS  ACCESS_READ/ACCESS_WRITE/ACCESS_READ_WRITE (1/2/3)
    make_region(buf, mins, extents, access)  decode_region(call) -> TileRegion
    decode_gemm(call) -> Gemm  decode_reduce(call) -> Reduce
Our ops:
    register_tt_op(name, ret="handle", pure=False) -> builder; printed `T.tt.<name>`
    register_op(op, printer_name, effect=OPAQUE, dtype_first=False)  (idempotent)

Walks (on tvm_ffi.structural_*):
    walk(node, fn, types=None, order="post")  find(node, pred, types=None)
    collect(node, types, pred=None)  rewrite(node, fn, types=None)
    mutate(node, [(Type, fn(x, m))])  substitute(node, {var: expr})
    structural_equal  structural_hash  assert_structural_equal

Functions and modules:
    get_attr(f, key, default)  attrs_of(f)  with_attr(f, key, v)  with_attrs(f, d)
    attach(f, key, schema_obj)  read(f, key, cls)   (JSON string attrs)
    script(f)  parse(text)  save_json(node)  load_json(text)

Kernel source lines (`AttrStmt(0, "tt.source_line", "kernel.py:14")` around tile ops):
    SOURCE_LINE_KEY  source_line_of(stmt)  with_source_line(stmt, line)  strip_source_lines(f)
    tile_op_sites(node) -> [(call, line)]  current_parse_line()
"""

from __future__ import annotations

from tt_ir.tir._func import (
    SOURCE_LINE_KEY,
    attach,
    attrs_of,
    current_parse_line,
    get_attr,
    load_json,
    parse,
    read,
    save_json,
    script,
    source_line_of,
    strip_source_lines,
    tile_op_sites,
    to_python,
    with_attr,
    with_attrs,
    with_source_line,
)
from tt_ir.tir._nodes import (
    OPAQUE,
    PURE,
    AllocBuffer,
    AssertStmt,
    AttrStmt,
    Bind,
    Buffer,
    BufferStore,
    Call,
    Cast,
    DeclBuffer,
    Evaluate,
    Expr,
    FloatImm,
    For,
    ForKind,
    IfThenElse,
    IntImm,
    IRModule,
    IterVar,
    Max,
    Min,
    Op,
    PrimFunc,
    Range,
    Select,
    SeqStmt,
    Stmt,
    StringImm,
    TensorLoad,
    TensorRegion,
    Var,
    While,
    as_int,
    buffer_of,
    call_extern,
    call_intrin,
    call_pure_extern,
    const,
    convert,
    dtype_of,
    evaluate,
    extern_name,
    is_buffer,
    is_call,
    make_buffer,
    make_var,
    op_name,
    range_,
    scope_of,
    seq,
    shape_of,
    simplify,
)
from tt_ir.tir._ops import (
    ACCESS_READ,
    ACCESS_READ_WRITE,
    ACCESS_WRITE,
    TL_OPS,
    Gemm,
    Reduce,
    TileRegion,
    decode_gemm,
    decode_reduce,
    decode_region,
    make_region,
    register_op,
    register_tt_op,
)
from tt_ir.tir._walk import (
    assert_structural_equal,
    collect,
    find,
    mutate,
    rewrite,
    structural_equal,
    structural_hash,
    substitute,
    walk,
)

__all__ = [
    "ACCESS_READ",
    "ACCESS_READ_WRITE",
    "ACCESS_WRITE",
    "OPAQUE",
    "PURE",
    "SOURCE_LINE_KEY",
    "TL_OPS",
    "AllocBuffer",
    "AssertStmt",
    "AttrStmt",
    "Bind",
    "Buffer",
    "BufferStore",
    "Call",
    "Cast",
    "DeclBuffer",
    "Evaluate",
    "Expr",
    "FloatImm",
    "For",
    "ForKind",
    "Gemm",
    "IRModule",
    "IfThenElse",
    "IntImm",
    "IterVar",
    "Max",
    "Min",
    "Op",
    "PrimFunc",
    "Range",
    "Reduce",
    "Select",
    "SeqStmt",
    "Stmt",
    "StringImm",
    "TensorLoad",
    "TensorRegion",
    "TileRegion",
    "Var",
    "While",
    "as_int",
    "assert_structural_equal",
    "attach",
    "attrs_of",
    "buffer_of",
    "call_extern",
    "call_intrin",
    "call_pure_extern",
    "collect",
    "const",
    "convert",
    "current_parse_line",
    "decode_gemm",
    "decode_reduce",
    "decode_region",
    "dtype_of",
    "evaluate",
    "extern_name",
    "find",
    "get_attr",
    "is_buffer",
    "is_call",
    "load_json",
    "make_buffer",
    "make_region",
    "make_var",
    "mutate",
    "op_name",
    "parse",
    "range_",
    "read",
    "register_op",
    "register_tt_op",
    "rewrite",
    "save_json",
    "scope_of",
    "script",
    "seq",
    "shape_of",
    "simplify",
    "source_line_of",
    "strip_source_lines",
    "structural_equal",
    "structural_hash",
    "substitute",
    "tile_op_sites",
    "to_python",
    "walk",
    "with_attr",
    "with_attrs",
    "with_source_line",
]
