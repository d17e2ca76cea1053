// api/compute/bcast.h -- FPU binary ops with a broadcast B operand (emulator version).
//
// Owns: BroadcastType, {add,sub,mul}_tiles_bcast_{rows,cols,scalar}(icb0, icb1, itile0, itile1,
// idst[, bcast_row_idx]) and their {add,sub,mul}_bcast_{rows,cols,scalar}_init(icb0, icb1),
// {add,sub,mul}_tiles_bcast<BroadcastType>(...). As in the 0.81.1 SDK header.
// Semantics (A, B tiles counted from the front of icb0 / icb1; DST[idst] is overwritten):
//   ROW:    DST[r][c] = A[r][c] op B[bcast_row_idx][c]    (B's row 0 down every row)
//   COL:    DST[r][c] = A[r][c] op B[r][0]                (B's column 0 across every column)
//   SCALAR: DST[r][c] = A[r][c] op B[0][0]
// The op faults unless the matching *_bcast_*_init was the last init (the unpacker's
// broadcast mode and the math op are programmed there).
// unary_bcast_init<BroadcastType>(icb) / unary_bcast<BroadcastType>(icb, itile, idst): a copy of one
// tile into DST[idst] with the broadcast (COL: every column is the tile's column 0; ROW: every row is
// its row 0; SCALAR: [0][0] everywhere); faults unless unary_bcast_init of that type was the last init.
// Called from: the compute kernel thread.
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {
#ifndef TT_EMU_BCAST_ENUMS
#define TT_EMU_BCAST_ENUMS
enum class BroadcastType : std::uint8_t { NONE = 0, ROW = 1, COL = 2, SCALAR = 3 };
#endif
#define TT_EMU_BCAST(OP, BINOP)                                                                                   \
    ALWI void OP##_bcast_rows_init(uint32_t icb0, uint32_t icb1, uint32_t call_line = __builtin_LINE()) {        \
        (void)call_line;                                                                                          \
        tt_emu::k::op_init(#OP "_bcast_rows_init", icb0, icb1, 0);                                                \
    }                                                                                                             \
    ALWI void OP##_bcast_cols_init(uint32_t icb0, uint32_t icb1, uint32_t call_line = __builtin_LINE()) {        \
        (void)call_line;                                                                                          \
        tt_emu::k::op_init(#OP "_bcast_cols_init", icb0, icb1, 0);                                                \
    }                                                                                                             \
    ALWI void OP##_bcast_scalar_init(uint32_t icb0, uint32_t icb1, uint32_t call_line = __builtin_LINE()) {      \
        (void)call_line;                                                                                          \
        tt_emu::k::op_init(#OP "_bcast_scalar_init", icb0, icb1, 0);                                              \
    }                                                                                                             \
    template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>                                                          \
    ALWI void OP##_tiles_bcast_rows(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst, \
                                    uint32_t bcast_row_idx = 0) {                                                 \
        tt_emu::k::bcast_tiles(tt_emu::k::Binop::BINOP, 1, icb0, icb1, itile0, itile1, idst, bcast_row_idx);      \
    }                                                                                                             \
    template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>                                                          \
    ALWI void OP##_tiles_bcast_cols(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) { \
        tt_emu::k::bcast_tiles(tt_emu::k::Binop::BINOP, 2, icb0, icb1, itile0, itile1, idst, 0);                  \
    }                                                                                                             \
    template <bool is_fp32_dest_acc_en = DST_ACCUM_MODE>                                                          \
    ALWI void OP##_tiles_bcast_scalar(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1,             \
                                      uint32_t idst) {                                                            \
        tt_emu::k::bcast_tiles(tt_emu::k::Binop::BINOP, 3, icb0, icb1, itile0, itile1, idst, 0);                  \
    }                                                                                                             \
    template <BroadcastType tBcastDim, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>                                 \
    ALWI void OP##_tiles_bcast(uint32_t icb0, uint32_t icb1, uint32_t itile0, uint32_t itile1, uint32_t idst) {   \
        tt_emu::k::bcast_tiles(tt_emu::k::Binop::BINOP, static_cast<uint32_t>(tBcastDim), icb0, icb1, itile0,      \
                               itile1, idst, 0);                                                                  \
    }
template <BroadcastType bcast_type, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void unary_bcast_init(uint32_t icb) {
    tt_emu::k::op_init(tt_emu::k::unary_bcast_init_name(static_cast<uint32_t>(bcast_type)), icb, icb, 0);
}
template <BroadcastType bcast_type, bool is_fp32_dest_acc_en = DST_ACCUM_MODE>
ALWI void unary_bcast(uint32_t icb, uint32_t in_tile_index, uint32_t dst_tile_index) {
    tt_emu::k::unary_bcast(static_cast<uint32_t>(bcast_type), icb, in_tile_index, dst_tile_index);
}
TT_EMU_BCAST(add, Add)
TT_EMU_BCAST(sub, Sub)
TT_EMU_BCAST(mul, Mul)
#undef TT_EMU_BCAST
}  // namespace ckernel
