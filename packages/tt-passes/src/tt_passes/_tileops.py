"""The tile-op registry: every `tt.*` intrinsic the passes hand to each other, described once.

Stage C (`lower_tt_tile_intrinsics`) writes the kernel body as `call_extern("tt.<op>", ...)`
statements; every later pass asks this registry what such a statement is instead of
keeping its own table of argument positions:

    hit = match(stmt)                      # (TileOp, args) or None
    op.kernel                              # "reader" | "compute" | "writer"
    op.read_cbs(args), op.write_cbs(args)  # CB indices it reads / writes
    op.out(args)                           # the CB it produces (first written), or None
    op.make(...)                           # the statement, operands in registry order

A TileOp names its operands in order; `reads` / `writes` say which of them are CB indices;
`inputs=True` means every operand after the named ones is an input CB (an expression
reads any number of tiles). `engine` is where the op runs on the core (noc: a dataflow
RISC-V; unpack/fpu/sfpu/pack: the compute pipeline) and `doc` what it does.

Adding a tile op: one TileOp here, its lowering where it is created (stage C), the DST
code in insert_dst_management if it runs on compute, a `ComputeCall` row for each new
TT-Metalium compute call it emits (its DST slots, the CBs it unpacks and packs, its init:
insert_compute_init and verify_tt_ir read nothing else), and an emulator function in
tt-runtime if the TT-Metalium call is new.

`SFPU_UNARY` is the table of elementwise functions y = f(x) on a DST tile (exp, sin, floor,
...): adding one is a row there (its node, call, init and the TIR calls that lower to it), a
line in the emulator's `tt_emu/unops.h` with its SDK-named call, and a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_ir import tir
from tt_passes import _build as B

KERNELS = ("reader", "compute", "writer")


@dataclass(frozen=True)
class TileOp:
    name: str
    kernel: str
    engine: str
    operands: tuple
    reads: tuple = ()
    writes: tuple = ()
    inputs: bool = False
    doc: str = ""

    def __post_init__(self) -> None:
        assert self.kernel in KERNELS, self.kernel
        assert set(self.reads) | set(self.writes) <= set(self.operands), self.name

    def _at(self, args: list, names: tuple) -> list:
        return [tir.as_int(args[self.operands.index(n)]) for n in names]

    def read_cbs(self, args: list) -> list:
        extra = [tir.as_int(a) for a in args[len(self.operands):]] if self.inputs else []
        return self._at(args, self.reads) + extra

    def write_cbs(self, args: list) -> list:
        return self._at(args, self.writes)

    def out(self, args: list) -> int | None:
        cbs = self.write_cbs(args)
        return cbs[0] if cbs else None

    def arg(self, args: list, name: str) -> Any:
        return args[self.operands.index(name)]

    def make(self, *args: Any) -> Any:
        assert len(args) >= len(self.operands), (self.name, args)
        return B.extern(self.name, *args)


_BLOCK = ("cb", "tensor", "row", "col", "h", "w", "guard_r", "guard_c")

OPS: dict = {op.name: op for op in (
    TileOp("tt.copy_in", "reader", "noc", _BLOCK, writes=("cb",),
           doc="an h x w tile block of a tensor at tile (row, col) into a CB; guards: "
               "zero-fill tiles past the tensor's edge"),
    TileOp("tt.copy_out", "writer", "noc", _BLOCK, reads=("cb",),
           doc="a CB's block to a tensor at tile (row, col); guarded edge tiles skipped"),
    TileOp("tt.im2col_in", "reader", "noc",
           ("cb", "tensor", "row", "col", "h", "w", "scratch", "N", "H", "W", "C", "kernel",
            "stride", "dilation", "pad", "OH", "OW"), writes=("cb",),
           doc="an h x w tile block of a convolution's im2col matrix (output pixels from tile "
               "row `row`, K from tile column `col`) gathered from an NHWC tensor: whole "
               "source tiles read into the scratch CB, their rows copied into place, rows in "
               "the zero padding zeroed"),
    TileOp("tt.elements_in", "reader", "noc", ("cb", "tensor", "h", "w", "scratch", "value", "i",
                                                "j"), writes=("cb",),
           doc="an h x w tile block the reader computes element by element: `value` over the "
               "tensor's elements (index remaps, integer and bit operations) at block row i, "
               "column j, the tensor's tiles read into the scratch CB as needed"),
    TileOp("tt.print", "reader", "noc", ("msg", "value"),
           doc="T.print: the reader prints a message and a scalar value (DPRINT) per block trip"),
    TileOp("tt.scaler_fill", "reader", "noc", ("cb",), writes=("cb",),
           doc="a reduction's scaler tile (1.0 in row 0 of every face), once per kernel"),
    TileOp("tt.matmul_block", "compute", "fpu", ("in0", "in1", "out", "mt", "nt", "kt",
                                                  "transpose"),
           reads=("in0", "in1"), writes=("out",),
           doc="out += in0 @ in1 over an mt x kt by kt x nt block (accumulated in DST)"),
    TileOp("tt.matmul_onto", "compute", "fpu", ("in0", "in1", "init", "out", "mt", "nt", "kt",
                                                 "transpose"),
           reads=("in0", "in1", "init"), writes=("out",),
           doc="out = init + in0 @ in1: init's block (out's old value, or a mask) loaded from "
               "its CB front into DST, the products accumulated onto it, the sum packed to out"),
    TileOp("tt.matmul_onto_expr", "compute", "fpu", ("tree", "in0", "in1", "out", "mt", "nt",
                                                      "kt", "transpose"),
           reads=("in0", "in1"), writes=("out",), inputs=True,
           doc="out = tree(inputs) + in0 @ in1: an elementwise rewrite of out's old block "
               "(attention's acc_o * scale[i]) computed into DST, the products accumulated "
               "onto it, one pack"),
    TileOp("tt.index_block", "reader", "noc", ("cb", "cond", "i", "j", "true", "false", "h", "w"),
           writes=("cb",),
           doc="an h x w block of `true` where cond(i, j) holds, else `false` (fp32 bits), "
               "generated in L1: uniform tiles filled, boundary tiles element by element"),
    TileOp("tt.acc_clear", "compute", "pack", ("out",), writes=("out",),
           doc="T.clear of an accumulator: its first matmul starts from zero"),
    TileOp("tt.binary_block", "compute", "fpu", ("op", "in0", "in1", "out", "h", "w"),
           reads=("in0", "in1"), writes=("out",), doc="out = in0 op in1 (+ - *), tile by tile"),
    TileOp("tt.unary_block", "compute", "sfpu", ("op", "out", "h", "w"), writes=("out",),
           doc="an SFPU op on an accumulator in DST (a GEMM epilogue)"),
    TileOp("tt.expr_block", "compute", "sfpu", ("tree", "out", "h", "w"), writes=("out",),
           inputs=True, doc="an expression tree (tt_passes._expr) over input CBs"),
    TileOp("tt.reduce_block", "compute", "fpu", ("kind", "dim", "src", "scaler", "out", "h",
                                                  "w"),
           reads=("src", "scaler"), writes=("out",), doc="row / column sum or max of a block"),
    TileOp("tt.fill_block", "compute", "sfpu", ("out", "bits", "h", "w"), writes=("out",),
           doc="a block of one constant (fp32 bits)"),
    TileOp("tt.transpose_block", "compute", "unpack", ("src", "dst", "h", "w"), reads=("src",),
           writes=("dst",), doc="dst (h x w tiles) = src (w x h tiles) transposed: dst tile "
                                "(r, c) is src tile (c, r) transposed (also a vector between "
                                "column 0 and row 0)"),
    TileOp("tt.cb_in", "compute", "unpack", ("cb",),
           doc="marker: a block of the CB is available from here (compute waits, then pops "
               "at the end of the sequence)"),
    TileOp("tt.pack_out", "compute", "pack", ("cb",),
           doc="marker: the accumulator is final here (DST is packed to its CB)"),
)}


@dataclass(frozen=True)
class SfpuUnary:
    """An SFPU function y = f(x) of every element of a DST tile: its node in the expression
    trees of `tt.expr_block` / `tt.unary_block` (tt_passes._expr), the TT-Metalium call on a
    DST slot and the init it needs, and the TIR calls (``T.<name>``) that lower to it.

    Every pass that meets a unary node asks this table: _expr builds and prints the node,
    insert_dst_management emits `call`, insert_compute_init emits `init` before its first use
    (ops sharing an init share it: one `rounding_op_tile_init` for trunc / floor / ceil), and
    codegen finds the header of `call` in the SDK's table."""

    node: str
    call: str
    init: str = ""  # default: call + "_init"
    tir: tuple = ()
    doc: str = ""

    @property
    def init_call(self) -> str:
        return self.init or self.call + "_init"


