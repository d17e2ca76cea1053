"""lower_cb_intrinsics: CB protocol and NoC page transfers (golden eltwise_add shape)."""

from conftest import apply, body_text, kernels

import tt_ir.language as T

EXPECTED_READER_BLOCK = '''\
        with T.attr("tt", "tt.comment", "kernels.py:32  T.copy(A[by * 64, bx * 128], A_shared)"):
            T.call_extern("void", "cb_reserve_back", 0, 8)
            A_shared_l1: T.let[T.uint32] = T.call_extern("uint32", "get_write_ptr", 0)
            for i, j in T.grid(T.uint32(2), T.uint32(4)):
                T.call_extern("void", "noc_async_read_page", (by * T.uint32(2) + i) * T.uint32(8) + bx * T.uint32(4) + j, A_acc, A_shared_l1 + (i * T.uint32(4) + j) * T.uint32(2048))
            T.call_extern("void", "noc_async_read_barrier")
            T.call_extern("void", "cb_push_back", 0, 8)'''

EXPECTED_WRITER_BLOCK = '''\
        with T.attr("tt", "tt.comment", "kernels.py:36  T.copy(C_local, C[by * 64, bx * 128])"):
            T.call_extern("void", "cb_wait_front", 16, 8)
            C_local_l1: T.let[T.uint32] = T.call_extern("uint32", "get_read_ptr", 16)
            for i, j in T.grid(T.uint32(2), T.uint32(4)):
                T.call_extern("void", "noc_async_write_page", (by * T.uint32(2) + i) * T.uint32(8) + bx * T.uint32(4) + j, C_acc, C_local_l1 + (i * T.uint32(4) + j) * T.uint32(2048))
            T.call_extern("void", "noc_async_write_barrier")
            T.call_extern("void", "cb_pop_front", 16, 8)'''

EXPECTED_COMPUTE = '''\
    for b in range(block_count):
        with T.attr("tt", "tt.comment", "kernels.py:34  for i, j in T.Parallel(64, 128): C_local[i, j] = A_shared[i, j] + B_shared[i, j]"):
            T.call_extern("void", "cb_wait_front", 0, 8)
            T.call_extern("void", "cb_wait_front", 1, 8)
            T.call_extern("void", "tt.binary_block", "add", 0, 1, 16, 2, 4)
        T.call_extern("void", "tt.pack_out", 16)
        T.call_extern("void", "cb_pop_front", 0, 8)
        T.call_extern("void", "cb_pop_front", 1, 8)'''


def test_reader_block(add_kernel):
    """tt.copy_in -> reserve, write ptr, one read per tile (row-major), one barrier, push."""
    _, after = apply(add_kernel, "lower_cb_intrinsics")
    assert EXPECTED_READER_BLOCK in body_text(after, "reader")


def test_writer_block(add_kernel):
    """tt.copy_out -> wait, read ptr, one write per tile, one barrier, pop."""
    _, after = apply(add_kernel, "lower_cb_intrinsics")
    assert EXPECTED_WRITER_BLOCK in body_text(after, "writer")


def test_compute_waits_and_pops(add_kernel):
    """Waits go right before the first reader of a CB; pops end the loop trip."""
    _, after = apply(add_kernel, "lower_cb_intrinsics")
    assert EXPECTED_COMPUTE in body_text(after, "compute")


def test_partial_blocks_zero_fill_and_skip():
    """Edge tiles of a partial block are zero-filled by the reader and skipped by the writer."""
    _, after = apply(kernels.matmul(96, 160, 96, 64, 64, 64, stages=1), "lower_cb_intrinsics", reuse="none")
    reader = body_text(after, "reader")
    assert ("if by * T.uint32(2) + i < T.uint32(3) and k * T.uint32(2) + j < T.uint32(3):\n"
            '                        T.call_extern("void", "noc_async_read_page", (by * T.uint32(2) + i) * T.uint32(3) + k * T.uint32(2) + j') in reader
    assert 'T.call_extern("void", "tt_fill_zeros", A_shared_l1 + (i * T.uint32(2) + j) * T.uint32(2048), 2048)' in reader
    writer = body_text(after, "writer")
    assert "if by * T.uint32(2) + i < T.uint32(3) and bx * T.uint32(2) + j < T.uint32(5):" in writer
    assert "tt_fill_zeros" not in writer


EXPECTED_GATHER = '''\
                T.call_extern("void", "cb_reserve_back", 0, 1)
                patch_l1: T.let[T.uint32] = T.call_extern("uint32", "get_write_ptr", 0)
                T.call_extern("void", "cb_reserve_back", 8, 1)
                img_tile_l1: T.let[T.uint32] = T.call_extern("uint32", "get_write_ptr", 8)
                T.call_extern("void", "tt_im2col_tile", img_acc, patch_l1, img_tile_l1, 2, by * T.uint32(32), kk * T.uint32(32), 1, 8, 8, 32, 3, 1, 1, 1, 8, 8)
                T.call_extern("void", "cb_push_back", 8, 1)
                T.call_extern("void", "cb_wait_front", 8, 1)
                T.call_extern("void", "cb_pop_front", 8, 1)
                T.call_extern("void", "cb_push_back", 0, 1)'''


def test_im2col_gather_block():
    """tt.im2col_in -> the block and the image's scratch tile reserved, one tt_im2col_tile per
    tile (first output pixel by * 32, first K column kk * 32, then N H W C, kernel, stride,
    dilation, pad, OH, OW), the scratch tile pushed and popped by the reader, the block pushed."""
    _, after = apply(kernels.conv(), "lower_cb_intrinsics")
    assert EXPECTED_GATHER in body_text(after, "reader")


EXPECTED_INDEX_BLOCK = '''\
            T.call_extern("void", "cb_reserve_back", 1, 4)
            where_index_mask_l1: T.let[T.uint32] = T.call_extern("uint32", "get_write_ptr", 1)
            for tj, r, c in T.grid(T.uint32(4), T.uint32(32), T.uint32(32)):
                T.call_extern("void", "tt_mask_put", where_index_mask_l1 + tj * T.uint32(4096), 4, r, c, \
T.call_extern("uint32", "tt_f32_bits", T.Cast("int32", tj * T.uint32(32) + c)))
            T.call_extern("void", "cb_push_back", 1, 4)'''


def test_index_value_block():
    """`j` as a value: the reader writes each element of the float32 block as the fp32 bits of
    its column (tt_f32_bits of tile column tj * 32 + c); no tile is uniform."""
    _, after = apply(kernels.index_argmax(), "lower_cb_intrinsics")
    assert EXPECTED_INDEX_BLOCK in body_text(after, "reader")


def test_a_widened_block_lands_in_the_upper_half_and_is_widened_after_the_barrier():
    """bfloat16 -> float16: the reader reads each 2048-byte bfloat16 tile into the upper half
    of its 4096-byte Float32 page and widens it in place once every read of the block landed."""
    _, after = apply(kernels.tensor_cast(src=T.bfloat16, dst=T.float16), "lower_cb_intrinsics")
    reader = body_text(after, "reader")
    read = reader.index('"noc_async_read_page"')
    barrier = reader.index('"noc_async_read_barrier"')
    widen = reader.index('"tt_widen_tile", A_l1 + j * T.uint32(4096), 0)')
    push = reader.index('"cb_push_back"')
    assert read < barrier < widen < push
    assert "A_acc, A_l1 + j * T.uint32(4096) + T.uint32(2048))" in reader
