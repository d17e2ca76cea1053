"""insert_dst_management: acquire/commit/wait/release, packing and sub-blocking to DST."""

import pytest
from conftest import apply, body_text, kernels

import tt_ir.language as T
from tt_passes.insert_dst_management import choose_subblock

EXPECTED_ADD = '''\
            T.call_extern("void", "cb_wait_front", 0, 8)
            T.call_extern("void", "cb_wait_front", 1, 8)
            T.call_extern("void", "tile_regs_acquire")
            for t in range(T.uint32(8)):
                T.call_extern("void", "add_tiles", 0, 1, t, t, t)
            T.call_extern("void", "tile_regs_commit")
            T.call_extern("void", "cb_reserve_back", 16, 8)
            T.call_extern("void", "tile_regs_wait")
            for t in range(T.uint32(8)):
                T.call_extern("void", "pack_tile", t, 16)
            T.call_extern("void", "tile_regs_release")
            T.call_extern("void", "cb_push_back", 16, 8)
        T.call_extern("void", "cb_pop_front", 0, 8)
        T.call_extern("void", "cb_pop_front", 1, 8)'''

EXPECTED_GEMM = '''\
    for b in range(block_count):
        T.call_extern("void", "tile_regs_acquire")
        for k in range(T.uint32(8)):
            with T.attr("tt", "tt.comment", "kernels.py:18  T.gemm(A_shared, B_shared, C_local)"):
                T.call_extern("void", "cb_wait_front", 0, 2)
                T.call_extern("void", "cb_wait_front", 1, 2)
                for i, j in T.grid(T.uint32(2), T.uint32(2)):
                    T.call_extern("void", "matmul_tiles", 0, 1, i, j, i * T.uint32(2) + j)
            T.call_extern("void", "cb_pop_front", 0, 2)
            T.call_extern("void", "cb_pop_front", 1, 2)
        with T.attr("tt", "tt.comment", "kernels.py:20  for i, j in T.Parallel(64, 64): C_local[i, j] = T.max(C_local[i, j], 0.0)"):
            for t in range(T.uint32(4)):
                T.call_extern("void", "relu_tile", t)
        T.call_extern("void", "tile_regs_commit")
        T.call_extern("void", "cb_reserve_back", 16, 4)
        T.call_extern("void", "tile_regs_wait")
        for t in range(T.uint32(4)):
            T.call_extern("void", "pack_tile", t, 16)
        T.call_extern("void", "tile_regs_release")
        T.call_extern("void", "cb_push_back", 16, 4)'''


def test_choose_subblock():
    """Largest sub-block within capacity that divides the block; ties prefer full rows."""
    assert choose_subblock(2, 4, 8) == (2, 4)
    assert choose_subblock(4, 4, 4) == (1, 4)
    assert choose_subblock(4, 4, 8) == (2, 4)
    assert choose_subblock(3, 5, 4) == (3, 1)
    assert choose_subblock(1, 1, 4) == (1, 1)


def test_elementwise_chunk(add_kernel):
    """One 2x4 sub-block of 8 tiles (bf16 DST 8): add into DST[t], pack 8 tiles (golden shape)."""
    _, after = apply(add_kernel, "insert_dst_management")
    assert EXPECTED_ADD in body_text(after, "compute")


def test_gemm_accumulates_across_k_in_dst(gemm_kernel):
    """A 2x2-tile block fits DST (4): acquire before K, relu after, commit and pack once."""
    _, after = apply(gemm_kernel, "insert_dst_management")
    assert EXPECTED_GEMM in body_text(after, "compute")


def test_elementwise_sub_blocks_beyond_dst():
    """A 4x8-tile float32 add (DST 4): eight 1x4 sub-blocks, each packed on its own."""
    import tt_ir.language as T
    _, after = apply(kernels.eltwise(M=128, N=256, bm=128, bn=256, dtype=T.float32),
                     "insert_dst_management")
    text = body_text(after, "compute")
    assert "for si, sj in T.grid(T.uint32(4), T.uint32(2)):" in text
    assert 'T.call_extern("void", "add_tiles", 0, 1, si * T.uint32(8) + sj * T.uint32(4) + j, ' \
           'si * T.uint32(8) + sj * T.uint32(4) + j, j)' in text


