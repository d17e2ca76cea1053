// formats.cpp -- tile unpack/pack between CB data formats and row-major fp32, and tile matmul.
//
// Owns: the tile layout (32x32 = four 16x16 faces, each row-major; face order 0 1 / 2 3),
// format conversion (Float32, Float16, Float16_b with round-to-nearest-even, Bfp8_b with one
// shared 8-bit exponent per 16 datums of a face row, exponents first; Int32/UInt32/Int8/UInt8
// as integers), and the fp32 tile matmul kernel.
// Does not own: which tile is read (compute.cpp).
// Called from: the compute kernel thread.
#include <cmath>
#include <cstring>

#include "emu.h"

namespace tt_emu {

namespace {

inline uint32_t f2u(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}
inline float u2f(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

inline uint16_t to_bf16(float f) {
    uint32_t b = f2u(f);
    if ((b & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((b >> 16) | 0x40);
    return static_cast<uint16_t>((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
}

inline uint16_t to_f16(float f) {
    uint32_t bits = f2u(f);
    uint32_t sign = (bits >> 16) & 0x8000u;
    int32_t exp = static_cast<int32_t>((bits >> 23) & 0xff) - 127 + 15;
    uint32_t mant = bits & 0x7fffffu;
    if (((bits >> 23) & 0xff) == 0xff) return static_cast<uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0));
    if (exp >= 31) return static_cast<uint16_t>(sign | 0x7c00u);
    if (exp <= 0) {
        if (exp < -10) return static_cast<uint16_t>(sign);
        mant |= 0x800000u;
        uint32_t shift = static_cast<uint32_t>(14 - exp);
        uint32_t half = mant >> shift, rem = mant & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1u))) ++half;
        return static_cast<uint16_t>(sign | half);
    }
    uint32_t half = sign | (static_cast<uint32_t>(exp) << 10) | (mant >> 13);
    uint32_t rem = mant & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (half & 1u))) ++half;
    return static_cast<uint16_t>(half);
}

inline float from_f16(uint16_t h) {
    uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ffu;
    if (exp == 0x1f) return u2f(sign | 0x7f800000u | (mant << 13));
    if (exp == 0) return (sign ? -1.0f : 1.0f) * std::ldexp(static_cast<float>(mant), -24);
    return u2f(sign | ((exp + 112) << 23) | (mant << 13));
}

// Row-major index of face-layout element i.
inline int rm_index(int i) {
    int face = i >> 8, r = (i >> 4) & 15, c = i & 15;
    return ((face >> 1) * 16 + r) * 32 + (face & 1) * 16 + c;
}

// Bfp8_b: 64 exponent bytes (one per 16-datum face row, in face order), then 1024 bytes of
// sign + 7-bit magnitude. value = (-1)^s * m * 2^(e - 127 - 6).
void unpack_bfp8(const uint8_t* src, float* out) {
    const uint8_t* exps = src;
    const uint8_t* data = src + 64;
    for (int row = 0; row < 64; ++row) {
        int e = exps[row];
        float scale = std::ldexp(1.0f, e - 127 - 6);
        for (int j = 0; j < 16; ++j) {
            int i = row * 16 + j;
            uint8_t b = data[i];
            float v = static_cast<float>(b & 0x7f) * scale;
            out[rm_index(i)] = (b & 0x80) ? -v : v;
        }
    }
}

void pack_bfp8(const float* in, uint8_t* dst) {
    uint8_t* exps = dst;
    uint8_t* data = dst + 64;
    for (int row = 0; row < 64; ++row) {
        int emax = 0;
        for (int j = 0; j < 16; ++j) {
            int e = (f2u(in[rm_index(row * 16 + j)]) >> 23) & 0xff;
            if (e > emax) emax = e;
        }
        exps[row] = static_cast<uint8_t>(emax);
        for (int j = 0; j < 16; ++j) {
            int i = row * 16 + j;
            uint32_t u = f2u(in[rm_index(i)]);
            int e = (u >> 23) & 0xff;
            uint8_t sign = (u >> 31) ? 0x80 : 0;
            if (e == 0) {
                data[i] = 0;
                continue;
            }
            // 24-bit mantissa with the hidden one, aligned to the shared exponent, rounded to 7 bits (RNE).
            uint64_t m = (u & 0x7fffffu) | 0x800000u;
            int shift = 17 + (emax - e);
            uint64_t q = shift >= 64 ? 0 : (m >> shift);
            uint64_t rem = shift >= 64 ? m : (m & ((1ull << shift) - 1));
            uint64_t half = shift >= 64 ? ~0ull : (1ull << (shift - 1));
            if (rem > half || (rem == half && (q & 1))) ++q;
            if (q > 127) q = 127;
            data[i] = static_cast<uint8_t>(sign | q);
        }
    }
}

}  // namespace

float round_to_bf16(float x) { return u2f(static_cast<uint32_t>(to_bf16(x)) << 16); }

