// api/compute/transpose.h -- tile transpose into DST (emulator version).
//
// Owns: transpose_init(icb) and transpose_tile(icb, itile, idst), as in the 0.81.1 SDK header
// (the former transpose_wh_init / transpose_wh_tile): DST[idst][r][c] = tile[c][r], the tile
// counted from the front of icb. transpose_tile faults unless transpose_init was the last init.
// Called from: the compute kernel thread.
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void transpose_init(uint32_t icb, uint32_t call_line = __builtin_LINE()) {
    (void)call_line;
    tt_emu::k::op_init("transpose_init", icb, icb, 0);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void transpose_tile(uint32_t icb, uint32_t itile, uint32_t idst) {
    tt_emu::k::transpose_tile(icb, itile, idst);
}
}  // namespace ckernel