def test_partials_spill_and_reload(big_gemm_kernel):
    """spill="partials": reload partials when k > 0, pack to partials except at the last k."""
    _, after = apply(big_gemm_kernel, "insert_dst_management", spill="partials")
    text = body_text(after, "compute")
    assert "if k > T.uint32(0):" in text and 'T.call_extern("void", "copy_tile", 24, t, t)' in text
    assert "if k == T.uint32(7):" in text
    assert 'T.call_extern("void", "pack_tile", t, 24)' in text and 'T.call_extern("void", "pack_tile", t, 16)' in text


EXPECTED_EXPR = '''\
            T.call_extern("void", "tile_regs_acquire")
            for t in range(T.uint32(4)):
                T.call_extern("void", "mul_tiles", 0, 1, t, t, t)
            for t in range(T.uint32(4)):
                T.call_extern("void", "copy_tile", 2, t, t + T.uint32(4))
            for t in range(T.uint32(4)):
                T.call_extern("void", "add_binary_tile", t, t + T.uint32(4), t)
            T.call_extern("void", "tile_regs_commit")'''

EXPECTED_EPILOGUE = '''\
        T.call_extern("void", "cb_wait_front", 2, 4)
        with T.attr("tt", "tt.comment", "kernels.py:127  for i, j in T.Parallel(64, 64): C_l[i, j] = T.max(C_l[i, j] + Bias_s[i, j], 0.0)"):
            for t in range(T.uint32(4)):
                T.call_extern("void", "copy_tile", 2, t, t + T.uint32(4))
            for t in range(T.uint32(4)):
                T.call_extern("void", "add_binary_tile", t, t + T.uint32(4), t)
            for t in range(T.uint32(4)):
                T.call_extern("void", "relu_tile", t)
        T.call_extern("void", "tile_regs_commit")'''


def test_expression_registers_per_tile():
    """a*b+c: FPU mul into DST[t], c copied to DST[4+t], add_binary_tile(t, 4+t, t), op by op."""
    _, after = apply(kernels.expression(lambda a, b, c: a * b + c), "insert_dst_management")
    assert EXPECTED_EXPR in body_text(after, "compute")


def test_scalar_op_takes_fp32_bits():
    """x * 0.5 passes 0.5 as its fp32 bit pattern (0x3f000000)."""
    _, after = apply(kernels.expression(lambda a, b, c: (a - b) * 0.5 + c), "insert_dst_management")
    assert 'T.call_extern("void", "mul_unary_tile", t, T.uint32(1056964608))' in body_text(after, "compute")


def test_gemm_epilogue_beside_the_accumulator():
    """bf16 DST (8): the 4 accumulator tiles stay in DST[0..4), Bias goes to DST[4..8); the
    Bias wait sits once before the epilogue."""
    import tt_ir.language as T
    _, after = apply(kernels.gemm_epilogue(lambda c, b: T.max(c + b, 0), accum=T.bfloat16),
                     "insert_dst_management")
    assert EXPECTED_EPILOGUE in body_text(after, "compute")


def test_group_size():
    """Epilogue groups: all tiles if they fit beside the accumulator, else the largest divisor."""
    from tt_passes.insert_dst_management import group_size
    assert group_size(4, 2, 8, in_place=True) == 4
    assert group_size(4, 3, 8, in_place=True) == 2
    assert group_size(6, 2, 8, in_place=True) == 2
    assert group_size(4, 2, 8, in_place=False) == 4


def _n(op, *args, value=0.0):
    """A tree node (leaves: `_n("in", k)`, `_n("acc")`)."""
    from tt_passes import _expr
    if op == "in":
        return _expr.Node("in", index=args[0])
    return _expr.Node(op, tuple(args), value=value)


def test_sethi_ullman_order():
    """The hungrier child is evaluated first; acc stays in register 0; FPU leaves need one slot."""
    from tt_passes import _expr
    tree = _n("add", _n("in", 0), _n("mul", _n("exp", _n("in", 1)), _n("exp", _n("in", 2))))
    assert str(tree) == "add($0, mul(exp($1), exp($2)))"
    assert _expr.slots(tree) == 2
    assert _expr.program(tree) == [("copy", 0, 1), ("unary", "exp", 0), ("copy", 1, 2),
                                   ("unary", "exp", 1), ("binary", "mul", 0, 1, 0),
                                   ("copy", 1, 0), ("binary", "add", 1, 0, 0)]
    assert _expr.slots(_n("mul", _n("in", 0), _n("in", 1))) == 1
    with_acc = _n("sub", _n("add", _n("in", 0), _n("in", 1)), _n("acc"))
    assert _expr.slots(with_acc) == 2
    assert _expr.program(with_acc) == [("fpu", "add", 1, 0, 1), ("binary", "sub", 1, 0, 0)]
    assert str(_n("mul_s", _n("sub", _n("in", 0), _n("in", 1)), value=0.5)) == "mul_s(sub($0, $1), 0.5)"


