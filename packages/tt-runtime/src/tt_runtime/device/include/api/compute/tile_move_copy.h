// api/compute/tile_move_copy.h -- CB tile -> DST copies (emulator version).
//
// Owns: copy_init (current), copy_tile, copy_block_matmul_partials, and the deprecated
// copy_tile_init / copy_tile_to_dst_init_short spellings.
// Called from: the compute kernel thread.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"
#include "api/compute/reconfig_data_format.h"

namespace ckernel {
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void copy_init(std::uint32_t cbid, std::uint32_t transpose = 0, std::uint32_t transpose_within_16x16_face = false) {
    (void)transpose_within_16x16_face;
    tt_emu::k::op_init("copy_init", cbid, cbid, transpose);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
[[deprecated("Renamed to copy_init().")]] ALWI void copy_tile_init(std::uint32_t cbid) {
    tt_emu::k::op_init("copy_init", cbid, cbid, 0);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
[[deprecated("Renamed to copy_init().")]] ALWI void copy_tile_to_dst_init_short(
    std::uint32_t cbid, std::uint32_t transpose = 0, std::uint32_t transpose_within_16x16_face = false) {
    (void)transpose_within_16x16_face;
    tt_emu::k::op_init("copy_init", cbid, cbid, transpose);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void copy_tile(std::uint32_t in_cb_id, std::uint32_t in_tile_index, std::uint32_t dst_tile_index) {
    tt_emu::k::copy_tile(in_cb_id, in_tile_index, dst_tile_index);
}
ALWI void copy_block_matmul_partials(std::uint32_t in_cb_id, std::uint32_t start_in_tile_index,
                                     std::uint32_t start_dst_tile_index, std::uint32_t ntiles) {
    for (std::uint32_t i = 0; i < ntiles; ++i) tt_emu::k::copy_tile(in_cb_id, start_in_tile_index + i, start_dst_tile_index + i);
}
}  // namespace ckernel
