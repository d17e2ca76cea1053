// api/compute/eltwise_unary/rounding.h -- rounding toward zero (emulator version).
//
// Owns: rounding_op_tile_init and trunc_tile, which sets DST[idst] to its values rounded
// toward zero, in place (what a cast to an integer does to a float).
// Called from: the compute kernel thread.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void rounding_op_tile_init() { tt_emu::k::op_init("rounding_op_tile_init", 0, 0, 0); }
ALWI void trunc_tile(uint32_t idst) { tt_emu::k::unary_tile(tt_emu::k::Unop::Trunc, idst, 0); }
}  // namespace ckernel
