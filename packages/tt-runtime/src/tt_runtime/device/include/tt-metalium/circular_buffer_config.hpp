// tt-metalium/circular_buffer_config.hpp -- CB configuration (tt-runtime emulator version of the TT-Metalium host API).
//
// Owns: CircularBufferConfig(total_size, {{index, format}}) with set_page_size; several indices may share one config (one L1 region).
// Called from: the host program (main.cpp), on the host thread.
#pragma once

#include <cstdint>
#include <map>

#include <tt-metalium/circular_buffer_constants.h>
#include <tt-metalium/tt_backend_api_types.hpp>

namespace tt::tt_metal {
using CBHandle = uintptr_t;

class CircularBufferConfig {
public:
    CircularBufferConfig(uint32_t total_size) : total_size_(total_size) {}
    CircularBufferConfig(uint32_t total_size, const std::map<uint8_t, tt::DataFormat>& data_formats)
        : total_size_(total_size), formats_(data_formats) {}
    CircularBufferConfig& set_page_size(uint8_t buffer_index, uint32_t page_size) {
        page_sizes_[buffer_index] = page_size;
        return *this;
    }
    CircularBufferConfig& set_total_size(uint32_t total_size) {
        total_size_ = total_size;
        return *this;
    }
    CircularBufferConfig& set_data_format(uint8_t buffer_index, tt::DataFormat f) {
        formats_[buffer_index] = f;
        return *this;
    }
    uint32_t total_size() const { return total_size_; }
    const std::map<uint8_t, tt::DataFormat>& data_formats() const { return formats_; }
    const std::map<uint8_t, uint32_t>& page_sizes() const { return page_sizes_; }

private:
    uint32_t total_size_ = 0;
    std::map<uint8_t, tt::DataFormat> formats_;
    std::map<uint8_t, uint32_t> page_sizes_;
};
}  // namespace tt::tt_metal
