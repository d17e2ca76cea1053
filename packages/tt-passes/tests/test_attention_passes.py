"""The passes on flash attention: the mask as a generated block, gemms onto on-chip values,
accumulation only over the loops that do not clear, rows taken from a middle dim."""

import pytest
from conftest import apply, kernels

from tt_ir import tir
from tt_ir.errors import TTCompileError
from tt_passes import _expr, _meta


def _body(mod):
    (func,) = [f for _, f in mod.functions.items()]
    return tir.strip_source_lines(func).body


def _calls(mod, name):
    return [e.value for e in tir.collect(_body(mod), tir.Evaluate)
            if tir.extern_name(e.value) == name]


def test_causal_mask_becomes_a_generated_block():
    """The mask nest stores to a fresh bf16 `S_mask` (0 and -inf are exact in it), copied into S
    right before the gemm; S itself is no longer stored elementwise."""
    _, after = apply(kernels.attention(), "canonicalize_tile_program")
    body = _body(after)
    allocs = {str(a.buffer.name): str(a.buffer.dtype) for a in tir.collect(body, tir.AllocBuffer)}
    assert allocs["S_mask"] == "bfloat16"
    stores = [s for s in tir.collect(body, tir.BufferStore) if str(s.buffer.name) == "S_mask"]
    assert len(stores) == 1 and tir.op_name(stores[0].value.value) in (
        "tir.if_then_else", "tirx.if_then_else", "prim.if_then_else")
    copies = [tir.decode_region(c.args[0]).buffer.name for c in tir.collect(body, tir.Call)
              if tir.is_call(c, "tl.tileop.copy")]
    assert "S_mask" in [str(n) for n in copies]
    assert after.attrs["tt.origins"] is not None and "S_mask" in str(after.attrs["tt.origins"])


def test_cbs_of_the_mask_and_the_on_chip_accumulators():
    """S_mask: a reader-generated input CB (no tensor); S (a gemm onto the mask) and acc
    (rescaled between gemms) are not DST accumulators; acc holds two blocks (old and new)."""
    _, after = apply(kernels.attention(), "propagate_tt_layout")
    cbs = _meta.by_name(_meta.get(after, _meta.CBS))
    assert (cbs["S_mask"].role, cbs["S_mask"].buffer, cbs["S_mask"].data_format) == \
        ("input", None, "Float16_b")
    assert not cbs["S"].accumulator and not cbs["acc"].accumulator
    assert cbs["acc"].num_pages == 2 * cbs["acc"].block_tiles


def test_score_block_cleared_every_trip_does_not_spill():
    """Non-causal S is cleared inside the key loop, so its gemm accumulates over no loop: no
    partials CB although another gemm (P @ V) shares the loop."""
    _, after = apply(kernels.attention(causal=False), "lower_shared_to_cb")
    names = [cb.name for cb in _meta.get(after, _meta.CBS)]
    assert not [n for n in names if n.endswith("_partials")], names
    cbs = _meta.by_name(_meta.get(after, _meta.CBS))
    assert cbs["S"].accumulator and not cbs["acc"].accumulator


def test_gemms_onto_on_chip_values():
    """Q @ K^T starts from the mask (tt.matmul_onto, init CB S_mask); P @ V from acc's old
    block rescaled in the same DST pass (tt.matmul_onto_expr: acc * r[i], then the products;
    V's copy moves before it); the reader op tt.index_block generates the mask."""
    _, after = apply(kernels.attention(), "lower_tt_tile_intrinsics")
    cbs = {cb.index: cb.name for cb in _meta.get(after, _meta.CBS)}
    onto = _calls(after, "tt.matmul_onto")
    assert [(cbs[tir.as_int(c.args[3])], cbs[tir.as_int(c.args[4])]) for c in onto] == \
        [("S_mask", "S")]
    (fused,) = _calls(after, "tt.matmul_onto_expr")
    tree, a, b, out = str(_expr.of_ir(fused.args[1])), *[cbs[tir.as_int(x)] for x in fused.args[2:5]]
    extra = [cbs[tir.as_int(x)] for x in fused.args[9:]]
    assert (a, b, out) == ("P", "v_s", "acc") and extra == ["acc", "r"]
    assert tree == "mul_col($0, $1)"
    (mask,) = _calls(after, "tt.index_block")
    assert cbs[tir.as_int(mask.args[1])] == "S_mask"
    assert not _calls(after, "tt.matmul_block")


def test_bshd_tensors_take_rows_from_dim_1():
    """Q[0, r:r + bm, h, :] of a [1, S, H, D] tensor: row_dim 1 (stored as [1, H, S, D])."""
    _, after = apply(kernels.attention(layout="bshd", heads=4), "infer_tt_layout")
    assert {b.name: b.row_dim for b in _meta.get(after, _meta.BUFFERS)} == \
        {"Q": 1, "K": 1, "V": 1, "Out": 1}
    _, bhsd = apply(kernels.attention(), "infer_tt_layout")
    assert {b.row_dim for b in _meta.get(bhsd, _meta.BUFFERS)} == {None}


def test_bshd_rows_must_be_tile_multiples():
    """The row dim must be a multiple of 32 (heads need not be)."""
    with pytest.raises(TTCompileError) as err:
        apply(kernels.attention(seq=80, bm=40, bn=40, layout="bshd", heads=3), "infer_tt_layout")
    assert "dim 1 (the rows its copies move) must be a multiple of 32" in str(err.value)


def test_causal_attention_blocks_run_in_zigzag_order():
    """The key loop's trip count depends on bx: the partition orders bx 0, gx-1, 1, gx-2, ...
    so a core's consecutive blocks pair a short and a long one (and the default multicast
    schedule, whose lockstep order would undo that, is not taken); without the dependence (not
    causal) the order stays row-major; order= overrides."""
    _, causal = apply(kernels.attention(seq=256), "layout_aware_work_partition")
    _, plain = apply(kernels.attention(seq=256, causal=False), "layout_aware_work_partition", reuse="none")
    _, forced = apply(kernels.attention(seq=256), "layout_aware_work_partition", order="row_major")
    assert [_meta.get(m, _meta.WORK).order for m in (causal, plain, forced)] == \
        ["zigzag", "row_major", "row_major"]


def test_zigzag_block_index():
    """bx of linear ids 0..gx-1 under the zigzag order is 0, gx-1, 1, gx-2, ... (gx even and odd)."""
    from tt_passes.grid_to_core_grid import block_index_exprs

    for gx in (4, 5):
        ids = []
        for p in range(gx):
            bx = block_index_exprs(tir.const(p, "uint32"), [gx, 2, 1], zigzag=True)[0]
            ids.append(tir.as_int(tir.simplify(bx)))
        assert ids == ([0, 3, 1, 2] if gx == 4 else [0, 4, 1, 3, 2])
