// tt-metalium/buffer_types.hpp -- buffer types (tt-runtime emulator version of the TT-Metalium host API).
//
// Owns: tt::tt_metal::BufferType, TensorMemoryLayout.
// Called from: the host program (main.cpp), on the host thread.
#pragma once

#include <cstdint>

namespace tt::tt_metal {
enum class BufferType { DRAM, L1, SYSTEM_MEMORY, L1_SMALL, TRACE };
enum class TensorMemoryLayout { INTERLEAVED = 0, HEIGHT_SHARDED = 2, WIDTH_SHARDED = 3, BLOCK_SHARDED = 4 };
using DeviceAddr = uint64_t;
}  // namespace tt::tt_metal
