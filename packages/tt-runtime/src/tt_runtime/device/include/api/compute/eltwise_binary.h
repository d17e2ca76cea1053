// api/compute/eltwise_binary.h -- element-wise binary FPU ops (emulator version).
//
// Owns: add_init/sub_init/mul_init, add_tiles/sub_tiles/mul_tiles (DST[idst] = A op B, tiles
// counted from the front of each CB), the dest-reuse forms, and the removed 0.7x spellings
// add_tiles_init/sub_tiles_init/mul_tiles_init/binary_op_init_common as aliases.
// Called from: the compute kernel thread.
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {
ALWI void add_init(std::uint32_t icb0, std::uint32_t icb1, bool acc_to_dest = false) {
    tt_emu::k::op_init(acc_to_dest ? "add_init(acc_to_dest)" : "add_init", icb0, icb1, 0);
}
ALWI void sub_init(std::uint32_t icb0, std::uint32_t icb1, bool acc_to_dest = false) {
    tt_emu::k::op_init(acc_to_dest ? "sub_init(acc_to_dest)" : "sub_init", icb0, icb1, 0);
}
ALWI void mul_init(std::uint32_t icb0, std::uint32_t icb1) { tt_emu::k::op_init("mul_init", icb0, icb1, 0); }
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void add_tiles(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) {
    tt_emu::k::binary_tiles(tt_emu::k::Binop::Add, icb0, icb1, itile0, itile1, idst, false);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void sub_tiles(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) {
    tt_emu::k::binary_tiles(tt_emu::k::Binop::Sub, icb0, icb1, itile0, itile1, idst, false);
}
template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void mul_tiles(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) {
    tt_emu::k::binary_tiles(tt_emu::k::Binop::Mul, icb0, icb1, itile0, itile1, idst, false);
}
// Older spellings (removed from the 0.81.1 SDK; accepted here as aliases).
ALWI void binary_op_init_common(uint32_t icb0, uint32_t icb1, uint32_t ocb) { tt_emu::k::hw_startup(icb0, icb1, ocb); }
ALWI void add_tiles_init(uint32_t icb0, uint32_t icb1, bool acc_to_dest = false) { add_init(icb0, icb1, acc_to_dest); }
ALWI void sub_tiles_init(uint32_t icb0, uint32_t icb1, bool acc_to_dest = false) { sub_init(icb0, icb1, acc_to_dest); }
ALWI void mul_tiles_init(uint32_t icb0, uint32_t icb1) { mul_init(icb0, icb1); }
}  // namespace ckernel
