"""verify_tt_ir: accepts lowered kernels; refuses each invariant violation with its numbers."""

import pytest
from conftest import apply, before, kernels

from tt_ir import tir
from tt_ir.errors import TTCompileError
from tt_passes import _build as B
from tt_passes._base import replace_func, role_funcs
from tt_passes.verify_tt_ir import VerifyTTIR


@pytest.fixture(scope="module")
def final(add_kernel):
    return before(add_kernel, "verify_tt_ir")


def _edit(mod, role, fn):
    gv, func = role_funcs(mod)[role]
    return replace_func(mod, gv, func.with_body(fn(func.body)))


def test_accepts_lowered_add(final):
    """A lowered module passes and is returned unchanged."""
    out = VerifyTTIR()(final)
    assert tir.structural_equal(out, final)


def test_refuses_l1_overflow_with_table():
    """512x512 bf16 blocks double-buffered need 2 MB: the message prints the per-CB table."""
    with pytest.raises(TTCompileError) as err:
        apply(kernels.eltwise(M=1024, N=1024, bm=512, bn=512), "verify_tt_ir")
    text = str(err.value)
    assert "the CBs need 2129920 B of L1 per core, wormhole_b0 has 1396736 B usable" in text
    assert "c_0   A_shared                  512 x  2048 B =  1048576 B" in text
    assert "numbers: need=2129920, usable=1396736, over_by=733184" in text
    assert err.value.source_line is not None and err.value.source_line.startswith("kernels.py:")


def test_refuses_too_many_runtime_args(final):
    """A kernel reading arg 400 exceeds the 341-arg limit."""
    bad = _edit(final, "reader", lambda body: B.seq(B.extern("noop", B.call("get_arg_val<uint32_t>", 400, ret="uint32")), body))
    with pytest.raises(TTCompileError) as err:
        VerifyTTIR()(bad)
    assert "kernel 'reader': 401 runtime args, the limit is 341" in str(err.value)


def test_refuses_dst_overflow(final):
    """Packing from DST[9] with an 8-tile DST is refused, naming the op."""
    bad = _edit(final, "compute", lambda body: B.seq(body, B.extern("pack_tile", 9, 16)))
    with pytest.raises(TTCompileError) as err:
        VerifyTTIR()(bad)
    assert "op pack_tile: DST index up to 9 but DST holds 8 tiles" in str(err.value)


@pytest.mark.parametrize("call, args, slot", [
    ("exp_tile", (9,), 9), ("sin_tile", (8,), 8), ("add_binary_tile", (0, 1, 12), 12),
    ("mul_unary_tile", (10, 0), 10), ("reduce_tile", (0, 1, 0, 0, 8), 8), ("copy_tile", (0, 0, 11), 11),
    ("typecast_tile<0, 8>", (9,), 9), ("sub_tiles_bcast_cols", (0, 1, 0, 0, 8), 8)])
def test_refuses_dst_overflow_of_every_tile_call(final, call, args, slot):
    """Every DST operand of every compute call is checked (the registry's COMPUTE_CALLS), not
    a short list: an SFPU function, a binary SFPU op's output, a reduction, a typecast."""
    bad = _edit(final, "compute", lambda body: B.seq(body, B.extern(call, *args)))
    with pytest.raises(TTCompileError) as err:
        VerifyTTIR()(bad)
    assert f"op {call}: DST index up to {slot} but DST holds 8 tiles" in str(err.value)


def test_refuses_a_tile_call_whose_dst_operands_it_does_not_know(final):
    """A tile call missing from the registry cannot slip past the DST check."""
    bad = _edit(final, "compute", lambda body: B.seq(body, B.extern("erfinv_tile", 0)))
    with pytest.raises(TTCompileError) as err:
        VerifyTTIR()(bad)
    assert "op erfinv_tile: a tile call whose DST operands the verifier does not know" in str(err.value)
    assert "tt_passes._tileops.COMPUTE_CALLS" in str(err.value)


def test_refuses_unbalanced_cb(final):
    """Dropping the compute's pop of c_1 unbalances the CB."""
    def drop(body):
        return tir.rewrite(body, lambda s: B.seq() if tir.extern_name(s.value) == "cb_pop_front"
                           and tir.as_int(s.value.args[1]) == 1 else s, types=tir.Evaluate)
    with pytest.raises(TTCompileError) as err:
        VerifyTTIR()(_edit(final, "compute", drop))
    text = str(err.value)
    assert "CB 'B_shared' (c_1): pages per block trip do not balance between reader and compute" in text
    assert "numbers: reserved=8, pushed=8, waited=8, popped=0" in text


