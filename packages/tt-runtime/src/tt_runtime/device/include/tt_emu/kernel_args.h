// tt_emu/kernel_args.h -- runtime-arg accessors shared by dataflow and compute kernels.
//
// Owns: get_arg_val, get_common_arg_val, get_arg_addr, get_common_arg_addr and the logical
// core coordinates. Included by api/dataflow/dataflow_api.h and api/compute/common.h (the two
// places the SDK declares them).
// Called from: any kernel thread.
#pragma once

#include <cstdint>
#include <cstring>

#include "tt_emu/kernel_abi.h"

template <typename T>
FORCE_INLINE T get_arg_val(int arg_idx) {
    static_assert(sizeof(T) == 4, "get_arg_val<T>: T must be a 4-byte type");
    uint32_t v = tt_emu::k::arg(arg_idx);
    T out;
    std::memcpy(&out, &v, 4);
    return out;
}
template <typename T>
FORCE_INLINE T get_common_arg_val(int arg_idx) {
    static_assert(sizeof(T) == 4, "get_common_arg_val<T>: T must be a 4-byte type");
    uint32_t v = tt_emu::k::common_arg(arg_idx);
    T out;
    std::memcpy(&out, &v, 4);
    return out;
}
FORCE_INLINE uint32_t get_arg_addr(int arg_idx) { return tt_emu::k::arg_addr(arg_idx); }
FORCE_INLINE uint32_t get_common_arg_addr(int arg_idx) { return tt_emu::k::common_arg_addr(arg_idx); }
FORCE_INLINE uint32_t get_absolute_logical_x() { return tt_emu::k::logical_x(); }
FORCE_INLINE uint32_t get_absolute_logical_y() { return tt_emu::k::logical_y(); }
FORCE_INLINE uint32_t get_relative_logical_x() { return tt_emu::k::logical_x(); }
FORCE_INLINE uint32_t get_relative_logical_y() { return tt_emu::k::logical_y(); }
