// api/compute/eltwise_unary/rsqrt.h -- rsqrt (emulator version).
//
// Owns: the SFPU op's init and tile call; they act in place on DST[idst] (float), template
// arguments (approximation modes, iterations) are accepted and ignored: the emulator
// computes the exact function in fp32.
// Called from: the compute kernel thread.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {
template <auto... P>
ALWI void rsqrt_tile_init() { tt_emu::k::op_init("rsqrt_tile_init", 0, 0, 0); }
template <auto... P>
ALWI void rsqrt_tile(uint32_t idst, int vector_mode = VectorMode::RC) { (void)vector_mode; tt_emu::k::unary_tile(tt_emu::k::Unop::Rsqrt, idst, 0); }
}  // namespace ckernel
