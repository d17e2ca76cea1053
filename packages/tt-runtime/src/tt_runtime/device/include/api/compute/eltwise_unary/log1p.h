// api/compute/eltwise_unary/log1p.h -- log(1 + x) (emulator version).
//
// Owns: log1p_tile_init, log1p_tile: in place on DST[idst] (float). Template arguments
// (approximation, fp32 DST mode) are accepted and ignored: the emulator computes the exact
// function in fp32.
// Called from: the compute kernel thread.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {
template <auto... P>
ALWI void log1p_tile_init() { tt_emu::k::op_init("log1p_tile_init", 0, 0, 0); }
template <auto... P>
ALWI void log1p_tile(uint32_t idst) { tt_emu::k::unary_tile(tt_emu::k::Unop::Log1p, idst, 0); }
}  // namespace ckernel
