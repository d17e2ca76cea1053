"""PrimFunc/IRModule attributes, schema objects on attrs, text and JSON forms, source lines."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, TypeVar

import tvm
from tvm import ir, tirx

from tt_ir.tir._nodes import AttrStmt, StringImm

T_ = TypeVar("T_")

SOURCE_LINE_KEY = "tt.source_line"


# --- attributes ---------------------------------------------------------------
def to_python(value: Any) -> Any:
    """tvm_ffi Array/Map/String/IntImm -> plain Python list/dict/str/int/float."""
    if isinstance(value, (str, bool, int, float)) or value is None:
        return str(value) if isinstance(value, str) else value
    if isinstance(value, (tirx.IntImm,)):
        return int(value.value)
    if isinstance(value, (tirx.FloatImm,)):
        return float(value.value)
    if isinstance(value, StringImm):
        return str(value.value)
    if hasattr(value, "items"):
        return {to_python(k): to_python(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) or type(value).__name__ == "Array":
        return [to_python(v) for v in value]
    return value


def get_attr(obj: Any, key: str, default: Any = None) -> Any:
    """Attribute `key` of a PrimFunc or IRModule, as a plain Python value (or `default`)."""
    attrs = obj.attrs
    if attrs is None or key not in attrs:
        return default
    return to_python(attrs[key])


def functions(mod: Any) -> dict[str, Any]:
    """Name -> function of an IRModule, in the module's order."""
    return {str(gv.name_hint): func for gv, func in mod.functions.items()}


def attrs_of(obj: Any) -> dict:
    """All attributes of a PrimFunc or IRModule as a plain dict."""
    attrs = obj.attrs
    if attrs is None:
        return {}
    return {str(k): to_python(v) for k, v in attrs.items()}


def with_attr(obj: Any, key: str, value: Any) -> Any:
    """A copy of the PrimFunc/IRModule with attribute `key` set (plain Python values ok)."""
    return obj.with_attr(key, value)


def with_attrs(obj: Any, attrs: dict) -> Any:
    """A copy with every item of `attrs` set."""
    for k, v in attrs.items():
        obj = obj.with_attr(k, v)
    return obj


def attach(obj: Any, key: str, schema_obj: Any) -> Any:
    """Store a schema object (anything with `to_json()`) as a JSON string under `key`."""
    payload = schema_obj.to_json() if hasattr(schema_obj, "to_json") else schema_obj
    return obj.with_attr(key, json.dumps(payload, sort_keys=True))


def read(obj: Any, key: str, cls: type[T_] | None = None, default: Any = None) -> T_ | Any:
    """Read back what `attach` stored: `cls.from_json(dict)`, or the dict if `cls` is None."""
    raw = get_attr(obj, key)
    if raw is None:
        return default
    data = json.loads(raw) if isinstance(raw, str) else raw
    return cls.from_json(data) if cls is not None else data


# --- text and JSON ---------------------------------------------------------------
def script(node: Any) -> str:
    """TVMScript text of a PrimFunc/IRModule/Stmt (parses back with `parse`)."""
    return node.script()


def parse(text: str) -> Any:
    """Parse TVMScript text (as printed by `script`) into a PrimFunc or IRModule.

    `T.tl.*` and `T.tt.*` ops parse because importing `tt_ir.tir` registers them.
    """
    return tvm.script.from_source(text)


def save_json(node: Any) -> str:
    """Serialize any IR node to a JSON string (needs apache-tvm-ffi 0.1.14.x)."""
    return ir.save_json(node)


def load_json(text: str) -> Any:
    """Inverse of `save_json`."""
    return ir.load_json(text)


# --- kernel source lines ----------------------------------------------------------
def source_line_of(stmt: Any) -> str | None:
    """`"kernel.py:14"` if `stmt` is a `tt.source_line` AttrStmt, else None."""
    if isinstance(stmt, AttrStmt) and str(stmt.attr_key) == SOURCE_LINE_KEY:
        return str(stmt.value.value) if isinstance(stmt.value, StringImm) else str(stmt.value)
    return None


def with_source_line(stmt: Any, line: str | None) -> Any:
    """Wrap `stmt` in `AttrStmt(0, "tt.source_line", line)` (no-op for line None)."""
    if line is None:
        return stmt
    return AttrStmt(tirx.const(0), SOURCE_LINE_KEY, StringImm(line), stmt)


def strip_source_lines(node: Any) -> Any:
    """`node` without its `tt.source_line` AttrStmts (for comparing IR from different sources)."""
    from tt_ir.tir._walk import rewrite

    def unwrap(stmt: Any) -> Any:
        return stmt.body if source_line_of(stmt) is not None else stmt

    if isinstance(node, tirx.PrimFunc):
        return node.with_body(rewrite(node.body, unwrap, types=AttrStmt))
    return rewrite(node, unwrap, types=AttrStmt)


def current_parse_line() -> str | None:
    """While TVMScript parses a kernel: `"file.py:N"` of the expression being evaluated.

    Found by looking up the Python stack for the TVMScript parser's frame; returns
    None outside a parse (or if TVM's parser internals change).
    """
    from tvm.script.parser.core.parser import Parser  # lazy: parser internals

    frame = sys._getframe(1)
    while frame is not None:
        loc = frame.f_locals
        parser, node = loc.get("self"), loc.get("node")
        if isinstance(parser, Parser) and getattr(node, "lineno", None) is not None:
            source = getattr(getattr(parser, "diag", None), "source", None)
            if source is None:
                return None
            name = os.path.basename(str(source.source_name))
            return f"{name}:{source.start_line + node.lineno - 1}"
        frame = frame.f_back
    return None


def tile_op_sites(node: Any, prefix: str = "tl.tileop.") -> list[tuple[Any, str | None]]:
    """Every call to an op whose name starts with `prefix`, with its kernel source line.

    Returns `[(call, "kernel.py:14" or None), ...]` in program order; the line is the
    innermost enclosing `tt.source_line` AttrStmt.
    """
    import tvm_ffi

    out: list[tuple[Any, str | None]] = []
    lines: list[str | None] = [None]

    def on_attr(stmt: Any, visitor: Any) -> None:
        line = source_line_of(stmt)
        if line is None:
            visitor.default_visit(stmt)
            return
        lines.append(line)
        visitor.default_visit(stmt)
        lines.pop()

    def on_call(call: Any, visitor: Any) -> None:
        op = call.op
        if isinstance(op, ir.Op) and str(op.name).startswith(prefix):
            out.append((call, lines[-1]))
        visitor.default_visit(call)

    tvm_ffi.structural_visit(node, [(AttrStmt, on_attr), (ir.Call, on_call)])
    return out
