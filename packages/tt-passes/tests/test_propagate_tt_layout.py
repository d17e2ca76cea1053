"""propagate_tt_layout: CB descriptors (format, block, unit, depth) and the compute config."""

import pytest
from conftest import apply, kernels

import tt_ir.language as T
from tt_ir.errors import TTCompileError
from tt_passes import _meta
from tt_passes.propagate_tt_layout import depth_blocks


def test_depth_policy():
    """num_stages blocks inside T.Pipelined (1 = no overlap), 2 outside; an int fixes it."""
    assert [depth_blocks(s, "num_stages") for s in (0, 1, 2, 3, 4)] == [2, 1, 2, 3, 4]
    assert depth_blocks(3, 1) == 1


def test_elementwise_cbs(add_kernel):
    """Inputs hold two blocks; the output holds two DST sub-blocks; bf16 keeps 16-bit DST."""
    _, after = apply(add_kernel, "propagate_tt_layout")
    cbs = {cb.name: cb for cb in _meta.get(after, _meta.CBS)}
    assert (cbs["A_shared"].role, cbs["A_shared"].block, cbs["A_shared"].num_pages) == ("input", [2, 4], 16)
    assert (cbs["C_local"].role, cbs["C_local"].unit, cbs["C_local"].num_pages) == ("output", [2, 4], 16)
    cfg = _meta.get(after, _meta.COMPUTE)
    assert (cfg.fp32_dest_acc_en, cfg.dst_tiles) == (False, 8)


@pytest.mark.parametrize("stages,pages", [(1, 2), (2, 4), (3, 6), (4, 8)])
def test_gemm_num_stages_sets_input_depth(stages, pages):
    """A 64x32 A block (2 tiles) is num_stages blocks deep; fp32 accumulator -> fp32 DST (4 tiles)."""
    _, after = apply(kernels.matmul(256, 256, 256, 64, 64, 32, stages=stages), "propagate_tt_layout")
    cbs = {cb.name: cb for cb in _meta.get(after, _meta.CBS)}
    assert cbs["A_shared"].num_pages == pages and cbs["A_shared"].num_stages == stages
    assert cbs["C_local"].accumulator and cbs["C_local"].data_format == "Float16_b"
    assert _meta.get(after, _meta.COMPUTE).dst_tiles == 4


def test_cb_depth_option_overrides():
    """cb_depth=1 gives single-buffered inputs."""
    _, after = apply(kernels.eltwise(), "propagate_tt_layout", cb_depth=1)
    assert {cb.name: cb.num_pages for cb in _meta.get(after, _meta.CBS)}["A_shared"] == 8


def test_refuses_block_not_multiple_of_32():
    """block_M = 48 is refused naming the shared buffer and its shape."""
    with pytest.raises(TTCompileError) as err:
        apply(kernels.matmul(96, 96, 96, 48, 48, 32), "propagate_tt_layout")
    assert "buffer 'A_shared': block shape [48, 32] is not a 2-D multiple of 32x32 tiles" in str(err.value)


def test_reduce_of_a_shared_buffer():
    """T.reduce_max of a shared block reads its input CB; the (M, 1) output is a column vector."""
    _, after = apply(kernels.reduce_kernel(), "propagate_tt_layout")
    cbs = {cb.name: cb for cb in _meta.get(after, _meta.CBS)}
    assert (cbs["A_s"].role, cbs["C_l"].role, cbs["C_l"].reduced, cbs["C_l"].block) == \
        ("input", "output", "row", [2, 1])


def test_reduce_min_is_a_max_of_the_negated_block():
    """T.reduce_min becomes -reduce_max(-x): an on-chip negated block A_l_min and a partial
    vector S_l_part, both intermediates."""
    _, after = apply(kernels.row_reduce("min"), "propagate_tt_layout")
    cbs = {cb.name: cb for cb in _meta.get(after, _meta.CBS)}
    assert cbs["A_l_min"].role == cbs["S_l_part"].role == "intermediate"
    assert cbs["S_l"].role == "output"


def test_reduction_cbs():
    """A row sum: the output CB is bm/32 x 1 tiles (reduced "row"), plus a one-tile scaler CB
    in the source's format."""
    _, mod = apply(kernels.row_reduce("sum"), "propagate_tt_layout")
    cbs = {cb.name: cb for cb in _meta.get(mod, _meta.CBS)}
    assert cbs["S_l"].block == [2, 1] and cbs["S_l"].reduced == "row" and cbs["S_l"].role == "output"
    sc = cbs["A_l_scaler"]
    assert (sc.role, sc.block, sc.num_pages, sc.data_format, sc.reduced) == \
        ("input", [1, 1], 1, "Float16_b", "scaler")


