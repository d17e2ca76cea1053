// sdk-check stand-in for SFPI's lltt.h (replay-buffer helpers), written for parsing only.
// The real header ships with the SFPI toolchain, which is not on PyPI; this declares the
// names tt-llk uses so that compute kernels parse against the real LLK headers.
#pragma once
#include <cstdint>

namespace lltt {
enum ExecBool : bool { NoExec = false, Exec = true };
using ExecMode = ExecBool;

template <ExecBool exec = NoExec>
inline __attribute__((always_inline)) void record(std::uint32_t start, std::uint32_t len) {
    (void)start;
    (void)len;
}
inline __attribute__((always_inline)) void replay(std::uint32_t start, std::uint32_t len) {
    (void)start;
    (void)len;
}
constexpr std::uint32_t replay_insn(std::uint32_t start, std::uint32_t len, bool exec = false) {
    return 0x04000000u | ((start & 0x3ffu) << 14) | ((len & 0x3ffu) << 4) | (exec ? 1u : 0u);
}
}  // namespace lltt