void unpack_tile(const uint8_t* src, uint32_t fmt, float* out) {
    switch (fmt) {
        case BF16: {
            const uint16_t* s = reinterpret_cast<const uint16_t*>(src);
            for (int face = 0; face < 4; ++face) {
                float* o = out + (face >> 1) * 16 * 32 + (face & 1) * 16;
                const uint16_t* f = s + face * 256;
                for (int r = 0; r < 16; ++r)
                    for (int c = 0; c < 16; ++c) o[r * 32 + c] = u2f(static_cast<uint32_t>(f[r * 16 + c]) << 16);
            }
            return;
        }
        case F32: {
            const float* s = reinterpret_cast<const float*>(src);
            for (int face = 0; face < 4; ++face) {
                float* o = out + (face >> 1) * 16 * 32 + (face & 1) * 16;
                const float* f = s + face * 256;
                for (int r = 0; r < 16; ++r) std::memcpy(o + r * 32, f + r * 16, 64);
            }
            return;
        }
        case F16: {
            const uint16_t* s = reinterpret_cast<const uint16_t*>(src);
            for (int i = 0; i < 1024; ++i) out[rm_index(i)] = from_f16(s[i]);
            return;
        }
        case BFP8: unpack_bfp8(src, out); return;
        case I32: {
            const int32_t* s = reinterpret_cast<const int32_t*>(src);
            for (int i = 0; i < 1024; ++i) out[rm_index(i)] = static_cast<float>(s[i]);
            return;
        }
        case U32: {
            const uint32_t* s = reinterpret_cast<const uint32_t*>(src);
            for (int i = 0; i < 1024; ++i) out[rm_index(i)] = static_cast<float>(s[i]);
            return;
        }
        case I8: {
            const int8_t* s = reinterpret_cast<const int8_t*>(src);
            for (int i = 0; i < 1024; ++i) out[rm_index(i)] = static_cast<float>(s[i]);
            return;
        }
        case U8: {
            for (int i = 0; i < 1024; ++i) out[rm_index(i)] = static_cast<float>(src[i]);
            return;
        }
        default: fault(std::string("unpack: data format ") + fmt_name(fmt) + " is not emulated");
    }
}

void pack_tile_to(const float* in, uint32_t fmt, uint8_t* dst) {
    switch (fmt) {
        case BF16: {
            uint16_t* d = reinterpret_cast<uint16_t*>(dst);
            for (int face = 0; face < 4; ++face) {
                const float* i0 = in + (face >> 1) * 16 * 32 + (face & 1) * 16;
                uint16_t* f = d + face * 256;
                for (int r = 0; r < 16; ++r)
                    for (int c = 0; c < 16; ++c) f[r * 16 + c] = to_bf16(i0[r * 32 + c]);
            }
            return;
        }
        case F32: {
            float* d = reinterpret_cast<float*>(dst);
            for (int face = 0; face < 4; ++face) {
                const float* i0 = in + (face >> 1) * 16 * 32 + (face & 1) * 16;
                for (int r = 0; r < 16; ++r) std::memcpy(d + face * 256 + r * 16, i0 + r * 32, 64);
            }
            return;
        }
        case F16: {
            uint16_t* d = reinterpret_cast<uint16_t*>(dst);
            for (int i = 0; i < 1024; ++i) d[i] = to_f16(in[rm_index(i)]);
            return;
        }
        case BFP8: pack_bfp8(in, dst); return;
        case I32: {
            int32_t* d = reinterpret_cast<int32_t*>(dst);
            for (int i = 0; i < 1024; ++i) d[i] = static_cast<int32_t>(std::nearbyint(in[rm_index(i)]));
            return;
        }
        case U32: {
            uint32_t* d = reinterpret_cast<uint32_t*>(dst);
            for (int i = 0; i < 1024; ++i) d[i] = static_cast<uint32_t>(std::nearbyint(in[rm_index(i)]));
            return;
        }
        case I8: {  // DST already holds int8 values (typecast_tile saturated them)
            int8_t* d = reinterpret_cast<int8_t*>(dst);
            for (int i = 0; i < 1024; ++i) d[i] = static_cast<int8_t>(std::nearbyint(in[rm_index(i)]));
            return;
        }
        case U8: {
            for (int i = 0; i < 1024; ++i) dst[i] = static_cast<uint8_t>(std::nearbyint(in[rm_index(i)]));
            return;
        }
        default: fault(std::string("pack: data format ") + fmt_name(fmt) + " is not emulated");
    }
}

// C[32x32] += A[32x32] . B[32x32] (or . B^T), all row-major fp32. Four rows of C at a time so
// each row of B is loaded once per four FMAs; the inner loop over 32 columns vectorizes.
void tile_matmul_acc(const float* __restrict a, const float* __restrict b_in, float* __restrict c, bool transpose_b) {
    alignas(64) float bt[1024];
    const float* b = b_in;
    if (transpose_b) {
        for (int i = 0; i < 32; ++i)
            for (int j = 0; j < 32; ++j) bt[j * 32 + i] = b_in[i * 32 + j];
        b = bt;
    }
    for (int i = 0; i < 32; i += 4) {
        alignas(64) float acc[4][32];
        std::memcpy(acc, c + i * 32, sizeof(acc));
        for (int k = 0; k < 32; ++k) {
            const float* brow = b + k * 32;
            float a0 = a[(i + 0) * 32 + k], a1 = a[(i + 1) * 32 + k], a2 = a[(i + 2) * 32 + k], a3 = a[(i + 3) * 32 + k];
#pragma GCC ivdep
            for (int j = 0; j < 32; ++j) {
                float bv = brow[j];
                acc[0][j] += a0 * bv;
                acc[1][j] += a1 * bv;
                acc[2][j] += a2 * bv;
                acc[3][j] += a3 * bv;
            }
        }
        std::memcpy(c + i * 32, acc, sizeof(acc));
    }
}

}  // namespace tt_emu
