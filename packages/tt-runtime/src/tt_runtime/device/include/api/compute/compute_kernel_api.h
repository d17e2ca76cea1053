// api/compute/compute_kernel_api.h -- SFPU ops the SDK declares in this header (emulator version).
//
// Owns: sigmoid, tanh, log, exp2, silu, abs, square, sign (init + tile call), acting in place on
// DST[idst] in fp32; unary_max_tile / unary_min_tile(idst, param0): max/min with a scalar given
// as its fp32 bit pattern.
// Called from: the compute kernel thread.
#pragma once

#include <cstdint>

#include "api/compute/common.h"

namespace ckernel {
template <auto... P>
ALWI void sigmoid_tile_init() { tt_emu::k::op_init("sigmoid_tile_init", 0, 0, 0); }
template <auto... P>
ALWI void sigmoid_tile(uint32_t idst, int vector_mode = VectorMode::RC) { (void)vector_mode; tt_emu::k::unary_tile(tt_emu::k::Unop::Sigmoid, idst, 0); }
template <auto... P>
ALWI void tanh_tile_init() { tt_emu::k::op_init("tanh_tile_init", 0, 0, 0); }
template <auto... P>
ALWI void tanh_tile(uint32_t idst, int vector_mode = VectorMode::RC) { (void)vector_mode; tt_emu::k::unary_tile(tt_emu::k::Unop::Tanh, idst, 0); }
template <auto... P>
ALWI void log_tile_init() { tt_emu::k::op_init("log_tile_init", 0, 0, 0); }
template <auto... P>
ALWI void log_tile(uint32_t idst, int vector_mode = VectorMode::RC) { (void)vector_mode; tt_emu::k::unary_tile(tt_emu::k::Unop::Log, idst, 0); }
template <auto... P>
ALWI void exp2_tile_init() { tt_emu::k::op_init("exp2_tile_init", 0, 0, 0); }
template <auto... P>
ALWI void exp2_tile(uint32_t idst, int vector_mode = VectorMode::RC) { (void)vector_mode; tt_emu::k::unary_tile(tt_emu::k::Unop::Exp2, idst, 0); }
template <auto... P>
ALWI void silu_tile_init() { tt_emu::k::op_init("silu_tile_init", 0, 0, 0); }
template <auto... P>
ALWI void silu_tile(uint32_t idst, int vector_mode = VectorMode::RC) { (void)vector_mode; tt_emu::k::unary_tile(tt_emu::k::Unop::Silu, idst, 0); }
template <auto... P>
ALWI void abs_tile_init() { tt_emu::k::op_init("abs_tile_init", 0, 0, 0); }
template <auto... P>
ALWI void abs_tile(uint32_t idst, int vector_mode = VectorMode::RC) { (void)vector_mode; tt_emu::k::unary_tile(tt_emu::k::Unop::Abs, idst, 0); }
template <auto... P>
ALWI void square_tile_init() { tt_emu::k::op_init("square_tile_init", 0, 0, 0); }
template <auto... P>
ALWI void square_tile(uint32_t idst, int vector_mode = VectorMode::RC) { (void)vector_mode; tt_emu::k::unary_tile(tt_emu::k::Unop::Square, idst, 0); }
template <auto... P>
ALWI void sign_tile_init() { tt_emu::k::op_init("sign_tile_init", 0, 0, 0); }
template <auto... P>
ALWI void sign_tile(uint32_t idst, int vector_mode = VectorMode::RC) { (void)vector_mode; tt_emu::k::unary_tile(tt_emu::k::Unop::Sign, idst, 0); }
ALWI void unary_max_tile_init() { tt_emu::k::op_init("unary_max_tile_init", 0, 0, 0); }
ALWI void unary_max_tile(uint32_t idst, uint32_t param0) { tt_emu::k::unary_tile(tt_emu::k::Unop::MaxScalar, idst, param0); }
ALWI void unary_min_tile_init() { tt_emu::k::op_init("unary_min_tile_init", 0, 0, 0); }
ALWI void unary_min_tile(uint32_t idst, uint32_t param0) { tt_emu::k::unary_tile(tt_emu::k::Unop::MinScalar, idst, param0); }
}  // namespace ckernel