def test_trees_travel_in_the_ir_as_calls_and_come_back_equal():
    """to_ir / of_ir: every node kind (leaves, vector leaves, acc, unary, binary, scalar with a
    constant float32 cannot hold, broadcast) survives the trip; the IR is `tt.tree.*` calls."""
    from tt_ir import tir
    from tt_passes import _expr
    tree = _n("add", _n("mul_s", _n("exp", _n("sub_col", _n("in", 0), _n("in", 1))), value=0.1),
              _n("max", _n("acc"), _expr.Node("vrow", index=2)))
    ir = _expr.to_ir(tree)
    assert tir.extern_name(ir) == "tt.tree.add"
    assert _expr.of_ir(ir) == tree and _expr.of_ir(ir).args[0].value == 0.1
    with pytest.raises(ValueError, match="not an expression tree node"):
        _expr.of_ir(tir.const(1.0, "float32"))


EXPECTED_ROW_MAX = '''\
    T.call_extern("void", "cb_wait_front", 1, 1)
    for b in range(block_count):
        with T.attr("tt", "tt.comment", "kernels.py:143  T.reduce_max(A_l, S_l, dim=1)"):
            T.call_extern("void", "cb_wait_front", 0, 16)
            T.call_extern("void", "tile_regs_acquire")
            for t in range(T.uint32(8)):
                T.call_extern("void", "fill_tile_bitcast", t, T.uint32(4286578688))
            T.call_extern("void", "reduce_init<PoolType::MAX, ReduceDim::REDUCE_ROW>", 0, 1, 16)
            for i, j in T.grid(T.uint32(8), T.uint32(2)):
                T.call_extern("void", "reduce_tile<PoolType::MAX, ReduceDim::REDUCE_ROW>", 0, 1, i * T.uint32(2) + j, 0, i)
            T.call_extern("void", "tile_regs_commit")
            T.call_extern("void", "cb_reserve_back", 16, 8)
            T.call_extern("void", "tile_regs_wait")
            for t in range(T.uint32(8)):
                T.call_extern("void", "pack_tile", t, 16)
            T.call_extern("void", "tile_regs_release")
            T.call_extern("void", "cb_push_back", 16, 8)
            T.call_extern("void", "reduce_uninit", 0)
        T.call_extern("void", "cb_pop_front", 0, 16)
    T.call_extern("void", "cb_pop_front", 1, 1)'''


def test_row_max_reduction():
    """Row max of a 256 x 64 block: 8 output tiles in DST, each started at -inf, 2 reduce_tiles
    per tile; reduce_init/uninit around it; the scaler waited once, popped after the loop."""
    _, after = apply(kernels.row_reduce("max", bm=256, N=64), "insert_dst_management")
    assert EXPECTED_ROW_MAX in body_text(after, "compute")


def test_column_reduction_sub_blocks():
    """Column sum with fp32 DST (4 tiles): 2 sub-blocks of 4 output tiles (sj), each tile
    accumulating over the block's h = 2 tile rows."""
    _, after = apply(kernels.col_reduce("sum", dtype=T.float32), "insert_dst_management")
    text = body_text(after, "compute")
    assert "for sj in range(T.uint32(2)):" in text
    assert ('T.call_extern("void", "reduce_tile<PoolType::SUM, ReduceDim::REDUCE_COL>", 0, 1, '
            'i * T.uint32(8) + sj * T.uint32(4) + j, 0, j)') in text
    assert "fill_tile" not in text