SFPU_UNARY: dict = {u.node: u for u in (
    SfpuUnary("relu", "relu_tile", doc="max(x, 0): T.max(x, 0)"),
    SfpuUnary("exp", "exp_tile", tir=("exp",)),
    SfpuUnary("exp2", "exp2_tile", tir=("exp2",)),
    SfpuUnary("log", "log_tile", tir=("log",), doc="also log2 / log10: log then a scale"),
    SfpuUnary("log1p", "log1p_tile", tir=("log1p",), doc="log(1 + x)"),
    SfpuUnary("sqrt", "sqrt_tile", tir=("sqrt",)),
    SfpuUnary("rsqrt", "rsqrt_tile", tir=("rsqrt",)),
    SfpuUnary("abs", "abs_tile", tir=("fabs",)),
    SfpuUnary("sigmoid", "sigmoid_tile", tir=("sigmoid",)),
    SfpuUnary("tanh", "tanh_tile", tir=("tanh",)),
    SfpuUnary("sin", "sin_tile", tir=("sin",)),
    SfpuUnary("cos", "cos_tile", tir=("cos",)),
    SfpuUnary("tan", "tan_tile", tir=("tan",)),
    SfpuUnary("neg", "negative_tile", doc="-x: x * -1"),
    SfpuUnary("recip", "recip_tile", doc="1 / x: c / x"),
    *(SfpuUnary(c, f"{c}_tile", doc=f"1.0 where x {op} 0, else 0.0: comparisons and selects")
      for c, op in (("gtz", ">"), ("gez", ">="), ("ltz", "<"), ("lez", "<="), ("eqz", "=="),
                    ("nez", "!="))),
    SfpuUnary("trunc", "trunc_tile", "rounding_op_tile_init",
              doc="toward zero: a cast to an integer dtype, integer division"),
    SfpuUnary("floor", "floor_tile", "rounding_op_tile_init", tir=("floor",)),
    SfpuUnary("ceil", "ceil_tile", "rounding_op_tile_init", tir=("ceil",)),
)}


