// api/compute/reduce.h -- tile reductions with a scaler tile (emulator version).
//
// Owns: PoolType / ReduceDim, reduce_init<PoolType, ReduceDim>(icb, icb_scaler, ocb),
// reduce_tile<PoolType, ReduceDim>(icb, icb_scaler, itile, itile_scaler, idst),
// reduce_block (a run of reduce_tile), reduce_uninit(icb). As in the 0.81.1 SDK header.
// Semantics (s = row 0 of the scaler tile, the first row of faces 0 and 1):
//   REDUCE_ROW:    DST[idst][r][0] (+)= reduce_c x[r][c] * s[c]      (every row r)
//   REDUCE_COL:    DST[idst][0][c] (+)= reduce_r x[r][c] * s[r]      (every column c)
//   REDUCE_SCALAR: DST[idst][0][0] (+)= reduce_rc x[r][c] * s[0] * s[0] (MAX: * s[0] once)
// SUM / AVG accumulate into DST, MAX takes the max with DST (so a MAX over several tiles
// into one DST tile needs the tile filled with -inf first: DST is zero after acquire).
// Every other datum of the DST tile is set to zero: the packer-zeroing contract of
// reduce_init. MIN is refused (the FPU has no min pool).
// Called from: the compute kernel thread.
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {
#ifndef TT_EMU_REDUCE_ENUMS
#define TT_EMU_REDUCE_ENUMS
enum class ReduceDim : std::uint8_t { REDUCE_ROW, REDUCE_COL, REDUCE_SCALAR };
enum class PoolType : std::uint8_t { SUM, AVG, MAX, MIN };
#endif

template <PoolType reduce_type, ReduceDim reduce_dim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void reduce_init(std::uint32_t icb, std::uint32_t icb_scaler, std::uint32_t ocb,
                      std::uint32_t call_line = __builtin_LINE()) {
    static_assert(reduce_type != PoolType::MIN, "The FPU reduce has no MIN");
    (void)ocb, (void)call_line;
    tt_emu::k::op_init("reduce_init", icb, icb_scaler, 0);
}
ALWI void reduce_uninit(std::uint32_t icb = 0) {
    (void)icb;
    tt_emu::k::op_init("reduce_uninit", 0, 0, 0);
}
template <PoolType reduce_type, ReduceDim reduce_dim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void reduce_tile(std::uint32_t icb, std::uint32_t icb_scaler, std::uint32_t itile, std::uint32_t itile_scaler,
                      std::uint32_t idst) {
    static_assert(reduce_type != PoolType::MIN, "The FPU reduce has no MIN");
    tt_emu::k::reduce_tile(static_cast<uint32_t>(reduce_type), static_cast<uint32_t>(reduce_dim), icb, icb_scaler,
                           itile, itile_scaler, idst);
}
template <PoolType reduce_type, ReduceDim reduce_dim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void reduce_block(std::uint32_t icb, std::uint32_t icb_scaler, std::uint32_t start_itile,
                       std::uint32_t itile_scaler, std::uint32_t start_idst, std::uint32_t ntiles) {
    for (std::uint32_t i = 0; i < ntiles; ++i) {
        reduce_tile<reduce_type, reduce_dim, is_fp32_dest_acc_en>(icb, icb_scaler, start_itile + i, itile_scaler,
                                                                  start_idst + i);
    }
}
}  // namespace ckernel
