// api/compute/cb_api.h -- circular-buffer calls from a compute kernel (emulator version).
//
// Owns: cb_wait_front/cb_pop_front (unpack side), cb_reserve_back/cb_push_back (pack side)
// and the probes, with the same names and protocol checks as the dataflow API.
// Called from: the compute kernel thread.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {
ALWI void cb_wait_front(uint32_t cbid, uint32_t ntiles) { tt_emu::k::cb_wait_front(cbid, ntiles); }
ALWI void cb_pop_front(uint32_t cbid, uint32_t ntiles) { tt_emu::k::cb_pop_front(cbid, ntiles); }
ALWI void cb_reserve_back(uint32_t cbid, uint32_t ntiles) { tt_emu::k::cb_reserve_back(cbid, ntiles); }
ALWI void cb_push_back(uint32_t cbid, uint32_t ntiles) { tt_emu::k::cb_push_back(cbid, ntiles); }
ALWI bool cb_pages_reservable_at_back(uint32_t cbid, uint32_t ntiles) { return tt_emu::k::cb_pages_reservable_at_back(cbid, ntiles); }
ALWI bool cb_pages_available_at_front(uint32_t cbid, uint32_t ntiles) { return tt_emu::k::cb_pages_available_at_front(cbid, ntiles); }
ALWI uint32_t get_tile_size(uint32_t cbid) { return tt_emu::k::get_tile_size(cbid); }
}  // namespace ckernel
