// api/compute/compute_kernel_hw_startup.h -- one-time compute hardware init (emulator version).
//
// Owns: compute_kernel_hw_startup(icb0, icb1, ocb) / (icb, ocb): the data formats of srcA, srcB
// and the packer (SrcOrder::Reverse, for matmul: icb0 -> srcB, icb1 -> srcA). The emulator
// faults if a tile op runs before it.
// Called from: the compute kernel thread, first.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {
template <SrcOrder src_order = SrcOrder::Regular>
ALWI void compute_kernel_hw_startup(uint32_t icb0, uint32_t icb1, uint32_t ocb) {
    if constexpr (src_order == SrcOrder::Reverse) {
        tt_emu::k::hw_startup(icb1, icb0, ocb);
    } else {
        tt_emu::k::hw_startup(icb0, icb1, ocb);
    }
}
template <SrcOrder src_order = SrcOrder::Regular>
ALWI void compute_kernel_hw_startup(uint32_t icb0, uint32_t ocb) {
    tt_emu::k::hw_startup(icb0, icb0, ocb);
}
}  // namespace ckernel
