// tt-metalium/tilize_utils.hpp -- tilize helpers (tt-runtime emulator version of the TT-Metalium host API).
//
// Owns: tilize_nfaces / untilize_nfaces: row-major [rows, cols] <-> 32x32 tiles of four 16x16 faces (row-major tile order).
// Called from: the host program (main.cpp), on the host thread.
#pragma once

#include <cstdint>
#include <vector>

template <typename T>
std::vector<T> tilize_nfaces(const std::vector<T>& in, uint32_t rows, uint32_t cols) {
    std::vector<T> out(in.size());
    for (uint32_t r = 0; r < rows; ++r) {
        for (uint32_t c = 0; c < cols; ++c) {
            size_t tile = static_cast<size_t>(r / 32) * (cols / 32) + c / 32;
            uint32_t face = ((r % 32) / 16) * 2 + (c % 32) / 16;
            out[tile * 1024 + face * 256 + (r % 16) * 16 + (c % 16)] = in[static_cast<size_t>(r) * cols + c];
        }
    }
    return out;
}
template <typename T>
std::vector<T> untilize_nfaces(const std::vector<T>& in, uint32_t rows, uint32_t cols) {
    std::vector<T> out(in.size());
    for (uint32_t r = 0; r < rows; ++r) {
        for (uint32_t c = 0; c < cols; ++c) {
            size_t tile = static_cast<size_t>(r / 32) * (cols / 32) + c / 32;
            uint32_t face = ((r % 32) / 16) * 2 + (c % 32) / 16;
            out[static_cast<size_t>(r) * cols + c] = in[tile * 1024 + face * 256 + (r % 16) * 16 + (c % 16)];
        }
    }
    return out;
}
