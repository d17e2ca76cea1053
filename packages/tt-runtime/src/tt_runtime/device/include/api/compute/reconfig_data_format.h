// api/compute/reconfig_data_format.h -- data-format reconfiguration (emulator version).
//
// Owns: reconfig_data_format* names. They are bookkeeping only: the emulator reads each
// CB's data format from the host CB configuration on every unpack and pack.
// Called from: the compute kernel thread.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {
template <auto... P>
ALWI void reconfig_data_format(std::uint32_t, std::uint32_t, std::uint32_t = 0, std::uint32_t = 0) {}
template <auto... P>
ALWI void reconfig_data_format_srca(std::uint32_t, std::uint32_t = 0) {}
template <auto... P>
ALWI void reconfig_data_format_srcb(std::uint32_t, std::uint32_t = 0) {}
}  // namespace ckernel
