// api/compute/eltwise_unary/where.h -- the ternary SFPU select (emulator version).
//
// Owns: where_tile_init, where_tile<DataFormat>(idst_cond, idst_true, idst_false, odst) --
// DST[odst] = DST[idst_true] where DST[idst_cond] is nonzero, else DST[idst_false]. The data
// format template (DST's 32-bit or 16-bit mode on silicon) is accepted and ignored: the
// emulator holds DST as fp32.
// Called from: the compute kernel thread.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void where_tile_init() { tt_emu::k::op_init("where_tile_init", 0, 0, 0); }
template <auto... P>
ALWI void where_tile(uint32_t idst0, uint32_t idst1, uint32_t idst2, uint32_t odst) {
    tt_emu::k::where_dst(idst0, idst1, idst2, odst);
}
}  // namespace ckernel
