"""canonicalize_tile_program: scalar locals forwarded; T.Parallel on tensors staged through blocks."""

import json

import pytest
from conftest import apply, kernels

import tt_ir.language as T
from tt_ir import tir


def _body(mod):
    (func,) = [f for _, f in mod.functions.items()]
    return tir.strip_source_lines(func).body


def test_direct_tensor_nest_becomes_staged_blocks():
    """`C[y, x] = A[y, x] + B[y, x]` equals the kernel that copies A, B in and C out itself."""
    _, after = apply(kernels.direct_eltwise(), "canonicalize_tile_program")
    _, expected = apply(kernels.staged_eltwise(), "canonicalize_tile_program")
    tir.assert_structural_equal(_body(after), _body(expected), map_free_vars=True)


def test_staged_blocks_are_named_after_the_tensors():
    """Messages about a staged block name the tensor the user wrote (A, B: shared; C: fragment)."""
    _, after = apply(kernels.direct_eltwise(), "canonicalize_tile_program")
    allocs = [(str(a.buffer.name), tir.scope_of(a.buffer)) for a in tir.collect(_body(after), tir.AllocBuffer)]
    assert allocs == [("A", "shared.dyn"), ("B", "shared.dyn"), ("C", "local.fragment")]


def test_scalar_locals_are_forwarded():
    """`start_x = bx * bn` and `y = start_y + i` leave no one-element local buffers behind."""
    _, after = apply(kernels.direct_eltwise(), "canonicalize_tile_program")
    assert not [a for a in tir.collect(_body(after), tir.AllocBuffer) if tir.scope_of(a.buffer) == "local"]


def test_mismatched_offsets_are_left_alone():
    """A[y, x] and A[y, x + 1] are not one block: A stays a tensor read (later refused)."""
    _, after = apply(kernels.direct_eltwise(shifted=True), "canonicalize_tile_program")
    names = [str(a.buffer.name) for a in tir.collect(_body(after), tir.AllocBuffer)]
    assert names == ["C"]
    loads = {str(x.source.name) for x in tir.collect(_body(after), tir.TensorLoad)}
    assert "A" in loads


def test_canonical_kernels_are_unchanged(add_kernel):
    """A kernel already in tile form passes through structurally unchanged (the module only
    records that the pass ran)."""
    before, after = apply(add_kernel, "canonicalize_tile_program")
    assert json.loads(str(after.attrs["tt.passes_run"])) == ["canonicalize_tile_program"]
    tir.assert_structural_equal(after.without_attr("tt.passes_run"), before)


def test_messages_name_buffers_as_written():
    """A refusal about a buffer version the pass made (x_1) names it as the author wrote it."""
    import pytest

    import tt_ir.language as T
    from tt_ir.errors import TTCompileError

    @T.prim_func
    def floor_after_rewrite(A: T.Tensor((64, 64), T.float32), C: T.Tensor((64, 64), T.float32)):
        with T.Kernel(1) as bx:
            x = T.alloc_fragment((64, 64), T.float32)
            v = T.alloc_fragment((64,), T.float32)
            T.copy(A[bx * 64, 0], x)
            T.reduce_sum(x, v, dim=1)
            for i, j in T.Parallel(64, 64):
                x[i, j] = x[i, j] / v[i]
            for i, j in T.Parallel(64, 64):
                x[i, j] = T.if_then_else(x[i, j] >= -T.infinity(T.float32), 0.0, x[i, j])
            T.copy(x, C[bx * 64, 0])

    with pytest.raises(TTCompileError) as err:
        apply(floor_after_rewrite, "lower_tt_tile_intrinsics")
    text = str(err.value)
    assert "x[i, j] = T.if_then_else(x[i, j] >= " in text
    assert "x_1" not in text and "x_2" not in text


def test_origins_record_the_buffers_the_pass_made():
    """tt.origins maps each made buffer to the author's name for it."""
    from tt_passes import _meta

    @T.prim_func
    def norm(A: T.Tensor((64, 64), T.float32), C: T.Tensor((64, 64), T.float32)):
        with T.Kernel(1) as bx:
            x = T.alloc_fragment((64, 64), T.float32)
            s = T.alloc_fragment((64,), T.float32)
            T.copy(A[bx * 64, 0], x)
            T.reduce_sum(x, s, dim=1)
            for i, j in T.Parallel(64, 64):
                x[i, j] = x[i, j] / s[i]
            T.copy(x, C[bx * 64, 0])

    _, after = apply(norm, "canonicalize_tile_program")
    assert _meta.get(after, _meta.ORIGINS) == {
        "s_recip": "1 / s", "x_1": "x (its value after the first rewrite)"}


