"""The one module through which tilelang-tt touches TVM (apache-tvm 0.27, `tvm.tirx`).

tt-passes, tt-codegen and tt-cli import TVM names and helpers from here, never from
`tvm` or `tvm_ffi` directly, so that the next TVM rename is absorbed in this package
(checked by tests/test_tvm_boundary.py). Inside tt-ir only this package and
`tt_ir.language` (TVMScript's parser and IR builder) import TVM.

Node classes (re-exported):
    Stmt SeqStmt For ForKind While IfThenElse AttrStmt AllocBuffer DeclBuffer Bind
    Evaluate BufferStore AssertStmt PrimFunc IterVar Expr Var Call Op StringImm
    TensorLoad TensorRegion Range IRModule IntImm FloatImm Cast Max Min Select Buffer
    Add Sub Mul Div Mod FloorDiv FloorMod EQ NE LT LE GT GE And Or Not
    (0.27: a Buffer is an ir.Var with a BufferType; BufferLoad/BufferRegion are
    TensorLoad/TensorRegion; AllocBuffer and Bind are flat statements without body.)

Construction:
    const(v, dtype=None)  convert(v)  call_intrin(ret, op, *args)
    call_extern(ret, name, *args)  call_pure_extern(ret, name, *args)  evaluate(e)
    seq(*stmts)  make_buffer(shape, dtype, name, scope)  make_var(name, dtype)
    range_(min, extent)  simplify(e)
    floordiv(a, b)  floormod(a, b)  cast(dtype, x)  logical_and(a, b)  eq(a, b)
    if_then_else(cond, then, other=None)

Predicates / accessors:
    is_buffer(x)  buffer_of(x)  dtype_of(x)  scope_of(buf)  shape_of(buf|region)
    as_int(x)  op_name(call)  is_call(x, *ops)  extern_name(call, pure=True)

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
    functions(mod) -> {name: func}  get_attr(f, key, default)  attrs_of(f)
    with_attr(f, key, v)  with_attrs(f, d)
    attach(f, key, schema_obj)  read(f, key, cls)   (JSON string attrs)
    script(f)  parse(text)  save_json(node)  load_json(text)

Pass manager (a TTCompileError raised in a pass comes out of it as the same object):
    module_pass(transform(mod, ctx), name, opt_level=0)  Sequential(passes, name)  Pass
    PassContext(opt_level=0, instruments=[...])  pass_instrument (class decorator)

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
    functions,
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
    BIT_OPS,
    EQ,
    GE,
    GT,
    LE,
    LT,
    NE,
    OPAQUE,
    PURE,
    Add,
    AllocBuffer,
    And,
    AssertStmt,
    AttrStmt,
    Bind,
    BitwiseAnd,
    BitwiseNot,
    BitwiseOr,
    BitwiseXor,
    Buffer,
    BufferStore,
    Call,
    Cast,
    DeclBuffer,
    Div,
    Evaluate,
    Expr,
    FloatImm,
    FloorDiv,
    FloorMod,
    For,
    ForKind,
    IfThenElse,
    IntImm,
    IRModule,
    IterVar,
    LShift,
    Max,
    Min,
    Mod,
    Mul,
    Not,
    Op,
    Or,
    PrimFunc,
    Range,
    RShift,
    Select,
    SeqStmt,
    Stmt,
    StringImm,
    Sub,
    TensorLoad,
    TensorRegion,
    Var,
    While,
    as_int,
    buffer_of,
    call_extern,
    call_intrin,
    call_pure_extern,
    cast,
    const,
    convert,
    dtype_of,
    eq,
    evaluate,
    extern_name,
    fabs,
    floordiv,
    floormod,
    if_then_else,
    is_buffer,
    is_call,
    load,
    logical_and,
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
from tt_ir.tir._passes import (
    Pass,
    PassContext,
    Sequential,
    module_pass,
    pass_instrument,
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
    "EQ",
    "GE",
    "GT",
    "LE",
    "LT",
    "NE",
    "OPAQUE",
    "PURE",
    "SOURCE_LINE_KEY",
    "TL_OPS",
    "Add",
    "AllocBuffer",
    "And",
    "AssertStmt",
    "AttrStmt",
    "BIT_OPS",
    "Bind",
    "BitwiseAnd",
    "BitwiseNot",
    "BitwiseOr",
    "BitwiseXor",
    "Buffer",
    "BufferStore",
    "Call",
    "Cast",
    "DeclBuffer",
    "Div",
    "Evaluate",
    "Expr",
    "FloatImm",
    "FloorDiv",
    "FloorMod",
    "For",
    "ForKind",
    "Gemm",
    "IRModule",
    "IfThenElse",
    "IntImm",
    "IterVar",
    "LShift",
    "Max",
    "Min",
    "Mod",
    "Mul",
    "Not",
    "Op",
    "Or",
    "Pass",
    "PassContext",
    "PrimFunc",
    "RShift",
    "Range",
    "Reduce",
    "Select",
    "SeqStmt",
    "Sequential",
    "Stmt",
    "StringImm",
    "Sub",
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
    "cast",
    "collect",
    "const",
    "convert",
    "current_parse_line",
    "decode_gemm",
    "decode_reduce",
    "decode_region",
    "dtype_of",
    "eq",
    "evaluate",
    "extern_name",
    "find",
    "floordiv",
    "floormod",
    "functions",
    "get_attr",
    "if_then_else",
    "is_buffer",
    "is_call",
    "load_json",
    "fabs",
    "load",
    "logical_and",
    "make_buffer",
    "make_region",
    "make_var",
    "module_pass",
    "mutate",
    "op_name",
    "parse",
    "pass_instrument",
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
