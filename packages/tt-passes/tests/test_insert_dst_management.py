"""insert_dst_management: acquire/commit/wait/release, packing and sub-blocking to DST."""

from conftest import apply, body_text, kernels

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
