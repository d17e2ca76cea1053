// api/compute/eltwise_unary/binop_with_scalar.h -- DST tile op scalar (emulator version).
//
// Owns: binop_with_scalar_tile_init() and add/sub/mul/div/rsub_unary_tile(idst, param1), where
// param1 is the scalar's fp32 bit pattern: DST[idst] = DST[idst] op scalar (rsub: scalar - DST).
// The int32 forms of the SDK header are not emulated.
// Called from: the compute kernel thread.
#pragma once

#include <cstdint>

#include "api/compute/common_globals.h"

namespace ckernel {
enum { ADD_UNARY = 0, SUB_UNARY = 1, MUL_UNARY = 2, DIV_UNARY = 3, RSUB_UNARY = 4 };
ALWI void binop_with_scalar_tile_init() { tt_emu::k::op_init("binop_with_scalar_tile_init", 0, 0, 0); }
template <auto... P>
ALWI void add_unary_tile(uint32_t idst, uint32_t param1) { tt_emu::k::unary_tile(tt_emu::k::Unop::AddScalar, idst, param1); }
template <auto... P>
ALWI void sub_unary_tile(uint32_t idst, uint32_t param1) { tt_emu::k::unary_tile(tt_emu::k::Unop::SubScalar, idst, param1); }
template <auto... P>
ALWI void mul_unary_tile(uint32_t idst, uint32_t param1) { tt_emu::k::unary_tile(tt_emu::k::Unop::MulScalar, idst, param1); }
template <auto... P>
ALWI void div_unary_tile(uint32_t idst, uint32_t param1) { tt_emu::k::unary_tile(tt_emu::k::Unop::DivScalar, idst, param1); }
template <auto... P>
ALWI void rsub_unary_tile(uint32_t idst, uint32_t param1) { tt_emu::k::unary_tile(tt_emu::k::Unop::RsubScalar, idst, param1); }
}  // namespace ckernel
