// api/compile_time_args.h -- compile-time kernel arguments (emulator version).
//
// Owns: get_compile_time_arg_val(i), backed by the -DKERNEL_COMPILE_TIME_ARGS=a,b,c, define
// that the emulator's JIT passes (always with a trailing comma, possibly empty).
// Does not own: named compile-time args beyond a lookup by name (KERNEL_COMPILE_TIME_ARG_MAP).
// Called from: any kernel, at compile time.
#pragma once

#include <cstdint>

#ifndef KERNEL_COMPILE_TIME_ARGS
#define KERNEL_COMPILE_TIME_ARGS
#endif

namespace tt_emu::k {
inline constexpr uint32_t kCompileTimeArgs[] = {KERNEL_COMPILE_TIME_ARGS 0u};
inline constexpr uint32_t kNumCompileTimeArgs = sizeof(kCompileTimeArgs) / sizeof(uint32_t) - 1;
template <uint32_t I>
constexpr uint32_t compile_time_arg() {
    static_assert(I < kNumCompileTimeArgs, "compile-time arg index out of range for this kernel's compile_args");
    return kCompileTimeArgs[I];
}
}  // namespace tt_emu::k

#define get_compile_time_arg_val(i) (::tt_emu::k::compile_time_arg<(i)>())
