// tt-metalium/base_types.hpp -- base enums (tt-runtime emulator version of the TT-Metalium host API).
//
// Owns: MathFidelity, UnpackToDestMode.
// Called from: the host program (main.cpp), on the host thread.
#pragma once

#include <cstdint>

enum class MathFidelity : uint8_t { LoFi = 0, HiFi2 = 2, HiFi3 = 3, HiFi4 = 4, Invalid = 0xff };
enum class UnpackToDestMode : uint8_t { Default, UnpackToDestFp32 };
