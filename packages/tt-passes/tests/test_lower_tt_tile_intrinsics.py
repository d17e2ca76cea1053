"""lower_tt_tile_intrinsics: TileLang tile ops -> tt.* tile intrinsics on CBs."""

import pytest
from conftest import apply, body_text, expr_blocks, kernels

import tt_ir.language as T
from tt_ir import tir
from tt_ir.errors import TTCompileError
from tt_passes import _meta
from tt_passes.lower_tt_tile_intrinsics import affine

EXPECTED_ADD = '''\
        with T.attr("tt", "tt.comment", "kernels.py:32  T.copy(A[by * 64, bx * 128], A_shared)"):
            T.call_extern("void", "tt.copy_in", 0, "A", by * T.uint32(2), bx * T.uint32(4), 2, 4, 0, 0)
        with T.attr("tt", "tt.comment", "kernels.py:33  T.copy(B[by * 64, bx * 128], B_shared)"):
            T.call_extern("void", "tt.copy_in", 1, "B", by * T.uint32(2), bx * T.uint32(4), 2, 4, 0, 0)
        with T.attr("tt", "tt.comment", "kernels.py:34  for i, j in T.Parallel(64, 128): C_local[i, j] = A_shared[i, j] + B_shared[i, j]"):
            T.call_extern("void", "tt.binary_block", "add", 0, 1, 16, 2, 4)
        with T.attr("tt", "tt.comment", "kernels.py:36  T.copy(C_local, C[by * 64, bx * 128])"):
            T.call_extern("void", "tt.copy_out", 16, "C", by * T.uint32(2), bx * T.uint32(4), 2, 4, 0, 0)'''

EXPECTED_GEMM = '''\
        with T.attr("tt", "tt.comment", "kernels.py:11  T.clear(C_local)"):
            T.call_extern("void", "tt.acc_clear", 16)
        for k in range(T.uint32(8)):
            with T.attr("tt", "tt.comment", "kernels.py:13  T.copy(A[by * 64, k * 32], A_shared)"):
                T.call_extern("void", "tt.copy_in", 0, "A", by * T.uint32(2), k, 2, 1, 0, 0)
            with T.attr("tt", "tt.comment", "kernels.py:17  T.copy(B[k * 32, bx * 64], B_shared)"):
                T.call_extern("void", "tt.copy_in", 1, "B", k, bx * T.uint32(2), 1, 2, 0, 0)
            with T.attr("tt", "tt.comment", "kernels.py:18  T.gemm(A_shared, B_shared, C_local)"):
                T.call_extern("void", "tt.matmul_block", 0, 1, 16, 2, 2, 1, 0)
        with T.attr("tt", "tt.comment", "kernels.py:20  for i, j in T.Parallel(64, 64): C_local[i, j] = T.max(C_local[i, j], 0.0)"):
            T.call_extern("void", "tt.unary_block", "relu", 16, 2, 2)
        with T.attr("tt", "tt.comment", "kernels.py:22  T.copy(C_local, C[by * 64, bx * 64])"):
            T.call_extern("void", "tt.copy_out", 16, "C", by * T.uint32(2), bx * T.uint32(2), 2, 2, 0, 0)'''


def test_elementwise_add(add_kernel):
    """Copies become tt.copy_in/out with tile coordinates; the T.Parallel add a tt.binary_block."""
    _, after = apply(add_kernel, "lower_tt_tile_intrinsics")
    assert EXPECTED_ADD in body_text(after)


def test_quickstart_gemm(gemm_kernel):
    """clear/copies/gemm/relu/copy-out in a uint32 K loop; comments carry the kernel lines."""
    _, after = apply(gemm_kernel, "lower_tt_tile_intrinsics")
    assert EXPECTED_GEMM in body_text(after)


def test_partial_blocks_set_guards():
    """M=96, N=160 with 64x64 blocks: A rows, A/B K columns and C edges get guard flags."""
    _, after = apply(kernels.matmul(96, 160, 96, 64, 64, 64), "lower_tt_tile_intrinsics")
    text = body_text(after)
    assert '"tt.copy_in", 0, "A", by * T.uint32(2), k * T.uint32(2), 2, 2, 1, 1)' in text
    assert '"tt.copy_out", 16, "C", by * T.uint32(2), bx * T.uint32(2), 2, 2, 1, 1)' in text


