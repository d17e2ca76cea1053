// api/compute/eltwise_unary/eltwise_unary.h -- init for copy + SFPU pipelines (emulator version).
//
// Owns: unary_op_init_common(icb, ocb) and its legacy alias init_sfpu(icb, ocb).
// Called from: the compute kernel thread.
#pragma once

#include "api/compute/common.h"
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/tile_move_copy.h"

namespace ckernel {
ALWI void unary_op_init_common(uint32_t icb, uint32_t ocb) {
    tt_emu::k::hw_startup(icb, icb, ocb);
    tt_emu::k::op_init("copy_init", icb, icb, 0);
}
ALWI void init_sfpu(uint32_t icb, uint32_t ocb) { unary_op_init_common(icb, ocb); }
}  // namespace ckernel
