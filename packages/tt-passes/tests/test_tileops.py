"""The tile-op registry: every tt.* intrinsic stage C emits is registered, and its CBs are
read by name, not by position."""

import pytest
from conftest import apply, kernels

from tt_ir import tir
from tt_passes import _build as B
from tt_passes import _expr, _tileops

KERNELS = {
    "gemm": lambda: kernels.matmul(256, 256, 256, 64, 64, 32, stages=3, relu=True),
    "two_gemms": kernels.two_gemms,
    "softmax_num": kernels.softmax_num,
    "row_min": lambda: kernels.row_reduce("min"),
    "direct": kernels.direct_eltwise,
}


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_every_stage_c_intrinsic_is_registered(name):
    """After build_tile_dfg the body holds only registered tt.* intrinsics."""
    _, after = apply(KERNELS[name](), "build_tile_dfg")
    (func,) = [f for _, f in after.functions.items()]
    names = {B.intrinsic_of(e)[0] for e in tir.collect(func.body, tir.Evaluate)
             if B.intrinsic_of(e) is not None}
    tt_names = {n for n in names if n.startswith("tt.")}
    assert tt_names and tt_names <= set(_tileops.OPS), tt_names - set(_tileops.OPS)


def test_operands_by_name():
    """matmul_block reads in0, in1 and writes out; an expression reads all its inputs."""
    mm = B.extern("tt.matmul_block", 0, 1, 16, 2, 2, 2, 0)
    op, args = _tileops.match(mm)
    assert (op.kernel, op.read_cbs(args), op.write_cbs(args), op.out(args)) == \
        ("compute", [0, 1], [16], 16)
    tree = _expr.Node("add", (_expr.Node("in", index=0), _expr.Node("mul", (_expr.Node("in", index=1),
                                                                            _expr.Node("in", index=2)))))
    expr = B.extern("tt.expr_block", _expr.to_ir(tree), 16, 2, 2, 0, 1, 2)
    assert _tileops.reads_of(expr) == {0, 1, 2}
    assert _tileops.kernel_of(B.extern("tt.copy_in", 0, "A", 0, 0, 1, 1, 0, 0)) == "reader"


def test_a_table_entry_names_only_its_operands():
    """A TileOp that reads an operand it does not declare is rejected when it is defined."""
    with pytest.raises(AssertionError):
        _tileops.TileOp("tt.bad", "compute", "fpu", ("a",), reads=("b",))
