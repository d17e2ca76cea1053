// api/compute/pack.h -- packing DST tiles into a CB (emulator version).
//
// Owns: pack_tile (sequential by default: each call fills the next page of the region
// reserved with cb_reserve_back; out_of_order_output = true honours the index),
// pack_tile_block, matmul_pack_tile, pack_init, pack_reconfig_data_format (the packer's format),
// pack_reconfig_l1_acc (while on, pack_tile adds DST to the values the page holds).
// Called from: the compute kernel thread.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {
template <bool out_of_order_output = false, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void pack_tile(std::uint32_t ifrom_dst, std::uint32_t icb, std::uint32_t output_tile_index = 0) {
    tt_emu::k::pack_tile(ifrom_dst, icb, output_tile_index, out_of_order_output);
}
ALWI void pack_tile_block(std::uint32_t ifrom_dst, std::uint32_t icb, std::uint32_t ntiles) {
    for (std::uint32_t i = 0; i < ntiles; ++i) tt_emu::k::pack_tile(ifrom_dst + i, icb, 0, false);
}
ALWI void matmul_pack_tile(std::uint32_t ifrom_dst, std::uint32_t icb, std::uint32_t ntiles) {
    for (std::uint32_t i = 0; i < ntiles; ++i) tt_emu::k::pack_tile(ifrom_dst + i, icb, 0, false);
}
ALWI void pack_init(std::uint32_t icb) { tt_emu::k::op_init("pack_init", icb, icb, 0); }
template <auto... P>
ALWI void pack_reconfig_data_format(std::uint32_t new_cb) { tt_emu::k::reconfig_pack(new_cb); }
template <auto... P>
ALWI void pack_reconfig_data_format(std::uint32_t, std::uint32_t new_cb) { tt_emu::k::reconfig_pack(new_cb); }
ALWI void pack_reconfig_l1_acc(std::uint32_t l1_acc_en) { tt_emu::k::pack_l1_acc(l1_acc_en); }
}  // namespace ckernel
