// api/compute/eltwise_unary/comp.h -- comparisons with zero (emulator version).
//
// Owns: gtz/gez/ltz/lez/eqz/nez: init and tile call; each sets DST[idst] to 1.0 where the
// element compares true with 0 (x > 0, x >= 0, ...) and 0.0 elsewhere, in place.
// Called from: the compute kernel thread.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {
#define TT_EMU_COMPARE_ZERO(name, op)                                                          \
    ALWI void name##_tile_init() { tt_emu::k::op_init(#name "_tile_init", 0, 0, 0); }          \
    ALWI void name##_tile(uint32_t idst) { tt_emu::k::unary_tile(tt_emu::k::Unop::op, idst, 0); }
TT_EMU_COMPARE_ZERO(gtz, Gtz)
TT_EMU_COMPARE_ZERO(gez, Gez)
TT_EMU_COMPARE_ZERO(ltz, Ltz)
TT_EMU_COMPARE_ZERO(lez, Lez)
TT_EMU_COMPARE_ZERO(eqz, Eqz)
TT_EMU_COMPARE_ZERO(nez, Nez)
#undef TT_EMU_COMPARE_ZERO
}  // namespace ckernel