def test_reduction_used_on_chip_is_an_intermediate_cb():
    """A row max read by a T.Parallel (x - max) and never copied out: role intermediate
    (compute -> compute), its whole 2 x 1 block deep, in A's format (the FPU broadcast's
    other operand)."""
    _, mod = apply(kernels.softmax_num(), "propagate_tt_layout")
    m = {cb.name: cb for cb in _meta.get(mod, _meta.CBS)}["M_l"]
    assert (m.role, m.block, m.unit, m.num_pages, m.data_format, m.reduced) == \
        ("intermediate", [2, 1], [2, 1], 2, "Float16_b", "row")


def test_vector_operand_loaded_from_column_0():
    """A (bm, 1) buffer loaded from a tensor is a column vector: 2 x 1 tiles, reduced "row"."""
    _, mod = apply(kernels.bcast(lambda A, V, i, j: A[i, j] * V[i, 0]), "propagate_tt_layout")
    v = {cb.name: cb for cb in _meta.get(mod, _meta.CBS)}["V_s"]
    assert (v.role, v.block, v.reduced, v.buffer) == ("input", [2, 1], "row", "V")


def test_vectors_joined_to_a_rank1_tensor_lie_like_it():
    """Two (M,) fragments joined by a 1-D T.Parallel, one fed by a rank-1 tensor and one
    stored to another: both are row vectors (1 x M/32 tiles, reduced "col"), as the tensors."""
    _, mod = apply(kernels.vector_cast(), "propagate_tt_layout")
    cbs = {cb.name: cb for cb in _meta.get(mod, _meta.CBS)}
    assert {n: (cbs[n].reduced, cbs[n].block, cbs[n].role) for n in ("a", "b")} == \
        {"a": ("col", [1, 8], "input"), "b": ("col", [1, 8], "output")}


def test_int8_weights_next_to_bfloat16_reach_only_a_raw_scratch_tile():
    """The int8 weights of a bfloat16 GEMM come in as float32 blocks the reader computes; their
    tiles only reach its scratch page, declared UInt8 (raw bytes, of no exponent family)."""
    _, after = apply(kernels.int8_weight_gemm(), "propagate_tt_layout")
    cbs = {cb.name: cb for cb in _meta.get(after, _meta.CBS)}
    assert (cbs["wq"].role, cbs["wq"].data_format) == ("input", "Float32")
    assert (cbs["Wq_tile"].role, cbs["Wq_tile"].data_format, cbs["Wq_tile"].page_size) == \
        ("scratch", "UInt8", 1024)
    assert "Int8" not in {cb.data_format for cb in cbs.values()}


@pytest.mark.parametrize(("src", "dst", "widen", "out"), [
    (T.bfloat16, T.float16, "Float16_b", "Float16"), (T.float16, T.bfloat16, "Float16", "Float16_b")])
def test_a_2_byte_input_of_the_other_exponent_family_is_widened(src, dst, widen, out):
    """A bfloat16 -> float16 cast (or back) would put Float16_b and Float16 CBs in one program,
    which tt-metal's JIT refuses: the input's CB becomes Float32, widened by the reader."""
    _, after = apply(kernels.tensor_cast(src=src, dst=dst), "propagate_tt_layout")
    cbs = {cb.name: cb for cb in _meta.get(after, _meta.CBS)}
    assert (cbs["A"].data_format, cbs["A"].page_size, cbs["A"].widen) == ("Float32", 4096, widen)
    assert (cbs["A_out"].data_format, cbs["A_out"].widen) == (out, None)
    assert _meta.get(after, _meta.COMPUTE).fp32_dest_acc_en  # DST keeps the widened values


def test_refuses_outputs_of_both_exponent_families():
    """No reader can widen an output: a kernel writing a bfloat16 and a float16 tensor is
    refused, naming both tensors, their formats and a way out."""
    with pytest.raises(TTCompileError) as err:
        apply(kernels.two_casts(), "propagate_tt_layout")
    text = str(err.value)
    assert "tensor 'C' (float16, Float16 tiles) and tensor 'B' (bfloat16, Float16_b tiles) cannot " \
        "share a program" in text
    assert "numbers: C=Float16, B=Float16_b" in text
    assert "hint: keep float16 (or int8 tiles) and bfloat16 outputs and on-chip blocks in separate " \
        "kernels" in text


def test_masks_of_a_float16_kernel_are_float32():
    """The keep block the reader generates for an index mask on a value is bfloat16 in a
    bfloat16 kernel and float32 in a float16 one (bfloat16 there would mix exponent families)."""
    formats = {}
    for dtype in (T.bfloat16, T.float16):
        _, after = apply(kernels.causal_mask(dtype=dtype), "propagate_tt_layout")
        formats[str(dtype)] = {cb.name: cb.data_format for cb in _meta.get(after, _meta.CBS)}
    assert formats["bfloat16"]["y_keep"] == "Float16_b"
    assert formats["float16"]["y_keep"] == "Float32"
    assert formats["float16"]["x"] == "Float16"
