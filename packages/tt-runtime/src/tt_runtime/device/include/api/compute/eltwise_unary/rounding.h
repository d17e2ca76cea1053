// api/compute/eltwise_unary/rounding.h -- rounding to integers (emulator version).
//
// Owns: rounding_op_tile_init, trunc_tile / floor_tile / ceil_tile: DST[idst] rounded toward
// zero (what a cast to an integer does to a float), down or up, in place.
// Called from: the compute kernel thread.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void rounding_op_tile_init() { tt_emu::k::op_init("rounding_op_tile_init", 0, 0, 0); }
ALWI void trunc_tile(uint32_t idst) { tt_emu::k::unary_tile(tt_emu::k::Unop::Trunc, idst, 0); }
ALWI void floor_tile(uint32_t idst) { tt_emu::k::unary_tile(tt_emu::k::Unop::Floor, idst, 0); }
ALWI void ceil_tile(uint32_t idst) { tt_emu::k::unary_tile(tt_emu::k::Unop::Ceil, idst, 0); }
}  // namespace ckernel
