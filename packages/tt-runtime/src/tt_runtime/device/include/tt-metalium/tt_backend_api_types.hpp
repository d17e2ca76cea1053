// tt-metalium/tt_backend_api_types.hpp -- data formats (tt-runtime emulator version of the TT-Metalium host API).
//
// Owns: tt::DataFormat with the device's codes (tensix_types.h) and tile sizes.
// Called from: the host program (main.cpp), on the host thread.
#pragma once

#include <cstdint>

namespace tt {
enum class DataFormat : uint8_t {
    Float32 = 0, Float16 = 1, Bfp8 = 2, Bfp4 = 3, Bfp2 = 11, Float16_b = 5, Bfp8_b = 6, Bfp4_b = 7, Bfp2_b = 15,
    Lf8 = 10, Fp8_e4m3 = 0x1A, Int8 = 14, Tf32 = 4, UInt8 = 30, UInt16 = 9, Int32 = 8, UInt32 = 24,
    RawUInt8 = 0xf0, RawUInt16 = 0xf1, RawUInt32 = 0xf2, Invalid = 0xff
};
inline uint32_t tile_size(DataFormat f) {
    switch (f) {
        case DataFormat::Float32: case DataFormat::Int32: case DataFormat::UInt32: return 4096;
        case DataFormat::Int8: case DataFormat::UInt8: return 1024;
        case DataFormat::Bfp8_b: case DataFormat::Bfp8: return 1088;
        case DataFormat::Bfp4_b: case DataFormat::Bfp4: return 576;
        default: return 2048;
    }
}
}  // namespace tt