def test_transpose_b():
    """transpose_B: B is [N, K], its block [bn, bk]; the gemm carries transpose=1."""
    _, after = apply(kernels.matmul(128, 128, 128, 64, 64, 64, tb=True), "lower_tt_tile_intrinsics")
    text = body_text(after)
    assert '"tt.copy_in", 1, "B", bx * T.uint32(2), k * T.uint32(2), 2, 2, 0, 0)' in text
    assert '"tt.matmul_block", 0, 1, 16, 2, 2, 2, 1)' in text


def test_restream_narrows_block_program(big_gemm_kernel):
    """spill="restream": a 4x4 accumulator runs per si (1x4 sub-block): A copies 1 row, CBs shrink."""
    _, after = apply(big_gemm_kernel, "lower_tt_tile_intrinsics", spill="restream")
    text = body_text(after)
    assert "for si in range(T.uint32(4)):" in text and "for k in range(T.uint32(8)):" in text
    assert '"tt.copy_in", 0, "A", by * T.uint32(4) + si, k, 1, 1, 0, 0)' in text
    assert '"tt.matmul_block", 0, 1, 16, 1, 4, 1, 0)' in text
    cbs = {cb.name: cb for cb in _meta.get(after, _meta.CBS)}
    assert (cbs["A_shared"].block, cbs["A_shared"].num_pages, cbs["C_local"].block) == ([1, 1], 2, [1, 4])


def test_affine_offsets():
    """Offsets decompose into (var, coefficient) terms plus a constant."""
    x = tir.make_var("x", "int32")
    terms, const = affine(x * 64 + 32)
    assert [(str(v), c) for v, c in terms] == [("x", 64)] and const == 32
    assert affine(x * x) is None


def test_refuses_unsupported_expression():
    """An op with no tile lowering (`//` of int32 tiles) is refused, naming the sub-expression
    and the line, with a hint about that op, not the generic list."""
    with pytest.raises(TTCompileError) as err:
        apply(kernels.expression(lambda a, b, c: T.floordiv(a, 3) + b * c, dtype=T.int32),
              "lower_tt_tile_intrinsics")
    text = str(err.value)
    assert "FloorDiv is not an elementwise op the TT SFPU lowering knows: `A_s[i, j] // 3`" in text
    assert "at kernels.py:" in text
    assert "hint: `//` and `%` of tile values are not lowered (the SFPU divides in floating point" in text
    assert "supported: + - *" not in text


def test_floor_and_ceil_are_sfpu_rounding_ops():
    """T.floor / T.ceil lower to floor_tile / ceil_tile (the SFPU's rounding ops)."""
    _, after = apply(kernels.expression(lambda a, b, c: T.floor(a) + T.ceil(b) * c, dtype=T.float32),
                     "lower_tt_tile_intrinsics")
    assert '"tt.expr_block", "add(floor($0), mul(ceil($1), $2))"' in expr_blocks(after)


def test_log2_is_a_scaled_log():
    """T.log2(x) = ln(x) / ln(2): the SFPU log, then a scalar multiply."""
    _, after = apply(kernels.expression(lambda a, b, c: T.log2(a) + b * c), "lower_tt_tile_intrinsics")
    assert '"add(mul_s(log($0), 1.4426950408889634), mul($1, $2))"' in expr_blocks(after)


