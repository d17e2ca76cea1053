// api/debug/dprint.h -- DPRINT for emulated kernels (the 0.81 API: DPRINT(format, args...)).
//
// Owns: DPRINT(format, ...) with the fmt-style format string of TT-Metalium's DEVICE_PRINT:
// each `{}` (or `{:spec}`; the spec is not applied) takes the next argument, `{{` and `}}` are
// braces. The line goes to stderr in one write (the emulator has no print server), so lines
// from cores printing at once do not interleave. The legacy stream form (`DPRINT << x`) was
// removed from the SDK and is not provided.
// Called from: any kernel thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <type_traits>

namespace tt_emu::k {
template <typename T>
inline void dprint_value(std::string& out, const T& v) {
    char piece[64];
    if constexpr (std::is_floating_point_v<T>) std::snprintf(piece, sizeof piece, "%g", static_cast<double>(v));
    else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) std::snprintf(piece, sizeof piece, "%lld", static_cast<long long>(v));
    else if constexpr (std::is_integral_v<T>) std::snprintf(piece, sizeof piece, "%llu", static_cast<unsigned long long>(v));
    else {
        out += static_cast<const char*>(v);
        return;
    }
    out += piece;
}

// Copies `format` into `out` up to its next `{...}` field (past `{{` / `}}`); returns where
// the field ends (after its `}`), or nullptr at the end of the string.
inline const char* dprint_literal(std::string& out, const char* format) {
    for (const char* p = format; *p; ++p) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            out += *p++;
        } else if (*p == '{') {
            while (*p && *p != '}') ++p;
            return *p ? p + 1 : p;
        } else {
            out += *p;
        }
    }
    return nullptr;
}

inline void dprint(const char* format) {
    std::string out;
    dprint_literal(out, format);
    std::fputs(out.c_str(), stderr);
}

template <typename... Args>
inline void dprint(const char* format, const Args&... args) {
    std::string out;
    const char* rest = format;
    auto one = [&](const auto& v) {
        rest = rest ? dprint_literal(out, rest) : nullptr;
        dprint_value(out, v);
    };
    (one(args), ...);
    if (rest) dprint_literal(out, rest);
    std::fputs(out.c_str(), stderr);
}
}  // namespace tt_emu::k

#define DPRINT(format, ...) ::tt_emu::k::dprint(format, ##__VA_ARGS__)
#define DPRINT_DATA0(x) x
#define DPRINT_DATA1(x) x
#define DPRINT_MATH(x) x
#define DPRINT_PACK(x) x
#define DPRINT_UNPACK(x) x
