// api/compute/matmul.h -- tile matmul (emulator version).
//
// Owns: matmul_init(in0, in1, transpose), 5-argument matmul_tiles (DST[idst] += A.B, fp32
// accumulation), matmul_block_init/matmul_block, and the older mm_init / mm_init_short /
// 6-argument matmul_tiles as aliases.
// Called from: the compute kernel thread.
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {
ALWI void matmul_init(std::uint32_t in0_cb_id, std::uint32_t in1_cb_id, const std::uint32_t transpose = 0) {
    tt_emu::k::op_init("matmul_init", in0_cb_id, in1_cb_id, transpose);
}
ALWI void matmul_tiles(std::uint32_t in0_cb_id, std::uint32_t in1_cb_id, std::uint32_t in0_tile_index,
                       std::uint32_t in1_tile_index, std::uint32_t idst) {
    tt_emu::k::matmul_tiles(in0_cb_id, in1_cb_id, in0_tile_index, in1_tile_index, idst, 0xFFFFFFFFu);
}
// Older 6-argument form: the last argument is the transpose flag.
ALWI void matmul_tiles(std::uint32_t in0_cb_id, std::uint32_t in1_cb_id, std::uint32_t in0_tile_index,
                       std::uint32_t in1_tile_index, std::uint32_t idst, const std::uint32_t transpose) {
    tt_emu::k::matmul_tiles(in0_cb_id, in1_cb_id, in0_tile_index, in1_tile_index, idst, transpose);
}
ALWI void matmul_block_init(std::uint32_t in0_cb_id, std::uint32_t in1_cb_id, const std::uint32_t transpose = 0,
                            std::uint32_t ct_dim = 1, std::uint32_t rt_dim = 1, std::uint32_t kt_dim = 1) {
    (void)ct_dim, (void)rt_dim, (void)kt_dim;
    tt_emu::k::op_init("matmul_block_init", in0_cb_id, in1_cb_id, transpose);
}
ALWI void matmul_block(std::uint32_t in0_cb_id, std::uint32_t in1_cb_id, std::uint32_t in0_tile_index,
                       std::uint32_t in1_tile_index, std::uint32_t idst, const std::uint32_t transpose,
                       std::uint32_t ct_dim, std::uint32_t rt_dim, std::uint32_t kt_dim) {
    tt_emu::k::matmul_block(in0_cb_id, in1_cb_id, in0_tile_index, in1_tile_index, idst, transpose, ct_dim, rt_dim, kt_dim);
}
// Older spellings (mm_init is gone from the 0.81.1 SDK; accepted here as aliases).
ALWI void mm_init(std::uint32_t in0_cb_id, std::uint32_t in1_cb_id, std::uint32_t out_cb_id, const std::uint32_t transpose = 0) {
    tt_emu::k::hw_startup(in0_cb_id, in1_cb_id, out_cb_id);
    tt_emu::k::op_init("matmul_init", in0_cb_id, in1_cb_id, transpose);
}
ALWI void mm_init_short(std::uint32_t in0_cb_id, std::uint32_t in1_cb_id, const std::uint32_t transpose = 0) {
    tt_emu::k::op_init("matmul_init", in0_cb_id, in1_cb_id, transpose);
}
ALWI void mm_block_init(std::uint32_t in0_cb_id, std::uint32_t in1_cb_id, std::uint32_t out_cb_id,
                        const std::uint32_t transpose = 0, std::uint32_t ct_dim = 1, std::uint32_t rt_dim = 1,
                        std::uint32_t kt_dim = 1) {
    tt_emu::k::hw_startup(in0_cb_id, in1_cb_id, out_cb_id);
    matmul_block_init(in0_cb_id, in1_cb_id, transpose, ct_dim, rt_dim, kt_dim);
}
}  // namespace ckernel
