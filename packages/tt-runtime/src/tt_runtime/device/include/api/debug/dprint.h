// api/debug/dprint.h -- DPRINT for emulated kernels.
//
// Owns: a DPRINT stream that writes to stderr (the emulator has no DPRINT server), ENDL().
// Called from: any kernel thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <type_traits>

namespace tt_emu::k {
struct DPrintStream {
    template <typename T>
    const DPrintStream& operator<<(const T& v) const {
        if constexpr (std::is_floating_point_v<T>) std::fprintf(stderr, "%g", static_cast<double>(v));
        else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) std::fprintf(stderr, "%lld", static_cast<long long>(v));
        else if constexpr (std::is_integral_v<T>) std::fprintf(stderr, "%llu", static_cast<unsigned long long>(v));
        else std::fprintf(stderr, "%s", static_cast<const char*>(v));
        return *this;
    }
};
}  // namespace tt_emu::k

#define DPRINT (::tt_emu::k::DPrintStream{})
#define DPRINT_DATA0(x) x
#define DPRINT_DATA1(x) x
#define DPRINT_MATH(x) x
#define DPRINT_PACK(x) x
#define DPRINT_UNPACK(x) x
inline const char* ENDL() { return "\n"; }