# The other elementwise tile calls, by tree node (tt_passes._expr builds the nodes): the FPU's
# tile op tile straight from two CBs, the SFPU's DST op DST and DST op scalar.
FPU_BINARY = {"add": "add_tiles", "sub": "sub_tiles", "mul": "mul_tiles"}
FPU_BCAST = {f"{op}_{dim}": f"{op}_tiles_bcast_{dim}s" for op in FPU_BINARY for dim in ("col", "row")}
SFPU_BINARY = {"add": "add_binary_tile", "sub": "sub_binary_tile", "mul": "mul_binary_tile",
               "div": "div_binary_tile", "max": "binary_max_tile", "min": "binary_min_tile"}
SFPU_SCALAR = {"add_s": "add_unary_tile", "sub_s": "sub_unary_tile", "rsub_s": "rsub_unary_tile",
               "mul_s": "mul_unary_tile", "div_s": "div_unary_tile", "max_s": "unary_max_tile",
               "min_s": "unary_min_tile"}

@dataclass(frozen=True)
class ComputeCall:
    """A TT-Metalium compute call the passes emit, by what it asks of the core's engines.

    Operands are positions after the function name (template arguments are part of the name
    and ignored for the lookup):

    - `dst`: its DST slot operands (verify_tt_ir checks each against DST's capacity);
    - `srca` / `srcb`: the CB each unpacker reads for it, `pack`: the CB the packer writes
      (insert_compute_init reconfigures a unit whose data format differs);
    - `init`: the op init that must precede it, `init_args` the operands passed to that init
      (`"transpose"`: the matmul's transpose flag from `tt.matmuls`). Calls sharing an init
      share the engine state (one `binop_with_scalar_tile_init` serves all DST-op-scalar ops);
    - `explicit`: the call is itself an init the passes place (reduce_init, transpose_init,
      unary_bcast_init): it sets the op state that later calls see; `uninit` clears it;
    - `startup`: compute_kernel_hw_startup takes its first two CB operands when it is the
      first such call (1: an FPU op, preferred; 2: a reduction); `reverse`: those two are
      unpacked in reverse (matmul: in1 to srcA);
    - `bcast_unpack`: a unary broadcast, which unpacks to srcB except a scalar broadcast
      (`NONE`) or 32-bit data, which reach DST through srcA;
    - `init_template`: the init takes the call's template arguments (`typecast_tile<IN, OUT>`
      -> `typecast_tile_init<IN, OUT>`; `where_tile<Float32>`'s init takes none)."""

    name: str
    dst: tuple = ()
    srca: int | None = None
    srcb: int | None = None
    pack: int | None = None
    init: str = ""
    init_args: tuple = ()
    explicit: bool = False
    uninit: bool = False
    startup: int = 0
    reverse: bool = False
    bcast_unpack: bool = False
    init_template: bool = False  # the init takes the call's template arguments too


