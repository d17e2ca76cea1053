// api/compute/reconfig_data_format.h -- data-format reconfiguration (emulator version).
//
// Owns: reconfig_data_format* names: they set the data formats the srcA / srcB unpackers
// expect (to those of the given CBs); an unpack from a CB of another format is a fault, as
// silicon would read its bytes in the wrong format.
// Called from: the compute kernel thread.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {
// (srca_new, srcb_new) or (srca_old, srca_new, srcb_old, srcb_new)
template <auto... P>
ALWI void reconfig_data_format(std::uint32_t srca_new, std::uint32_t srcb_new) {
    tt_emu::k::reconfig_unpack(0, srca_new, srcb_new);
}
template <auto... P>
ALWI void reconfig_data_format(std::uint32_t, std::uint32_t srca_new, std::uint32_t, std::uint32_t srcb_new) {
    tt_emu::k::reconfig_unpack(0, srca_new, srcb_new);
}
template <auto... P>
ALWI void reconfig_data_format_srca(std::uint32_t srca_new) { tt_emu::k::reconfig_unpack('A', srca_new, 0); }
template <auto... P>
ALWI void reconfig_data_format_srca(std::uint32_t, std::uint32_t srca_new) { tt_emu::k::reconfig_unpack('A', srca_new, 0); }
template <auto... P>
ALWI void reconfig_data_format_srcb(std::uint32_t srcb_new) { tt_emu::k::reconfig_unpack('B', 0, srcb_new); }
template <auto... P>
ALWI void reconfig_data_format_srcb(std::uint32_t, std::uint32_t srcb_new) { tt_emu::k::reconfig_unpack('B', 0, srcb_new); }
}  // namespace ckernel
