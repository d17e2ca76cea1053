// tt-metalium/bfloat16.hpp -- bfloat16 on the host (tt-runtime emulator version of the TT-Metalium host API).
//
// Owns: class bfloat16 (round-to-nearest-even from float) and vector packing helpers.
// Called from: the host program (main.cpp), on the host thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

class bfloat16 {
public:
    bfloat16() = default;
    bfloat16(float f) {
        uint32_t b;
        std::memcpy(&b, &f, 4);
        if ((b & 0x7fffffffu) > 0x7f800000u) v_ = static_cast<uint16_t>((b >> 16) | 0x40);
        else v_ = static_cast<uint16_t>((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
    }
    float to_float() const {
        uint32_t b = static_cast<uint32_t>(v_) << 16;
        float f;
        std::memcpy(&f, &b, 4);
        return f;
    }
    uint16_t to_packed() const { return v_; }
    operator float() const { return to_float(); }

private:
    uint16_t v_ = 0;
};

inline std::vector<uint32_t> pack_bfloat16_vec_into_uint32_vec(const std::vector<bfloat16>& in) {
    std::vector<uint32_t> out((in.size() + 1) / 2, 0);
    for (size_t i = 0; i < in.size(); ++i) out[i / 2] |= static_cast<uint32_t>(in[i].to_packed()) << (16 * (i % 2));
    return out;
}
