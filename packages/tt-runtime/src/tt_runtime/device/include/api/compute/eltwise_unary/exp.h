// api/compute/eltwise_unary/exp.h -- exp (emulator version).
//
// Owns: the SFPU op's init and tile call; they act in place on DST[idst] (float), template
// arguments (approximation modes, iterations) are accepted and ignored: the emulator
// computes the exact function in fp32.
// Does not own: exp2_tile / exp2_tile_init, which the SDK declares in api/compute/compute_kernel_api.h.
// Called from: the compute kernel thread.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {
template <auto... P>
ALWI void exp_tile_init() { tt_emu::k::op_init("exp_tile_init", 0, 0, 0); }
template <auto... P>
ALWI void exp_tile(uint32_t idst, int vector_mode = VectorMode::RC, uint16_t scale = p_sfpu::kCONST_1_FP16B) {
    (void)vector_mode, (void)scale;
    tt_emu::k::unary_tile(tt_emu::k::Unop::Exp, idst, 0);
}
}  // namespace ckernel
