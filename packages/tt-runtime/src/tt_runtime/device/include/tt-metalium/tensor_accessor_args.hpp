// tt-metalium/tensor_accessor_args.hpp -- host TensorAccessorArgs (tt-runtime emulator version of the TT-Metalium host API).
//
// Owns: TensorAccessorArgs(buffer).append_to(compile_args): for an interleaved buffer, two words: ArgsConfig (IsDram = 2) and the aligned page size.
// Called from: the host program (main.cpp), on the host thread.
#pragma once

#include <cstdint>
#include <vector>

#include <tt-metalium/distributed.hpp>

namespace tt::tt_metal {
class TensorAccessorArgs {
public:
    TensorAccessorArgs() = default;
    explicit TensorAccessorArgs(const distributed::MeshBuffer& buffer);
    explicit TensorAccessorArgs(const std::shared_ptr<distributed::MeshBuffer>& buffer) : TensorAccessorArgs(*buffer) {}
    void append_to(std::vector<uint32_t>& compile_time_args) const {
        compile_time_args.push_back(config_);
        compile_time_args.push_back(aligned_page_size_);
    }
    std::vector<uint32_t> get_compile_time_args() const { return {config_, aligned_page_size_}; }

private:
    uint32_t config_ = 0;
    uint32_t aligned_page_size_ = 0;
};
}  // namespace tt::tt_metal