@pytest.mark.parametrize("fn, tree", [
    (lambda a, b, c: a * b + c, "add(mul($0, $1), $2)"),
    (lambda a, b, c: (a - b) * 0.5 + c, "add(mul_s(sub($0, $1), 0.5), $2)"),
    (lambda a, b, c: 1.0 - a / b + c, "add(rsub_s(div($0, $1), 1.0), $2)"),
    (lambda a, b, c: T.max(-a, 0) * T.min(b, c), "mul(relu(neg($0)), min($1, $2))"),
    (lambda a, b, c: T.sigmoid(a) - 2.0 / T.exp(b) + T.max(c, 0.5),
     "add(sub(sigmoid($0), mul_s(recip(exp($1)), 2.0)), max_s($2, 0.5))"),
    # selects on values: the condition as a 1.0 / 0.0 tile, then the SFPU's where
    (lambda a, b, c: T.if_then_else(a > b, c, 0.0),
     "where(gtz(sub($0, $1)), $2, fill(0.0))"),
    (lambda a, b, c: T.if_then_else(a == b, 2.0, c),
     "where(eqz(sub($0, $1)), fill(2.0), $2)"),
    (lambda a, b, c: T.if_then_else((a > 0) & (b <= c), a, b),
     "where(mul(gtz($0), lez(sub($1, $2))), $0, $1)"),
])
def test_expression_tree(fn, tree):
    """A T.Parallel expression becomes one tt.expr_block: its tree, out CB, block, input CBs."""
    _, after = apply(kernels.expression(fn), "lower_tt_tile_intrinsics")
    assert f'"tt.expr_block", "{tree}", 16, 2, 2, 0, 1, 2)' in expr_blocks(after)


def test_gemm_epilogue_reads_the_accumulator():
    """`C_l + Bias_s` on the accumulator: the leaf `acc`; fp32 DST (4) is full with the 2x2
    block, so the accumulator is restreamed by 1x2 sub-blocks, Bias narrowed with it."""
    _, after = apply(kernels.gemm_epilogue(lambda c, b: T.max(c + b, 0)), "lower_tt_tile_intrinsics")
    text = body_text(after)
    assert '"tt.expr_block", "relu(add(acc, $0))", 16, 1, 2, 2)' in expr_blocks(after)
    assert '"tt.copy_in", 2, "Bias", by * T.uint32(2) + si, bx * T.uint32(2), 1, 2, 0, 0)' in text
    cbs = {cb.name: cb for cb in _meta.get(after, _meta.CBS)}
    assert cbs["C_l"].restream == [1, 2] and cbs["Bias_s"].block == [1, 2]


def test_chunk_shrinks_to_fit_dst():
    """fp32 (DST 4), a*b+c needs 2 slots a tile: the 2x4 block's sub-block shrinks to 1x2."""
    _, after = apply(kernels.expression(lambda a, b, c: a * b + c, bn=128, dtype=T.float32),
                     "lower_tt_tile_intrinsics")
    assert {cb.name: cb.unit for cb in _meta.get(after, _meta.CBS)}["C_l"] == [1, 2]


def _deep(a, b, depth):
    return T.exp(a) if depth == 0 else _deep(a, b, depth - 1) * _deep(b, a, depth - 1)


def test_refuses_tree_larger_than_dst():
    """A tree needing 5 DST tiles per output tile with fp32 DST (4) is refused with the numbers."""
    with pytest.raises(TTCompileError) as err:
        apply(kernels.expression(lambda a, b, c: _deep(a, b, 4) + c, dtype=T.float32),
              "lower_tt_tile_intrinsics")
    text = str(err.value)
    assert "the expression needs 5 DST tiles per output tile but DST holds 4" in text
    assert "hint: split the expression into several T.Parallel nests" in text


def test_refuses_reading_an_unwritten_output():
    """Reading the output before anything wrote it is refused."""
    import tt_ir.language as TL

    @TL.prim_func
    def k(A: TL.Tensor((64, 64), "bfloat16"), C: TL.Tensor((64, 64), "bfloat16")):
        with TL.Kernel(1, 1) as (bx, by):
            A_s = TL.alloc_shared((64, 64), "bfloat16")
            C_l = TL.alloc_fragment((64, 64), "bfloat16")
            TL.copy(A[0, 0], A_s)
            for i, j in TL.Parallel(64, 64):
                C_l[i, j] = C_l[i, j] + A_s[i, j]
            TL.copy(C_l, C[0, 0])
    with pytest.raises(TTCompileError) as err:
        apply(k, "lower_tt_tile_intrinsics")
    assert "'C_l' is read before anything was written to it" in str(err.value)


