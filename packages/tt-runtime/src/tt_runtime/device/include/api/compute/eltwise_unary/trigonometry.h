// api/compute/eltwise_unary/trigonometry.h -- sine, cosine, tangent (emulator version).
//
// Owns: sin_tile / cos_tile / tan_tile and their inits; each acts in place on DST[idst] (float).
// Template arguments (fp32 DST mode) are accepted and ignored: the emulator computes the exact
// function in fp32 (silicon reduces the argument and evaluates a polynomial).
// Does not own: the inverse and hyperbolic functions the SDK also declares here.
// Called from: the compute kernel thread.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void sin_tile_init() { tt_emu::k::op_init("sin_tile_init", 0, 0, 0); }
template <auto... P>
ALWI void sin_tile(uint32_t idst) { tt_emu::k::unary_tile(tt_emu::k::Unop::Sin, idst, 0); }
ALWI void cos_tile_init() { tt_emu::k::op_init("cos_tile_init", 0, 0, 0); }
template <auto... P>
ALWI void cos_tile(uint32_t idst) { tt_emu::k::unary_tile(tt_emu::k::Unop::Cos, idst, 0); }
ALWI void tan_tile_init() { tt_emu::k::op_init("tan_tile_init", 0, 0, 0); }
template <auto... P>
ALWI void tan_tile(uint32_t idst) { tt_emu::k::unary_tile(tt_emu::k::Unop::Tan, idst, 0); }
}  // namespace ckernel
