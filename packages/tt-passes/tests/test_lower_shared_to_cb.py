"""lower_shared_to_cb: CB indices by role, accumulator in DST, restream/partials/refusal."""

import pytest
from conftest import apply, before, body_text, kernels

from tt_ir.errors import TTCompileError
from tt_passes import _meta
from tt_passes.lower_shared_to_cb import assign_indices


def test_indices_and_annotations(add_kernel):
    """Inputs c_0, c_1; output c_16; AllocBuffers carry tt.cb."""
    _, after = apply(add_kernel, "lower_shared_to_cb")
    assert [(cb.name, cb.index) for cb in _meta.get(after, _meta.CBS)] == [
        ("A_shared", 0), ("B_shared", 1), ("C_local", 16)]
    assert 'scope="local.fragment", annotations={"tt.cb": 16})' in body_text(after)


def test_accumulator_lives_in_dst(gemm_kernel):
    """The gemm accumulator fragment is annotated tt.dst; no extra CB when it fits DST."""
    _, after = apply(gemm_kernel, "lower_shared_to_cb")
    assert 'annotations={"tt.cb": 16, "tt.dst": 1}' in body_text(after)
    assert len(_meta.get(after, _meta.CBS)) == 3


def test_restream_marks_big_accumulator(big_gemm_kernel):
    """spill="restream": a 4x4-tile block with fp32 DST (4 tiles) and 8 K blocks is restreamed per 1x4 sub-block."""
    _, after = apply(big_gemm_kernel, "lower_shared_to_cb", spill="restream")
    acc = {cb.name: cb for cb in _meta.get(after, _meta.CBS)}["C_local"]
    assert acc.restream == [1, 4]


def test_partials_mode_adds_intermediate_cb(big_gemm_kernel):
    """spill="partials" adds C_local_partials at c_24, float32, one block deep."""
    _, after = apply(big_gemm_kernel, "lower_shared_to_cb", spill="partials")
    p = {cb.name: cb for cb in _meta.get(after, _meta.CBS)}["C_local_partials"]
    assert (p.index, p.role, p.data_format, p.num_pages) == (24, "intermediate", "Float32", 16)
    assert 'C_local_partials = T.alloc_buffer((128, 128), scope="shared.dyn", annotations={"tt.cb": 24})' \
        in body_text(after)


def test_refuses_dst_overflow_without_spill(big_gemm_kernel):
    """spill="off" turns the same kernel into a DST-overflow refusal with the numbers."""
    with pytest.raises(TTCompileError) as err:
        apply(big_gemm_kernel, "lower_shared_to_cb", spill="off")
    text = str(err.value)
    assert "[tt-passes:lower_shared_to_cb] fragment 'C_local': the accumulator block is 4x4 = 16 " \
           "tiles, DST holds 4, and K has 8 blocks" in text
    assert "numbers: block_tiles=16, dst_tiles=4, k_blocks=8" in text and "hint: use spill=" in text


def test_refuses_more_cbs_than_the_arch_has(add_kernel):
    """33 CBs on wormhole_b0 (32) are refused with the counts."""
    mod = before(add_kernel, "lower_shared_to_cb")
    cb = _meta.get(mod, _meta.CBS)[0]
    many = [_meta.replace(cb, name=f"S{i}") for i in range(33)]
    mod = _meta.put(mod, _meta.CBS, many)
    from tt_passes.lower_shared_to_cb import LowerSharedToCB
    with pytest.raises(TTCompileError) as err:
        LowerSharedToCB()(mod)
    assert "the kernel needs 33 circular buffers, wormhole_b0 has 32" in str(err.value)
    assert "numbers: needed=33, available=32" in str(err.value)
    assert assign_indices(many, 64) is not None  # blackhole has room


def test_assign_indices_spills_over_ranges():
    """17 inputs: c_0..c_15, then the next free index (c_17 after the output c_16)."""
    cb = _meta.CBInfo("x", "input", "bfloat16", "Float16_b", 2048, [1, 1], [1, 1], 2)
    out = _meta.replace(cb, name="o", role="output")
    got = assign_indices([out] + [_meta.replace(cb, name=f"i{i}") for i in range(17)], 32)
    assert [c.index for c in got] == [16] + list(range(16)) + [17]


def test_two_accumulators_over_one_k_loop_spill():
    """Two gemms over one K loop: each accumulator gets a partials CB (no shared DST across K)."""
    _, after = apply(kernels.two_gemms(), "lower_shared_to_cb")
    cbs = {cb.name: cb for cb in _meta.get(after, _meta.CBS)}
    assert {"C_l_partials", "E_l_partials"} <= set(cbs)
    assert cbs["C_l_partials"].role == cbs["E_l_partials"].role == "intermediate"


def test_two_accumulators_refused_without_spill():
    """spill="off" names the other accumulator and the K trips."""
    with pytest.raises(TTCompileError) as err:
        apply(kernels.two_gemms(), "lower_shared_to_cb", spill="off")
    assert "fragment 'C_l': the accumulator shares its K loop (4 trips) with E_l" in str(err.value)