EXPECTED_ROW_SUM = '''\
    T.call_extern("void", "tt.scaler_fill", 1)
    block_start: T.let[T.uint32] = T.call_extern("uint32", "tt.runtime_arg", "block_start")
    block_count: T.let[T.uint32] = T.call_extern("uint32", "tt.runtime_arg", "block_count")
    for b in range(block_count):
        bx: T.let[T.uint32] = block_start + b
        A_l = T.alloc_buffer((64, 128), "bfloat16", scope="local.fragment", annotations={"tt.cb": 0})
        S_l = T.alloc_buffer((64, 1), "bfloat16", scope="local.fragment", annotations={"tt.cb": 16})
        with T.attr("tt", "tt.comment", "kernels.py:142  T.copy(A[bx * 64, 0], A_l)"):
            T.call_extern("void", "tt.copy_in", 0, "A", bx * T.uint32(2), T.uint32(0), 2, 4, 0, 0)
        with T.attr("tt", "tt.comment", "kernels.py:143  T.reduce_sum(A_l, S_l, dim=1)"):
            T.call_extern("void", "tt.reduce_block", "sum", "row", 0, 1, 16, 2, 4)
        with T.attr("tt", "tt.comment", "kernels.py:144  T.copy(S_l, S[bx * 64, 0])"):
            T.call_extern("void", "tt.copy_out", 16, "S", bx * T.uint32(2), T.uint32(0), 2, 1, 0, 0)'''


def test_row_reduction():
    """T.reduce_sum(dim=1) -> tt.reduce_block; the scaler fill once at the top; the (64, 1)
    output is copied out as 2 x 1 tiles at column 0 of S."""
    before, after = apply(kernels.row_reduce("sum"), "lower_tt_tile_intrinsics")
    assert "T.tl.reduce(" in body_text(before)
    assert EXPECTED_ROW_SUM in body_text(after)


def test_reduction_clear_false_of_an_unwritten_vector_is_refused():
    """clear=False folds into the old value: one never written is named (not garbage-in)."""
    @T.prim_func
    def acc(A: T.Tensor((64, 64), T.bfloat16), S: T.Tensor((64, 32), T.bfloat16)):
        with T.Kernel(1, threads=128) as bx:
            A_l = T.alloc_fragment((64, 64), T.bfloat16)
            S_l = T.alloc_fragment((64, 1), T.bfloat16)
            T.copy(A[0, 0], A_l)
            T.reduce_sum(A_l, S_l, dim=1, clear=False)
            T.copy(S_l, S[bx * 64, 0])
    with pytest.raises(TTCompileError, match="'S_l' is read before anything was written to it"):
        apply(acc, "lower_tt_tile_intrinsics")


def test_column_min_with_clear_false_is_the_fpu_max_and_two_vector_passes():
    """T.reduce_min(A_l, S_l, dim=0, clear=False): -A_l into a fresh block, the FPU's column
    max of it into S_l_part, then S_l[j] = min(S_l[j], -S_l_part[j]) over the row vector
    (both were refused before: "over dim 0 is not supported yet")."""
    @T.prim_func
    def acc(A: T.Tensor((64, 64), T.float32), S: T.Tensor((64,), T.float32)):
        with T.Kernel(1, threads=128) as bx:
            A_l = T.alloc_fragment((64, 64), T.float32)
            S_l = T.alloc_fragment((64,), T.float32)
            T.copy(A[0, 0], A_l)
            T.fill(S_l, 1.0)
            T.reduce_min(A_l, S_l, dim=0, clear=False)
            T.copy(S_l, S[bx * 64])
    _, after = apply(acc, "canonicalize_tile_program")
    (reduce,) = [c for c in tir.collect(after["acc"].body, tir.Call) if tir.is_call(c, "tl.tileop.reduce")]
    r = tir.decode_reduce(reduce)
    assert (r.kind, r.dim, r.clear, r.src.buffer.name, r.dst.buffer.name) == ("max", 0, True, "A_l_min", "S_l_part")
    neg, join = tir.collect(after["acc"].body, tir.BufferStore)  # S_l's new value is a version S_l_1
    assert (neg.buffer.name, join.buffer.name) == ("A_l_min", "S_l_1")
    assert isinstance(join.value, tir.Min) and join.value.a.source.name == "S_l"


