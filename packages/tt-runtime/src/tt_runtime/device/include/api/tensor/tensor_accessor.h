// api/tensor/tensor_accessor.h -- TensorAccessor for interleaved tensors (emulator version).
//
// Owns: page id -> NoC address for an interleaved buffer: page i lives in DRAM bank
// i % NUM_BANKS at bank offset base + (i / NUM_BANKS) * aligned_page_size (+ offset).
// Does not own: sharded layouts; L1-interleaved buffers (the emulator's allocator only
// places buffers in DRAM).
// Called from: reader/writer kernels, on their own thread.
#pragma once

#include <cstdint>

#include "api/tensor/tensor_accessor_args.h"
#include "tt_emu/kernel_abi.h"

template <typename Args>
struct TensorAccessor {
    uint32_t bank_base_address = 0;
    uint32_t page_size = 0;
    uint32_t num_banks = 0;

    TensorAccessor() = default;
    TensorAccessor(const Args&, uint32_t base, uint32_t page_size_in = 0)
        : bank_base_address(base),
          page_size(page_size_in ? page_size_in : Args::aligned_page_size),
          num_banks(tt_emu::k::num_dram_banks()) {}

    uint64_t get_noc_addr(uint32_t page_id, uint32_t offset = 0, uint8_t noc = 0) const {
        (void)noc;
        uint32_t bank = page_id % num_banks;
        uint64_t bank_offset = static_cast<uint64_t>(bank_base_address) +
                               static_cast<uint64_t>(page_id / num_banks) * Args::aligned_page_size + offset;
        return tt_emu::k::dram_bank_noc_addr(bank, bank_offset);
    }
    uint32_t get_aligned_page_size() const { return Args::aligned_page_size; }
    uint32_t get_bank_base_address() const { return bank_base_address; }
    uint32_t get_page_size() const { return page_size; }
};

template <typename Args>
TensorAccessor(const Args&, uint32_t, uint32_t) -> TensorAccessor<Args>;
template <typename Args>
TensorAccessor(const Args&, uint32_t) -> TensorAccessor<Args>;
