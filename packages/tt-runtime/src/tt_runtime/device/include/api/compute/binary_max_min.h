// api/compute/binary_max_min.h -- element-wise max/min of two DST tiles (emulator version).
//
// Owns: binary_max_tile / binary_min_tile(idst0, idst1, odst[, vector_mode]) and their inits
// (float forms; the int32/uint32 forms of the SDK header are not emulated).
// Called from: the compute kernel thread.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void binary_max_tile_init() { tt_emu::k::op_init("binary_max_tile_init", 0, 0, 0); }
ALWI void binary_min_tile_init() { tt_emu::k::op_init("binary_min_tile_init", 0, 0, 0); }
ALWI void binary_max_tile(uint32_t idst0, uint32_t idst1, uint32_t odst, int vector_mode = VectorMode::RC) {
    (void)vector_mode;
    tt_emu::k::binary_dst(tt_emu::k::Binop::Max, idst0, idst1, odst);
}
ALWI void binary_min_tile(uint32_t idst0, uint32_t idst1, uint32_t odst, int vector_mode = VectorMode::RC) {
    (void)vector_mode;
    tt_emu::k::binary_dst(tt_emu::k::Binop::Min, idst0, idst1, odst);
}
}  // namespace ckernel
