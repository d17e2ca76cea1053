// api/compute/reg_api.h -- DST register protocol (emulator version).
//
// Owns: tile_regs_acquire/commit/wait/release and the deprecated acquire_dst/release_dst.
// The emulator zeroes DST on acquire and checks the acquire -> commit -> wait -> release order.
// Called from: the compute kernel thread.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void tile_regs_acquire() { tt_emu::k::tile_regs_acquire(); }
ALWI void tile_regs_wait() { tt_emu::k::tile_regs_wait(); }
template <auto... P>
ALWI void tile_regs_commit() { tt_emu::k::tile_regs_commit(); }
template <auto... P>
ALWI void tile_regs_release() { tt_emu::k::tile_regs_release(); }
[[deprecated("Use tile_regs_acquire() and tile_regs_wait()")]] ALWI void acquire_dst() { tt_emu::k::acquire_dst(); }
[[deprecated("Use tile_regs_commit() and tile_regs_release()")]] ALWI void release_dst() { tt_emu::k::release_dst(); }
}  // namespace ckernel
