"""TT TIR (contracts §3) -> the C++ body of one kernel's `kernel_main()`.

One `KernelPrinter` prints one PrimFunc. Statements and expressions dispatch on the node
type (`functools.singledispatchmethod`); a node outside the contract raises `CodegenError`
naming the node and what to write instead. Extern calls print verbatim; the printer keeps
no list of valid callee names (sdk-check and the emulator do). What it does know:

- the special forms `TensorAccessor` (bound to a handle) and the L1 helpers the kernel file
  defines when used (`HELPERS`: `tt_fill_zeros`, `tt_fill_scaler`, `tt_fill_tile`, `tt_mask_put`, `tt_f32_bits`,
  `tt_tensor_elem`, `tt_bit_cast` (printed with the call's type, `tt_bit_cast<int8_t>`),
  `tt_im2col_tile`);
- which argument positions of which calls are circular-buffer ids (`CB_ARGS`), so literal
  ids there print as the kernel's `cb_<name>` constants.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import singledispatchmethod
from typing import Any

from tt_codegen._errors import CodegenError
from tt_ir import tir

# L1 helpers of the dataflow kernels, defined in the kernel file that calls them (kernel.cpp.j2)
HELPERS = ("tt_fill_zeros", "tt_fill_scaler", "tt_fill_tile", "tt_mask_put", "tt_f32_bits",
           "tt_tensor_elem", "tt_bit_cast", "tt_im2col_tile", "tt_widen_tile")

INDENT = "    "

# Callee -> positions of its circular-buffer-id arguments.
CB_ARGS: dict[str, tuple[int, ...]] = {
    # CB API (dataflow and compute)
    "cb_reserve_back": (0,),
    "cb_push_back": (0,),
    "cb_wait_front": (0,),
    "cb_pop_front": (0,),
    "get_write_ptr": (0,),
    "get_read_ptr": (0,),
    "cb_pages_reservable_at_back": (0,),
    "cb_pages_available_at_front": (0,),
    "get_tile_size": (0,),
    # compute: setup and inits
    "compute_kernel_hw_startup": (0, 1, 2),
    "init_sfpu": (0, 1),
    "unary_op_init_common": (0, 1),
    "add_init": (0, 1),
    "sub_init": (0, 1),
    "mul_init": (0, 1),
    "matmul_init": (0, 1),
    "matmul_block_init": (0, 1),
    "copy_init": (0,),
    "copy_tile_init": (0,),
    "copy_tile_to_dst_init_short": (0,),
    "copy_tile_to_dst_init_short_with_dt": (0, 1),
    "pack_init": (0,),
    "pack_reconfig_data_format": (0,),
    "reconfig_data_format": (0, 1),
    "reconfig_data_format_srca": (0,),
    "reconfig_data_format_srcb": (0,),
    "transpose_init": (0,),
    "reduce_init": (0, 1, 2),
    "reduce_uninit": (0,),
    "unary_bcast_init": (0,),
    "unary_bcast": (0,),
    **{f"{op}_bcast_{kind}_init": (0, 1) for op in ("add", "sub", "mul") for kind in ("rows", "cols", "scalar")},
    # compute: tile ops
    "add_tiles": (0, 1),
    "sub_tiles": (0, 1),
    "mul_tiles": (0, 1),
    "matmul_tiles": (0, 1),
    "matmul_block": (0, 1),
    "copy_tile": (0,),
    "copy_block": (0,),
    "copy_block_matmul_partials": (0,),
    "transpose_tile": (0,),
    "reduce_tile": (0, 1),
    **{f"{op}_tiles_bcast_{kind}": (0, 1) for op in ("add", "sub", "mul") for kind in ("rows", "cols", "scalar")},
    "pack_tile": (1,),
    "pack_block": (1,),
    "pack_tile_block": (1,),
}

_CXX_TYPES = {
    "uint32": "uint32_t",
    "int32": "int32_t",
    "uint16": "uint16_t",
    "int16": "int16_t",
    "uint8": "uint8_t",
    "int8": "int8_t",
    "uint64": "uint64_t",
    "int64": "int64_t",
    "float32": "float",
    "bool": "bool",
}

_CXX_KEYWORDS = frozenset(
    "auto bool break case char class const constexpr continue default delete do double else enum "
    "explicit extern false float for friend goto if inline int long namespace new operator private "
    "protected public register return short signed sizeof static struct switch template this throw "
    "true try typedef union unsigned using virtual void volatile while".split()
)

# C++ precedence levels (higher binds tighter).
_PRIMARY, _UNARY, _MUL, _ADD, _SHIFT, _REL, _EQ = 100, 15, 13, 12, 11, 10, 9
_BITAND, _BITXOR, _BITOR, _AND, _OR, _TERNARY = 8, 7, 6, 5, 4, 3

_BINARY: dict[type, tuple[str, int]] = {
    tir.Add: ("+", _ADD),
    tir.Sub: ("-", _ADD),
    tir.Mul: ("*", _MUL),
    # Index arithmetic is non-negative by construction, so floor and truncating division agree.
    tir.Div: ("/", _MUL),
    tir.FloorDiv: ("/", _MUL),
    tir.Mod: ("%", _MUL),
    tir.FloorMod: ("%", _MUL),
    tir.LT: ("<", _REL),
    tir.LE: ("<=", _REL),
    tir.GT: (">", _REL),
    tir.GE: (">=", _REL),
    tir.EQ: ("==", _EQ),
    tir.NE: ("!=", _EQ),
    tir.And: ("&&", _AND),
    tir.Or: ("||", _OR),
    # bit operations (a reader computing a block element by element); results narrower than
    # 32 bits are cast back to their type, as TIR's arithmetic wraps in it
    tir.RShift: (">>", _SHIFT),
    tir.LShift: ("<<", _SHIFT),
    tir.BitwiseAnd: ("&", _BITAND),
    tir.BitwiseXor: ("^", _BITXOR),
    tir.BitwiseOr: ("|", _BITOR),
}


def cxx_type(dtype: str, what: str) -> str:
    """The C++ spelling of a scalar TIR dtype."""
    if dtype in _CXX_TYPES:
        return _CXX_TYPES[dtype]
    raise CodegenError(f"{what} has dtype '{dtype}', which has no C++ spelling here; use one of {', '.join(_CXX_TYPES)}")


def identifier(name: str) -> str:
    """A valid, non-keyword C++ identifier derived from a TIR name."""
    ident = re.sub(r"\W", "_", name) or "v"
    if ident[0].isdigit() or ident in _CXX_KEYWORDS:
        ident = "v_" + ident
    return ident


@dataclass
class _Scope:
    vars: list[tuple[Any, str]] = field(default_factory=list)


class KernelPrinter:
    """Prints one kernel body. State lives on the instance: one printer per kernel."""

    def __init__(self, kernel: str, cb_names: dict[int, str], reserved: set[str]):
        self.kernel = kernel
        self.cb_names = cb_names
        self.reserved = set(reserved)
        self.lines: list[str] = []
        self.depth = 1
        self.scopes: list[_Scope] = [_Scope()]
        self.used_cbs: set[int] = set()
        self.callees: list[str] = []  # in first-use order
        self.helpers: set[str] = set()  # HELPERS this kernel calls (defined in its file)

    @property
    def uses_fill_zeros(self) -> bool:
        return "tt_fill_zeros" in self.helpers

    @property
    def uses_fill_scaler(self) -> bool:
        return "tt_fill_scaler" in self.helpers

    # ---- entry -----------------------------------------------------------------------------
    def print_body(self, body: Any) -> str:
        self.stmt(body)
        return "\n".join(self.lines)

    # ---- names -------------------------------------------------------------------------------
    def _emit(self, text: str) -> None:
        self.lines.append(INDENT * self.depth + text)

    def _lookup(self, var: Any) -> str | None:
        for scope in reversed(self.scopes):
            for known, name in scope.vars:
                if known.same_as(var):
                    return name
        return None

    def _declare(self, var: Any) -> str:
        if self._lookup(var) is not None:
            raise CodegenError(f"{self.kernel}: variable '{var.name}' is bound twice; bind each Var once")
        live = {name for scope in self.scopes for _, name in scope.vars} | self.reserved
        base = identifier(var.name)
        name, n = base, 0
        while name in live:
            n += 1
            name = f"{base}_{n}"
        self.scopes[-1].vars.append((var, name))
        return name

    def _block(self, body: Any) -> None:
        self.depth += 1
        self.scopes.append(_Scope())
        self.stmt(body)
        self.scopes.pop()
        self.depth -= 1

    # ---- statements -------------------------------------------------------------------------
    @singledispatchmethod
    def stmt(self, node: Any) -> None:
        raise CodegenError(
            f"kernel '{self.kernel}' has a statement codegen cannot print: {_short(node)}",
            node_type=type(node).__name__,
            hint="TT TIR bodies hold only For, IfThenElse, SeqStmt, Bind, Evaluate(call_extern) and "
            "AttrStmt('tt.comment') (contracts §3); lower this node in tt-passes",
        )

    @stmt.register
    def _(self, node: tir.SeqStmt) -> None:
        for child in node.seq:
            self.stmt(child)

    @stmt.register
    def _(self, node: tir.AttrStmt) -> None:
        if node.attr_key != "tt.comment" or not isinstance(node.value, tir.StringImm):
            raise CodegenError(
                f"{self.kernel}: cannot print AttrStmt '{node.attr_key}': the only attribute in TT TIR is "
                "'tt.comment' with a string value"
            )
        for line in str(node.value.value).splitlines() or [""]:
            self._emit(f"// {line}".rstrip())
        self.stmt(node.body)

    @stmt.register
    def _(self, node: tir.For) -> None:
        if node.kind != tir.ForKind.SERIAL:
            raise CodegenError(f"{self.kernel}: cannot print a {node.kind} loop over '{node.loop_var.name}': only serial loops")
        start = self.expr(node.min)
        extent = self.expr(node.extent)
        if isinstance(node.min, tir.IntImm) and node.min.value == 0:
            bound = extent[0]
        else:
            bound = f"{self._paren(start, _ADD)} + {self._paren(extent, _ADD + 1)}"
        self.scopes.append(_Scope())
        name = self._declare(node.loop_var)
        # Loop variables are uint32_t: bounds are uint32 and -Wsign-compare is an error on device.
        self._emit(f"for (uint32_t {name} = {start[0]}; {name} < {bound}; ++{name}) {{")
        self._block(node.body)
        self.scopes.pop()
        self._emit("}")

    @stmt.register
    def _(self, node: tir.IfThenElse) -> None:
        self._emit(f"if ({self.expr(node.condition)[0]}) {{")
        self._block(node.then_case)
        if node.else_case is not None:
            self._emit("} else {")
            self._block(node.else_case)
        self._emit("}")

    @stmt.register
    def _(self, node: tir.Bind) -> None:
        value = node.value
        dtype = tir.dtype_of(node.var)
        if dtype == "handle":
            self._bind_accessor(node.var, value)
            return
        text = self.expr(value)[0]
        ctype = cxx_type(dtype, f"{self.kernel}: variable '{node.var.name}'")
        name = self._declare(node.var)
        self._emit(f"{ctype} {name} = {text};")

    @stmt.register
    def _(self, node: tir.Evaluate) -> None:
        value = node.value
        if isinstance(value, tir.IntImm):  # T.evaluate(0) is TIR's no-op
            return
        if not isinstance(value, tir.Call):
            raise CodegenError(f"{self.kernel}: cannot print Evaluate of {type(value).__name__}: evaluate a call_extern")
        self._emit(self._call(value) + ";")

    def _bind_accessor(self, var: Any, value: Any) -> None:
        callee = tir.extern_name(value, pure=False) if isinstance(value, tir.Call) else None
        if callee != "TensorAccessor":
            raise CodegenError(
                f"{self.kernel}: handle variable '{var.name}' must be bound to "
                'call_extern("handle", "TensorAccessor", cta_offset, addr, page_size)'
            )
        self._note_callee(callee)
        args = value.args[1:]
        if len(args) != 3 or not isinstance(args[0], tir.IntImm):
            raise CodegenError(
                f"{self.kernel}: TensorAccessor for '{var.name}' takes (cta_offset literal, addr, page_size); "
                f"got {len(args)} arguments"
            )
        addr, page_size = self.expr(args[1])[0], self.expr(args[2])[0]
        name = self._declare(var)
        self._emit(f"constexpr auto {name}_args = TensorAccessorArgs<{args[0].value}>();")
        self._emit(f"const auto {name} = TensorAccessor({name}_args, {addr}, {page_size});")

    # ---- expressions: return (text, precedence) ------------------------------------------
    @singledispatchmethod
    def expr(self, node: Any) -> tuple[str, int]:
        if type(node) in _BINARY:
            return self._binary(node, *_BINARY[type(node)])
        raise CodegenError(
            f"kernel '{self.kernel}' has an expression codegen cannot print: {_short(node)}",
            node_type=type(node).__name__,
            hint="TT TIR expressions are literals, Vars, + - * // % min max, comparisons, && || !, Cast and "
            "call_extern (contracts §3); lower this node in tt-passes",
        )

    @expr.register
    def _(self, node: tir.IntImm) -> tuple[str, int]:
        dtype = tir.dtype_of(node)
        value = int(node.value)
        if dtype == "bool":
            return ("true" if value else "false"), _PRIMARY
        suffix = ""
        if dtype.startswith("uint") and value > 0x7FFFFFFF:
            suffix = "u"
        if dtype.endswith("64") and abs(value) > 0x7FFFFFFF:
            suffix += "ll"
        return f"{value}{suffix}", (_UNARY if value < 0 else _PRIMARY)

    @expr.register
    def _(self, node: tir.FloatImm) -> tuple[str, int]:
        value = float(node.value)
        text = repr(value)
        if "inf" in text or "nan" in text:
            raise CodegenError(f"{self.kernel}: cannot print the float literal {text}")
        if "." not in text and "e" not in text:
            text += ".0"
        return (text + ("f" if tir.dtype_of(node) == "float32" else "")), (_UNARY if value < 0 else _PRIMARY)

    @expr.register
    def _(self, node: tir.Var) -> tuple[str, int]:
        name = self._lookup(node)
        if name is None:
            raise CodegenError(
                f"{self.kernel}: variable '{node.name}' is used but never bound; kernels take no parameters, "
                "so bind it with get_arg_val / a Bind before use"
            )
        return name, _PRIMARY

    @expr.register
    def _(self, node: tir.Cast) -> tuple[str, int]:
        ctype = cxx_type(tir.dtype_of(node), f"{self.kernel}: Cast")
        return f"static_cast<{ctype}>({self.expr(node.value)[0]})", _PRIMARY

    @expr.register
    def _(self, node: tir.Min) -> tuple[str, int]:
        return self._minmax(node, "<")

    @expr.register
    def _(self, node: tir.Max) -> tuple[str, int]:
        return self._minmax(node, ">")

    @expr.register
    def _(self, node: tir.Not) -> tuple[str, int]:
        return "!" + self._paren(self.expr(node.a), _UNARY), _UNARY

    @expr.register
    def _(self, node: tir.Select) -> tuple[str, int]:
        cond = self._paren(self.expr(node.condition), _TERNARY + 1)
        a = self._paren(self.expr(node.true_value), _TERNARY + 1)
        b = self._paren(self.expr(node.false_value), _TERNARY)
        return f"{cond} ? {a} : {b}", _TERNARY

    @expr.register
    def _(self, node: tir.Call) -> tuple[str, int]:
        return self._call(node), _PRIMARY

    def _binary(self, node: Any, op: str, prec: int) -> tuple[str, int]:
        left = self.expr(node.a)
        right = self.expr(node.b)
        # `a || b && c` is legal but -Wparentheses flags it: parenthesize && under ||; and
        # bit operations under one another (-Wparentheses again)
        lmin = _OR + 2 if prec == _OR else (_SHIFT + 1 if prec in (_BITAND, _BITXOR, _BITOR, _SHIFT)
                                           else prec)
        text = f"{self._paren(left, lmin)} {op} {self._paren(right, max(lmin, prec + 1))}"
        return (text, prec) if prec in (_REL, _EQ, _AND, _OR) else self._wrapped(node, text, prec)

    @expr.register
    def _(self, node: tir.BitwiseNot) -> tuple[str, int]:
        return self._wrapped(node, "~" + self._paren(self.expr(node.a), _UNARY), _UNARY)

    def _wrapped(self, node: Any, text: str, prec: int) -> tuple[str, int]:
        """A result narrower than 32 bits cast back to its type (C++ computes in int; TIR
        wraps in the type)."""
        dtype = tir.dtype_of(node)
        if dtype in ("int8", "uint8", "int16", "uint16"):
            return f"static_cast<{cxx_type(dtype, self.kernel)}>({text})", _PRIMARY
        return text, prec

    def _minmax(self, node: Any, op: str) -> tuple[str, int]:
        a, b = self.expr(node.a)[0], self.expr(node.b)[0]
        return f"(({a}) {op} ({b}) ? ({a}) : ({b}))", _PRIMARY

    @staticmethod
    def _paren(printed: tuple[str, int], min_prec: int) -> str:
        text, prec = printed
        return text if prec >= min_prec else f"({text})"

    # ---- calls -------------------------------------------------------------------------------
    def _note_callee(self, callee: str) -> None:
        if callee not in self.callees:
            self.callees.append(callee)

    def _call(self, node: Any) -> str:
        callee = tir.extern_name(node, pure=False)
        if callee is None:
            raise CodegenError(
                f"{self.kernel}: cannot print call to op '{node.op.name}': TT TIR calls are "
                'call_extern(ret, "name", args...) printed verbatim'
            )
        if callee == "TensorAccessor":
            raise CodegenError(f"{self.kernel}: TensorAccessor must be bound to a handle variable with T.let")
        self._note_callee(callee)
        if _base_name(callee) in HELPERS:
            self.helpers.add(_base_name(callee))
        if callee == "tt_bit_cast":  # the bits as the call's type: tt_bit_cast<int8_t>(x)
            callee = f"tt_bit_cast<{cxx_type(tir.dtype_of(node), f'{self.kernel}: tt_bit_cast')}>"
        cb_positions = CB_ARGS.get(_base_name(callee), ())
        args = [self._arg(arg, i in cb_positions, callee) for i, arg in enumerate(node.args[1:])]
        return f"{callee}({', '.join(args)})"

    def _arg(self, arg: Any, is_cb: bool, callee: str) -> str:
        if isinstance(arg, tir.StringImm) and callee == "DPRINT":  # T.print's format string
            return json.dumps(str(arg.value))  # a C string literal: quotes and escapes
        if isinstance(arg, tir.StringImm):
            raise CodegenError(f"{self.kernel}: {callee}: string arguments are not part of TT TIR")
        if not (is_cb and isinstance(arg, tir.IntImm)):
            return self.expr(arg)[0]
        index = int(arg.value)
        if index not in self.cb_names:
            known = ", ".join(str(i) for i in sorted(self.cb_names)) or "none"
            raise CodegenError(f"{self.kernel}: {callee} names CB {index}, which the plan does not have (plan CBs: {known})")
        self.used_cbs.add(index)
        return self.cb_names[index]


def _base_name(callee: str) -> str:
    """`exp_tile_init<true>` -> `exp_tile_init`."""
    return callee.split("<", 1)[0]


def _short(node: Any) -> str:
    text = " ".join(str(node).split())
    return text if len(text) <= 160 else text[:157] + "..."