def test_softmax_numerator_bcast_expression():
    """exp(A - rowmax(A)): the max goes to the intermediate CB c_24 and is the broadcast
    operand ($1) of sub_col, the FPU column broadcast."""
    _, after = apply(kernels.softmax_num(), "lower_tt_tile_intrinsics")
    text = body_text(after)
    assert 'T.call_extern("void", "tt.reduce_block", "max", "row", 0, 1, 24, 2, 4)' in text
    assert '"tt.expr_block", "exp(sub_col($0, $1))", 16, 2, 4, 0, 24)' in expr_blocks(after)


@pytest.mark.parametrize("fn, tree", [
    (lambda A, V, i, j: A[i, j] * V[i, 0], '"mul_col($0, $1)", 16, 2, 2, 0, 1)'),
    # V is read first ($0 = V_s = c_1); the commutative + puts the vector second
    (lambda A, V, i, j: V[i, 0] + A[i, j], '"add_col($1, $0)", 16, 2, 2, 1, 0)'),
    (lambda A, V, i, j: T.max(A[i, j] - V[i, 0], 0.0), '"relu(sub_col($0, $1))", 16, 2, 2, 0, 1)'),
])
def test_column_vector_operand(fn, tree):
    """A (bm, 1) operand indexed [i, 0]: a broadcast node over the block's input CBs."""
    _, after = apply(kernels.bcast(fn), "lower_tt_tile_intrinsics")
    assert f'"tt.expr_block", {tree}' in expr_blocks(after)


@pytest.mark.parametrize("fn, tree", [
    (lambda A, V, i, j: V[i, 0] - A[i, j], '"sub(vcol($0), $1)", 16, 2, 2, 1, 0)'),
    (lambda A, V, i, j: A[i, j] * 2.0 + V[i, 0], '"add(mul_s($0, 2.0), vcol($1))", 16, 2, 2, 0, 1)'),
    (lambda A, V, i, j: A[i, j] * T.exp(V[i, 0]), '"mul($0, exp(vcol($1)))", 16, 2, 2, 0, 1)'),
])
def test_vector_operands_off_the_fpu_broadcast(fn, tree):
    """A vector anywhere else than beside a block under + - * is a `vcol` leaf (loaded into
    DST broadcast by unary_bcast<COL>), not a refusal."""
    _, after = apply(kernels.bcast(fn), "lower_tt_tile_intrinsics")
    assert f'"tt.expr_block", {tree}' in expr_blocks(after)


def test_vector_indexed_by_the_wrong_variable_is_refused():
    with pytest.raises(TTCompileError, match=r"must be indexed `V_s\[i, 0\]`") as err:
        apply(kernels.bcast(lambda A, V, i, j: A[i, j] * V[j, 0]), "lower_tt_tile_intrinsics")
    assert "at kernels.py:" in str(err.value)


def test_vector_in_another_format_skips_the_fpu_broadcast():
    """The FPU reads a broadcast's block and vector in one format: an fp32 vector beside a
    bf16 block is loaded into DST by unary_bcast instead (mul($0, vcol($1)), not mul_col)."""

    @T.prim_func
    def scale_rows(A: T.Tensor((128, 128), T.bfloat16), S: T.Tensor((128, 32), T.float32),
                   C: T.Tensor((128, 128), T.bfloat16)):
        with T.Kernel(2) as bx:
            A_l = T.alloc_fragment((64, 128), T.bfloat16)
            S_l = T.alloc_fragment((64, 1), T.float32)
            C_l = T.alloc_fragment((64, 128), T.bfloat16)
            T.copy(A[bx * 64, 0], A_l)
            T.copy(S[bx * 64, 0], S_l)
            for i, j in T.Parallel(64, 128):
                C_l[i, j] = A_l[i, j] * S_l[i, 0]
            T.copy(C_l, C[bx * 64, 0])

    _, after = apply(scale_rows, "lower_tt_tile_intrinsics")
    assert '"tt.expr_block", "mul($0, vcol($1))", 16, 2, 4, 0, 1)' in expr_blocks(after)


