// api/compute/common_globals.h -- globals every compute kernel sees (emulator version).
//
// Owns: ALWI, the UNPACK/MATH/PACK macros (all three enabled: one host thread runs the
// whole compute kernel, as tt-emule does), the legacy entry spelling
// `namespace NAMESPACE { void MAIN { ... } }`, and the compute config constants
// (DST_ACCUM_MODE, MATH_FIDELITY, APPROX, DST_SYNC_MODE) that the JIT passes as defines, and
// DataFormat.
// Called from: the compute kernel thread.
#pragma once

#include <cstdint>

#include "api/compile_time_args.h"
#include "tt_emu/kernel_abi.h"

#define UNPACK(x) x
#define MATH(x) x
#define PACK(x) x
#define TRISC_UNPACK 1
#define TRISC_MATH 1
#define TRISC_PACK 1

#ifndef TT_EMU_DST_ACCUM_MODE
#define TT_EMU_DST_ACCUM_MODE false
#endif
#ifndef TT_EMU_MATH_FIDELITY
#define TT_EMU_MATH_FIDELITY 4
#endif
#ifndef TT_EMU_APPROX
#define TT_EMU_APPROX false
#endif

// Legacy entry point: `namespace NAMESPACE { void MAIN { ... } }` becomes
// tt_emu_legacy::kernel_main(), which the emulator's kernel wrapper calls.
#define NAMESPACE tt_emu_legacy
#define MAIN kernel_main()

// The tile data formats by their tt::DataFormat codes, global as in the SDK's tensix_types.h
// (where_tile<DataFormat::Float32> names DST's format with it).
enum class DataFormat : uint8_t {
    Float32 = 0, Float16 = 1, Float16_b = 5, Bfp8_b = 6, Int8 = 14, UInt8 = 30, UInt16 = 9,
    Int32 = 8, UInt32 = 24, Invalid = 0xff
};

namespace ckernel {
enum class MathFidelity : uint8_t { LoFi = 0, HiFi2 = 2, HiFi3 = 3, HiFi4 = 4 };
enum class DstSync : uint8_t { SyncHalf = 0, SyncFull = 1 };
enum VectorMode : uint8_t { None = 0, R = 1, C = 2, RC = 4, RC_custom = 6, Invalid = 0xFF };
enum class SrcOrder : uint8_t { Regular = 0, Reverse = 1 };
enum EltwiseBinaryReuseDestType : uint8_t { NONE = 0, DEST_TO_SRCA = 1, DEST_TO_SRCB = 2 };
enum class InputClamping : uint8_t { ClampToNegative = 1, None = 0 };
constexpr bool DST_ACCUM_MODE = TT_EMU_DST_ACCUM_MODE;
constexpr MathFidelity MATH_FIDELITY = static_cast<MathFidelity>(TT_EMU_MATH_FIDELITY);
constexpr bool APPROX = TT_EMU_APPROX;
namespace p_sfpu {
constexpr uint16_t kCONST_1_FP16B = 0x3F80;
}
}  // namespace ckernel

using namespace ckernel;