def test_one_row_blocks_run_32_rows_at_a_time():
    """T.Kernel(M) over one row each, [BN] fragments: M / 32 blocks, [32, BN] and (32,)
    buffers, each T.Parallel(BN) and one-element statement over the 32 rows."""
    M, N = 64, 128

    @T.prim_func
    def rows(X: T.Tensor((M, N), T.float32), Y: T.Tensor((M, N), T.float32)):
        with T.Kernel(M) as r:
            x = T.alloc_fragment([N], T.float32)
            m = T.alloc_fragment([1], T.float32)
            T.copy(X[r, 0:N], x)
            T.reduce_max(x, m, dim=0)
            for j in T.Parallel(N):
                x[j] = x[j] - m[0]
            T.copy(x, Y[r, 0:N])

    _, after = apply(rows, "canonicalize_tile_program")
    body = _body(after)
    shapes = {str(a.buffer.name): [int(d) for d in a.buffer.shape]
              for a in tir.collect(body, tir.AllocBuffer)}
    assert shapes["x"] == [32, N] and shapes["m"] == [32]
    launch = [a for a in tir.collect(body, tir.AttrStmt) if str(a.attr_key) == "thread_extent"]
    assert [int(a.value) for a in launch] == [M // 32]
    reduce = [c for c in tir.collect(body, tir.Call) if tir.is_call(c, "tl.tileop.reduce")]
    assert tir.decode_reduce(reduce[0]).dim == 1


def test_tensor_to_tensor_copy_is_staged_on_chip():
    """`T.copy(A[...], B[...])` between tensors equals the kernel that stages the block itself."""
    _, after = apply(kernels.tensor_cast(), "canonicalize_tile_program")
    _, expected = apply(kernels.staged_cast(), "canonicalize_tile_program")
    tir.assert_structural_equal(_body(after), _body(expected), map_free_vars=True)
    allocs = [(str(a.buffer.name), tir.scope_of(a.buffer)) for a in tir.collect(_body(after), tir.AllocBuffer)]
    assert allocs == [("A", "shared.dyn"), ("A_out", "local.fragment")]  # the writer drains A_out


def test_tensor_views_become_accesses_of_the_tensor():
    """`A_flat[by * bm, 0]` of a (M, N) view of a (2, M/2, N) tensor is A[0, by * bm, 0]: the
    folded row in the row dim; the view's declaration is gone."""
    _, after = apply(kernels.flat_view(), "canonicalize_tile_program")
    _, expected = apply(kernels.folded_rows(), "canonicalize_tile_program")
    tir.assert_structural_equal(_body(after), _body(expected), map_free_vars=True)
    assert not tir.collect(_body(after), tir.DeclBuffer)


def test_im2col_becomes_a_marked_copy_of_the_image():
    """T.im2col is a copy from the image into the block carrying the gather's parameters."""
    from tt_passes._canon_im2col import is_im2col, params

    _, after = apply(kernels.conv(), "canonicalize_tile_program")
    copies = [c for c in tir.collect(_body(after), tir.Call) if tir.is_call(c, "tl.tileop.copy")]
    gathers = [c for c in copies if is_im2col(c)]
    assert len(gathers) == 1
    src, dst = (tir.decode_region(a) for a in gathers[0].args[:2])
    assert (str(src.buffer.name), src.static_extents, str(dst.buffer.name)) == ("img", [1, 1, 32, 32], "patch")
    assert [tir.as_int(x) for x in params(gathers[0])[2:]] == [3, 1, 1, 1]
    assert not tir.collect(_body(after), tir.DeclBuffer)


def test_im2col_refuses_a_k_block_across_kernel_positions():
    """block_K must divide the channels: each K block lies in one kernel position."""
    import pytest

    from tt_ir.errors import TTCompileError

    with pytest.raises(TTCompileError) as err:
        apply(kernels.conv(C=32, bk=64, F=32), "canonicalize_tile_program")
    text = str(err.value)
    assert "T.im2col(img, patch): the image's 32 channels are not a multiple of block_K = 64" in text
    assert "hint: pick block_K dividing C" in text


def test_a_view_that_changes_the_last_dim_is_refused():
    import pytest

    from tt_ir.errors import TTCompileError

    @T.prim_func
    def bad(A: T.Tensor((64, 64), T.float32), C: T.Tensor((64, 64), T.float32)):
        with T.Kernel(1) as by:
            A_t = T.Tensor((128, 32), T.float32, A.data)
            s = T.alloc_shared((32, 32), T.float32)
            T.copy(A_t[by * 32, 0], s)
            T.copy(s, C[by * 32, 0])

    with pytest.raises(TTCompileError) as err:
        apply(bad, "canonicalize_tile_program")
    text = str(err.value)
    assert "view 'A_t' (128, 32) float32 of tensor 'A' (64, 64) float32 is not supported" in text
    assert "keep the tensor's dtype and last dim" in text


def test_column_stores_are_gathered_on_chip():
    """`S[bx * bm + i, by] = m[i]` (one column per block of a narrow tensor) is the kernel
    that runs the `by` blocks in turn, selects each column into a (bm, 32) fragment and
    writes it once."""
    _, after = apply(kernels.column_store(), "canonicalize_tile_program")
    _, expected = apply(kernels.column_store(gathered=True), "canonicalize_tile_program")
    tir.assert_structural_equal(_body(after), _body(expected), map_free_vars=True)
    names = {str(a.buffer.name) for a in tir.collect(_body(after), tir.AllocBuffer)}
    assert {"S_cols", "S_cols_keep", "S_cols_drop", "S_cols_out"} <= names  # j == by: masks
    assert not [a for a in tir.collect(_body(after), tir.AttrStmt)
                if str(a.attr_key) == "thread_extent" and str(a.node.thread_tag) == "blockIdx.y"]


def test_select_is_if_then_else():
    """`T.Select(c, a, b)` (Python's `a if c else b`) canonicalizes as `T.if_then_else(c, a, b)`."""
    from tt_passes._canon_masks import selects_as_if_then_else

    i = tir.make_var("i")
    sel = tir.Select(tir.LT(i, tir.const(4)), tir.const(1.0, "float32"), tir.const(0.0, "float32"))
    out = selects_as_if_then_else(tir.evaluate(sel)).value
    assert tir.op_name(out) == "prim.if_then_else" and [str(a) for a in out.args] == [str(a) for a in (sel.condition, sel.true_value, sel.false_value)]


def test_an_index_used_as_a_value_is_read_from_a_generated_block():
    """`T.if_then_else(x == top, j, -1)`: `j` becomes an int32 block of its own (which the
    reader generates), as if the author had written it first."""
    _, after = apply(kernels.index_argmax(), "canonicalize_tile_program")
    _, expected = apply(kernels.index_argmax(explicit=True), "canonicalize_tile_program")
    tir.assert_structural_equal(_body(after), _body(expected), map_free_vars=True)
    blocks = {str(a.buffer.name): str(a.buffer.dtype) for a in tir.collect(_body(after), tir.AllocBuffer)}
    assert blocks["where_index"] == "int32"


def test_a_block_a_loop_rewrites_in_place_is_loaded_then_copied_on_chip():
    """Loaded once, rewritten by every trip of a serial loop: the load goes to `x_in`, and an
    on-chip copy starts the value the loop carries."""
    _, after = apply(kernels.loop_update(), "canonicalize_tile_program")
    _, expected = apply(kernels.loop_update(explicit=True), "canonicalize_tile_program")
    tir.assert_structural_equal(_body(after), _body(expected), map_free_vars=True)


def test_an_int32_tensor_is_loaded_then_cast_on_chip():
    """An int32 tensor's tiles stay Int32 in their own CB (`x_in`); the on-chip copy into the
    block is where they become the float32 values integer blocks hold."""
    _, after = apply(kernels.loop_update(n=0, dtype=T.int32), "canonicalize_tile_program")
    copies = [c for c in tir.collect(_body(after), tir.Call) if tir.is_call(c, "tl.tileop.copy")]
    moves = [(str(tir.decode_region(c.args[0]).buffer.name), str(tir.decode_region(c.args[1]).buffer.name))
             for c in copies]
    assert moves[:2] == [("X", "x_in"), ("x_in", "x")]


def test_a_block_computed_from_a_tensors_elements_is_a_marked_copy():
    """The int4 unpack (an index remap and bit operations) becomes one copy from the tensor
    marked "elements", its value reading the tensor itself at the block's offsets; the copies
    that only fed it (tensor -> shared -> fragment) are gone."""
    from tt_passes._canon_elements import is_elements, value_of

    _, after = apply(kernels.int4_unpack(), "canonicalize_tile_program")
    copies = [c for c in tir.collect(_body(after), tir.Call) if tir.is_call(c, "tl.tileop.copy")]
    (marked,) = [c for c in copies if is_elements(c)]
    assert str(tir.decode_region(marked.args[0]).buffer.name) == "Bq"
    assert str(tir.decode_region(marked.args[1]).buffer.name) == "w"
    value, i, j = value_of(marked)
    (load,) = tir.collect(value, tir.TensorLoad)
    assert str(load.source.name) == "Bq"
    assert [str(x) for x in load.indices] == [f"bx * 32 + {i.name}", f"by * 64 // 2 + {j.name} // 2"]
    moved = {str(tir.decode_region(c.args[1]).buffer.name) for c in copies}
    assert "packed" not in moved and "local" not in moved
    assert not [s for s in tir.collect(_body(after), tir.BufferStore) if str(s.buffer.name) == "w"]


@pytest.mark.parametrize(("dtype", "marked"), [(T.bfloat16, True), (T.float16, False)])
def test_int8_tensor_next_to_bfloat16_is_read_element_by_element(dtype, marked):
    """int8 tiles and bfloat16 tiles cannot share a program (exponent families A and B), so
    with bfloat16 activations the whole-block copy of the int8 weights becomes an element read
    of the tensor at the block's offsets; next to float16 (family A as well) it stays a copy."""
    from tt_passes._canon_elements import is_elements, value_of

    _, after = apply(kernels.int8_weight_gemm(dtype=dtype), "canonicalize_tile_program")
    copies = [c for c in tir.collect(_body(after), tir.Call) if tir.is_call(c, "tl.tileop.copy")
              and str(tir.decode_region(c.args[0]).buffer.name) == "Wq"]
    (copy,) = copies
    assert is_elements(copy) == marked
    if marked:
        assert str(tir.decode_region(copy.args[1]).buffer.name) == "wq"
        value, i, j = value_of(copy)
        assert isinstance(value, tir.TensorLoad) and str(value.source.name) == "Wq"
        assert [str(x) for x in value.indices] == [f"k * 64 + {i.name}", f"bx * 32 + {j.name}"]


def test_two_copies_of_one_tensor_stage_through_two_blocks():
    """Two tensor-to-tensor copies from A stage through `A` and `A_1`: one name, one CB, so a
    shared name made both copies one CB and the program popped pages it never waited for."""
    _, after = apply(kernels.two_casts(), "canonicalize_tile_program")
    staged = [str(a.buffer.name) for a in tir.collect(_body(after), tir.AllocBuffer)]
    assert staged == ["A", "A_out", "A_1", "A_1_out"]  # each block, and the copy out of it


def test_two_launches_in_one_kernel_are_refused():
    """TileLang's split-then-combine kernels launch twice; the second launch was compiled as
    part of the first and failed in codegen ("variable 'by' is used but never bound")."""
    from tt_ir.errors import TTCompileError

    @T.prim_func
    def two(A: T.Tensor((64, 64), T.float32), B: T.Tensor((64, 64), T.float32),
            C: T.Tensor((64, 64), T.float32)):
        with T.Kernel(2, 2) as (bx, by):
            a = T.alloc_shared((32, 32), T.float32)
            T.copy(A[by * 32, bx * 32], a)
            T.copy(a, B[by * 32, bx * 32])
        with T.Kernel(2, 2) as (bx, by):
            b = T.alloc_shared((32, 32), T.float32)
            T.copy(B[by * 32, bx * 32], b)
            T.copy(b, C[by * 32, bx * 32])

    with pytest.raises(TTCompileError) as err:
        apply(two, "canonicalize_tile_program")
    text = str(err.value)
    assert "the kernel has 2 T.Kernel launches; a Tenstorrent program runs one launch" in text
    assert "hint: write each T.Kernel as its own @T.prim_func" in text