def test_value_select_with_an_infinite_branch_is_a_where():
    """A select keeps an infinite branch exactly (where_tile picks, nothing is multiplied by
    a mask, so no 0 * inf = NaN)."""
    _, after = apply(kernels.expression(lambda a, b, c: T.if_then_else(a > b, c, -T.infinity(T.bfloat16))),
                     "lower_tt_tile_intrinsics")
    assert '"where(gtz(sub($0, $1)), $2, fill(-inf))"' in expr_blocks(after)


def test_blocks_inside_runtime_sizes_need_no_guard():
    """fits_sizes: by in [0, m_div64) reading 2-tile blocks at by * 64 stays inside 2 * m_div64
    tiles for every m; one tile further (by * 64 + 32), or a block var of another size, may not."""
    from tt_ir import tir
    from tt_passes.lower_tt_tile_intrinsics import fits_sizes

    by, k = tir.make_var("by", "uint32"), tir.make_var("k", "uint32")
    sizes = {by: "m_div64", k: "k_div32"}
    assert fits_sizes([(by, 64)], 0, 2, "2*m_div64", {}, sizes)
    assert not fits_sizes([(by, 64)], 32, 2, "2*m_div64", {}, sizes)
    assert not fits_sizes([(by, 64)], 0, 2, "2*k_div32", {}, sizes)
    assert fits_sizes([(k, 32)], 0, 1, "k_div32", {}, sizes)
    assert fits_sizes([(k, 32)], 0, 1, "2*k_div32", {}, sizes)
    assert not fits_sizes([(tir.make_var("q", "uint32"), 32)], 0, 1, "k_div32", {}, sizes)


def test_runtime_sizes_in_stacked_matrices_are_refused():
    """A rank-4 tensor whose rows are a runtime size is refused naming the copy and the fix
    (its matrices' strides would be runtime values)."""
    from tt_ir.errors import TTCompileError

    with pytest.raises(TTCompileError) as err:
        apply(kernels.attention(seq=T.dynamic("s"), causal=False), "lower_tt_tile_intrinsics")
    text = str(err.value)
    assert "a rank-4 tensor whose row or leading dims are runtime sizes" in text
    assert "hint: make those dims T.const sizes" in text


def test_refusals_carry_a_hint_for_their_reason():
    """A nest over part of a block is refused with a hint about that reason, not a generic
    list of tile ops."""

    @T.prim_func
    def partial(A: T.Tensor((64, 64), T.float32), B: T.Tensor((64, 64), T.float32)):
        with T.Kernel(1) as _:
            A_s = T.alloc_shared((64, 64), T.float32)
            B_l = T.alloc_fragment((64, 64), T.float32)
            T.copy(A, A_s)
            for i, j in T.Parallel(32, 64):
                B_l[i, j] = A_s[i, j] * 2.0
            T.copy(B_l, B)

    with pytest.raises(TTCompileError) as err:
        apply(partial, "lower_tt_tile_intrinsics")
    text = str(err.value)
    assert "T.Parallel must cover a whole shared/fragment block" in text
    assert "hint: loop over the whole block (`for i, j in T.Parallel(bm, bn)`" in text
    assert "rewrite the kernel with the supported tile ops" not in text


def test_comparisons_with_an_infinite_constant_are_sign_tests_against_flt_max():
    """`x == -inf` as the sign of x - (-inf) would be NaN at x = -inf: it is x < -FLT_MAX
    instead (exact for every x); a comparison that holds for every value is refused."""
    inf = T.infinity(T.bfloat16)

    def tree(cond):
        _, after = apply(kernels.expression(lambda a, b, c: T.if_then_else(cond(a), b, c)),
                         "lower_tt_tile_intrinsics")
        return expr_blocks(after)

    assert '"where(ltz(add_s($0, 3.4028234663852886e+38)), $1, $2)"' in tree(lambda x: x == -inf)
    assert '"where(lez(add_s($0, -3.4028234663852886e+38)), $1, $2)"' in tree(lambda x: inf > x)
    with pytest.raises(TTCompileError) as err:
        tree(lambda x: x >= -inf)
    assert "a comparison with an infinite constant that has the same outcome for every value" \
        in str(err.value)
