// api/compute/eltwise_unary/fill.h -- fill a DST tile with a constant (emulator version).
//
// Owns: fill_tile_init, fill_tile(idst, float), fill_tile_bitcast(idst, fp32 bits) (the
// int form of the SDK header is not emulated).
// Called from: the compute kernel thread.
#pragma once

#include <cstring>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void fill_tile_init() { tt_emu::k::op_init("fill_tile_init", 0, 0, 0); }
ALWI void fill_tile(uint32_t idst, float param0) {
    uint32_t bits;
    std::memcpy(&bits, &param0, 4);
    tt_emu::k::unary_tile(tt_emu::k::Unop::Fill, idst, bits);
}
ALWI void fill_tile_bitcast(uint32_t idst, uint32_t param0) { tt_emu::k::unary_tile(tt_emu::k::Unop::Fill, idst, param0); }
}  // namespace ckernel
