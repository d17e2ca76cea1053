// api/tensor/tensor_accessor_args.h -- TensorAccessorArgs<CTA_OFFSET> (emulator version).
//
// Owns: the constexpr reader of a tensor's compile-time args. The emulator supports the
// interleaved form: word 0 = ArgsConfig bits (IsDram = 2, Sharded = 1), word 1 = aligned page size.
// Does not own: sharded tensors (rejected at compile time with a static_assert).
// Called from: reader/writer kernels, at compile time.
#pragma once

#include <cstdint>

#include "api/compile_time_args.h"

namespace tensor_accessor {
enum class ArgConfig : uint32_t {
    None = 0, Sharded = 1, IsDram = 2, RuntimeRank = 4, RuntimeNumBanks = 8, RuntimeTensorShape = 16,
    RuntimeShardShape = 32, RuntimeBankCoords = 64
};
}  // namespace tensor_accessor

template <uint32_t CTA_OFFSET, uint32_t CRTA_OFFSET = 0>
struct TensorAccessorArgs {
    static constexpr uint32_t config = get_compile_time_arg_val(CTA_OFFSET);
    static constexpr bool is_sharded = (config & 1u) != 0;
    static constexpr bool is_dram = (config & 2u) != 0;
    static_assert(!is_sharded, "tt-runtime emulator: sharded TensorAccessorArgs are not emulated (interleaved only)");
    static constexpr uint32_t aligned_page_size = get_compile_time_arg_val(CTA_OFFSET + 1);
    constexpr TensorAccessorArgs() = default;
    static constexpr uint32_t next_compile_time_args_offset() { return CTA_OFFSET + 2; }
    static constexpr uint32_t next_common_runtime_args_offset() { return CRTA_OFFSET; }
    static constexpr uint32_t num_compile_time_args() { return 2; }
};
