// api/compute/eltwise_binary_sfpu.h -- binary SFPU ops on two DST tiles (emulator version).
//
// Owns: add/sub/mul/div/rsub_binary_tile(idst0, idst1, odst) -- DST[odst] = DST[idst0] op DST[idst1]
// (rsub: DST[idst1] - DST[idst0]) -- and their *_binary_tile_init. Template arguments (rounding
// mode, fp32 DST) are accepted and ignored: the emulator computes in fp32.
// Does not own: the comparison and power forms of the SDK header.
// Called from: the compute kernel thread.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void add_binary_tile_init() { tt_emu::k::op_init("add_binary_tile_init", 0, 0, 0); }
ALWI void sub_binary_tile_init() { tt_emu::k::op_init("sub_binary_tile_init", 0, 0, 0); }
ALWI void mul_binary_tile_init() { tt_emu::k::op_init("mul_binary_tile_init", 0, 0, 0); }
ALWI void div_binary_tile_init() { tt_emu::k::op_init("div_binary_tile_init", 0, 0, 0); }
ALWI void rsub_binary_tile_init() { tt_emu::k::op_init("rsub_binary_tile_init", 0, 0, 0); }
template <auto... P>
ALWI void add_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) {
    tt_emu::k::binary_dst(tt_emu::k::Binop::Add, idst0, idst1, odst);
}
template <auto... P>
ALWI void sub_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) {
    tt_emu::k::binary_dst(tt_emu::k::Binop::Sub, idst0, idst1, odst);
}
template <auto... P>
ALWI void mul_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) {
    tt_emu::k::binary_dst(tt_emu::k::Binop::Mul, idst0, idst1, odst);
}
template <auto... P>
ALWI void div_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) {
    tt_emu::k::binary_dst(tt_emu::k::Binop::Div, idst0, idst1, odst);
}
template <auto... P>
ALWI void rsub_binary_tile(uint32_t idst0, uint32_t idst1, uint32_t odst) {
    tt_emu::k::binary_dst(tt_emu::k::Binop::Rsub, idst0, idst1, odst);
}
}  // namespace ckernel