def test_refuses_leftover_intrinsic(final):
    """An internal tt.* intrinsic left in a kernel is named."""
    bad = _edit(final, "compute", lambda body: B.seq(B.extern("tt.binary_block", "add"), body))
    with pytest.raises(TTCompileError) as err:
        VerifyTTIR()(bad)
    assert "internal intrinsic tt.binary_block was not lowered" in str(err.value)


def test_refuses_out_of_bounds_page(final):
    """A write of page 64 of a 64-page tensor is caught at the largest block."""
    def shift(body):
        def visit(s):
            if tir.extern_name(s.value) != "noc_async_write_page":
                return s
            args = list(s.value.args[1:])
            return B.extern("noc_async_write_page", args[0] + B.u32(8), *args[1:])
        return tir.rewrite(body, visit, types=tir.Evaluate)
    with pytest.raises(TTCompileError) as err:
        VerifyTTIR()(_edit(final, "writer", shift))
    assert "noc_async_write_page of 'C' in writer: page id 71 is out of bounds (64 pages)" in str(err.value)


def test_refuses_double_acquire(final):
    """A second tile_regs_acquire before the release is a DST protocol error."""
    bad = _edit(final, "compute", lambda body: B.seq(B.extern("tile_regs_acquire"), body))
    with pytest.raises(TTCompileError) as err:
        VerifyTTIR()(bad)
    assert "kernel 'compute': tile_regs_acquire with DST acquired (it needs DST released)" in str(err.value)


def test_refuses_pack_without_wait(final):
    """pack_tile straight after a commit (no tile_regs_wait) is refused."""
    bad = _edit(final, "compute", lambda body: B.seq(
        body, B.extern("tile_regs_acquire"), B.extern("tile_regs_commit"), B.extern("pack_tile", 0, 16)))
    with pytest.raises(TTCompileError) as err:
        VerifyTTIR()(bad)
    assert "pack_tile with DST committed (it needs tile_regs_wait first)" in str(err.value)


def test_refuses_unreleased_end(final):
    """A kernel that ends holding DST is refused."""
    bad = _edit(final, "compute", lambda body: B.seq(body, B.extern("tile_regs_acquire")))
    with pytest.raises(TTCompileError) as err:
        VerifyTTIR()(bad)
    assert "the compute kernel ends with DST acquired (tile_regs_release missing)" in str(err.value)


def test_refuses_loop_that_changes_dst_state(final):
    """A loop whose body acquires without releasing breaks on its second trip."""
    k = B.var("k")
    bad = _edit(final, "compute", lambda body: B.seq(body, tir.For(
        k, B.u32(0), B.u32(2), tir.ForKind.SERIAL, B.extern("tile_regs_acquire"))))
    with pytest.raises(TTCompileError) as err:
        VerifyTTIR()(bad)
    assert "a loop over `k` enters with DST released and its body leaves DST acquired" in str(err.value)


def test_two_gemms_over_one_k_loop_verify():
    """Two accumulators over one K loop lower to a compute kernel that keeps the DST protocol."""
    mod = apply(kernels.two_gemms(), "verify_tt_ir")[1]
    compute = role_funcs(mod)["compute"][1]
    from tt_passes.verify_tt_ir import dst_protocol
    assert dst_protocol(compute.body) is None


def test_refuses_two_accumulations_in_one_dst_slot():
    """A second matmul stream (other CBs) accumulating into slots the first one holds, before
    the commit, is two values in one DST slot: refused with the slots and the CBs."""
    gemm = apply(kernels.matmul(64, 64, 64, 64, 64, 32, stages=2, relu=False), "verify_tt_ir")[1]

    def add_stream(body):
        def visit(s):
            if tir.extern_name(s.value) == "matmul_tiles":
                return B.seq(s, B.extern("matmul_tiles", 1, 0, 0, 0, 0))
            return s
        return tir.rewrite(body, visit, types=tir.Evaluate)

    with pytest.raises(TTCompileError) as err:
        VerifyTTIR()(_edit(gemm, "compute", add_stream))
    text = str(err.value)
    assert "accumulate two values at once: matmul_tiles of CBs [0, 1] and matmul_tiles of CBs [1, 0]" in text


def test_dst_sharing_accepts_every_lowered_kernel():
    """GEMM, two GEMMs, reductions, softmax: no two accumulations share slots."""
    from tt_passes.verify_tt_ir import dst_sharing
    for k in (kernels.two_gemms(), kernels.softmax_num(), kernels.row_reduce("min"),
              kernels.matmul(256, 256, 256, 128, 128, 32, stages=2, relu=True)):
        mod = apply(k, "verify_tt_ir")[1]
        assert dst_sharing(role_funcs(mod)["compute"][1].body) is None