EXPECTED_SOFTMAX_NUM = '''\
    T.call_extern("void", "cb_wait_front", 1, 1)
    for b in range(block_count):
        with T.attr("tt", "tt.comment", "kernels.py:173  T.reduce_max(A_l, M_l, dim=1)"):
            T.call_extern("void", "cb_wait_front", 0, 8)
            T.call_extern("void", "tile_regs_acquire")
            for t in range(T.uint32(2)):
                T.call_extern("void", "fill_tile_bitcast", t, T.uint32(4286578688))
            T.call_extern("void", "reduce_init<PoolType::MAX, ReduceDim::REDUCE_ROW>", 0, 1, 24)
            for i, j in T.grid(T.uint32(2), T.uint32(4)):
                T.call_extern("void", "reduce_tile<PoolType::MAX, ReduceDim::REDUCE_ROW>", 0, 1, i * T.uint32(4) + j, 0, i)
            T.call_extern("void", "tile_regs_commit")
            T.call_extern("void", "cb_reserve_back", 24, 2)
            T.call_extern("void", "tile_regs_wait")
            for t in range(T.uint32(2)):
                T.call_extern("void", "pack_tile", t, 24)
            T.call_extern("void", "tile_regs_release")
            T.call_extern("void", "cb_push_back", 24, 2)
            T.call_extern("void", "reduce_uninit", 0)
        with T.attr("tt", "tt.comment", "kernels.py:174  for i, j in T.Parallel(64, 128): C_l[i, j] = T.exp(A_l[i, j] - M_l[i])"):
            T.call_extern("void", "cb_wait_front", 24, 2)
            T.call_extern("void", "tile_regs_acquire")
            for t in range(T.uint32(8)):
                T.call_extern("void", "sub_tiles_bcast_cols", 0, 24, t, t // T.uint32(4), t)
            for t in range(T.uint32(8)):
                T.call_extern("void", "exp_tile", t)
            T.call_extern("void", "tile_regs_commit")
            T.call_extern("void", "cb_reserve_back", 16, 8)
            T.call_extern("void", "tile_regs_wait")
            for t in range(T.uint32(8)):
                T.call_extern("void", "pack_tile", t, 16)
            T.call_extern("void", "tile_regs_release")
            T.call_extern("void", "cb_push_back", 16, 8)
        T.call_extern("void", "cb_pop_front", 0, 8)
        T.call_extern("void", "cb_pop_front", 24, 2)
    T.call_extern("void", "cb_pop_front", 1, 1)'''


def test_row_max_on_chip_then_bcast_sub_exp():
    """exp(A - rowmax(A)): the max packs its whole block (2 tiles) to the intermediate CB
    c_24; the expression waits for it, runs sub_tiles_bcast_cols (vector tile = block row
    t // 4 of the 2 x 4 block) then exp in place; c_24, like the block A_l, is popped at the
    end of the block trip (the sequence the value lives in)."""
    _, after = apply(kernels.softmax_num(), "insert_dst_management")
    assert EXPECTED_SOFTMAX_NUM in body_text(after, "compute")


def test_bcast_program():
    """A broadcast node is one FPU instruction from two CBs (1 DST register)."""
    from tt_passes import _expr
    tree = _n("exp", _n("sub_col", _n("in", 0), _n("in", 1)))
    assert _expr.slots(tree) == 1 and str(tree) == "exp(sub_col($0, $1))"
    assert _expr.program(tree) == [("bcast", "sub_col", 0, 0, 1), ("unary", "exp", 0)]
    assert _expr.program(_n("add", _n("mul_row", _n("in", 0), _n("in", 1)), _n("in", 2))) == [
        ("bcast", "mul_row", 0, 0, 1), ("copy", 1, 2), ("binary", "add", 0, 1, 0)]


def test_int32_blocks_are_typecast_at_the_cb_boundary():
    """On chip an int32 block is float32: a sub-block packed to an Int32 CB is cast in DST
    (`typecast_tile<Float32, Int32>`, codes 0 and 8) just before tile_regs_commit, and a tile
    copied from an Int32 CB is cast back (`typecast_tile<Int32, Float32>`) right after."""
    _, after = apply(kernels.index_argmax(), "insert_dst_management")
    lines = [line.strip() for line in body_text(after, "compute").splitlines()]
    casts = [i for i, line in enumerate(lines) if line.startswith('T.call_extern("void", "typecast_tile<0, 8>"')]
    assert len(casts) == 1
    assert lines[casts[0] + 1] == 'T.call_extern("void", "tile_regs_commit")'

    _, after = apply(kernels.loop_update(n=1, dtype=T.int32), "insert_dst_management")
    lines = [line.strip() for line in body_text(after, "compute").splitlines()]
    first = next(i for i, line in enumerate(lines) if '"copy_tile", 0,' in line)
    assert lines[first + 1].startswith('T.call_extern("void", "typecast_tile<8, 0>"')
    assert sum("typecast_tile<0, 8>" in line for line in lines) == 1  # only the pack to Y
