// api/compute/eltwise_unary/typecast.h -- typecast between data formats in DST (emulator version).
//
// Owns: typecast_tile_init<IN, OUT> and typecast_tile<IN, OUT>(idst) for Float32 / Float16_b
// <-> Int32 / UInt32 (tt::DataFormat codes as template arguments). DST's slot records whether
// it holds int32 values: the packer moves bits, so packing a float slot into an Int32 CB (or
// the reverse) faults, as does a cast from the wrong kind or without 32-bit DST.
// Called from: the compute kernel thread.
#pragma once

#include "api/compute/common_globals.h"

namespace ckernel {
template <uint32_t IN_DTYPE, uint32_t OUT_DTYPE>
ALWI void typecast_tile_init() { tt_emu::k::op_init("typecast_tile_init", 0, 0, 0); }
template <uint32_t IN_DTYPE, uint32_t OUT_DTYPE, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void typecast_tile(uint32_t idst) { tt_emu::k::typecast_tile(IN_DTYPE, OUT_DTYPE, idst); }
}  // namespace ckernel