def _fpu(call: str, init: str) -> ComputeCall:
    """An FPU tile op tile straight from two CBs: (cb a, cb b, tile a, tile b, dst)."""
    return ComputeCall(call, dst=(4,), srca=0, srcb=1, init=init, init_args=(0, 1), startup=1)


def _sfpu(call: str, init: str, dst: tuple = (0,)) -> ComputeCall:
    """An SFPU op on DST slots (no CB operand)."""
    return ComputeCall(call, dst=dst, init=init)


COMPUTE_CALLS: dict = {c.name: c for c in (
    ComputeCall("matmul_tiles", dst=(4,), srca=1, srcb=0, init="matmul_init",
                init_args=(0, 1, "transpose"), startup=1, reverse=True),
    # (in0 cb, in1 cb, in0 tile, in1 tile, dst): in1 is unpacked to srcA, in0 to srcB
    *(_fpu(call, call.replace("_tiles", "") + "_init") for call in FPU_BINARY.values()),
    *(_fpu(call, call.replace("_tiles_bcast_", "_bcast_") + "_init")  # sub_bcast_cols_init
      for call in FPU_BCAST.values()),
    ComputeCall("copy_tile", dst=(2,), srca=0, init="copy_init", init_args=(0,)),
    ComputeCall("reduce_init", srca=0, srcb=1, explicit=True, startup=2),  # (src, scaler, out)
    ComputeCall("reduce_tile", dst=(4,)),  # (cb, scaler cb, tile, scaler tile, dst)
    ComputeCall("reduce_uninit", uninit=True),
    ComputeCall("transpose_init", srca=0, explicit=True),
    ComputeCall("transpose_tile", dst=(2,)),  # (cb, tile, dst)
    ComputeCall("unary_bcast_init", srcb=0, explicit=True, bcast_unpack=True),
    ComputeCall("unary_bcast", dst=(2,)),  # (cb, tile, dst)
    ComputeCall("pack_tile", dst=(0,), pack=1),  # (dst, cb)
    _sfpu("fill_tile_bitcast", "fill_tile_init"),  # (dst, bits)
    ComputeCall("typecast_tile", dst=(0,), init="typecast_tile_init", init_template=True),
    # <IN, OUT>(dst): its init takes the same template arguments
    _sfpu("where_tile", "where_tile_init", dst=(0, 1, 2, 3)),
    # <DataFormat>(dst cond, dst true, dst false, dst out): a value select
    *(_sfpu(u.call, u.init_call) for u in SFPU_UNARY.values()),  # (dst)
    *(_sfpu(call, call + "_init", dst=(0, 1, 2)) for call in SFPU_BINARY.values()),
    # (dst a, dst b, dst out); DST op scalar (dst, scalar bits): one init for all but max / min
    *(_sfpu(call, call + "_init" if call in ("unary_max_tile", "unary_min_tile")
            else "binop_with_scalar_tile_init") for call in SFPU_SCALAR.values()),
)}


def compute_call(name: str) -> ComputeCall | None:
    """The registry row of a compute call (template arguments ignored), or None."""
    return COMPUTE_CALLS.get(name.split("<")[0])


def dst_operands(call: str) -> tuple | None:
    """The DST slot operand positions of a compute call that addresses DST, or None."""
    row = compute_call(call)
    return row.dst if row is not None and row.dst else None


def match(stmt: Any) -> tuple | None:
    """(TileOp, args) if `stmt` is a registered `tt.*` intrinsic statement, else None."""
    hit = B.intrinsic_of(stmt)
    if hit is None or hit[0] not in OPS:
        return None
    return OPS[hit[0]], hit[1]


def kernel_of(stmt: Any, default: str = "compute") -> str:
    """The kernel a statement runs in (TT-Metalium calls placed by the passes: compute)."""
    hit = match(stmt)
    return hit[0].kernel if hit is not None else default


def reads_of(stmt: Any) -> set:
    """CB indices the tile ops under `stmt` read."""
    out: set = set()

    def visit(s: Any) -> None:
        hit = match(s)
        if hit is not None:
            out.update(hit[0].read_cbs(hit[1]))

    tir.walk(stmt, visit, types=tir.Evaluate)
    return out
