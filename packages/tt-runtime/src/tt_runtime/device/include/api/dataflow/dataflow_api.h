// api/dataflow/dataflow_api.h -- the data-movement kernel API (emulator version).
//
// Owns: TT-Metalium's dataflow names for reader/writer kernels: runtime args, CB calls,
// NoC reads/writes (page helpers, deprecated tile helpers), barriers, semaphores,
// multicast, core coordinates, InterleavedAddrGen(Fast); it pulls in TensorAccessor.
// Does not own: the semantics -- every call forwards to libtt_metal_emu.so (tt_emu::k),
// which checks the protocol and moves bytes.
// Called from: a reader or writer kernel on its own thread.
#pragma once

#include <cstdint>

#include "api/compile_time_args.h"
#include "api/debug/dprint.h"
#include "api/tensor/tensor_accessor.h"
#include "tt_emu/kernel_abi.h"
#include "tt_emu/kernel_args.h"

#ifndef NOC_MAX_BURST_SIZE
#define NOC_MAX_BURST_SIZE 8192
#endif
#ifndef NUM_DRAM_BANKS
#define NUM_DRAM_BANKS (::tt_emu::k::num_dram_banks())
#endif

#define noc_index (::tt_emu::k::noc())

constexpr uint32_t VALID = 1;
constexpr uint32_t INVALID = 0;

namespace tt_emu::k {
struct MyCoord {
    bool x_axis;
    uint32_t operator[](uint8_t n) const { return x_axis ? tt_emu::k::my_x(n) : tt_emu::k::my_y(n); }
};
}  // namespace tt_emu::k
inline constexpr tt_emu::k::MyCoord my_x{true};
inline constexpr tt_emu::k::MyCoord my_y{false};

// ---- circular buffers ----
FORCE_INLINE void cb_reserve_back(int32_t operand, int32_t num_pages) { tt_emu::k::cb_reserve_back(operand, num_pages); }
FORCE_INLINE void cb_push_back(int32_t operand, int32_t num_pages) { tt_emu::k::cb_push_back(operand, num_pages); }
FORCE_INLINE void cb_wait_front(int32_t operand, int32_t num_pages) { tt_emu::k::cb_wait_front(operand, num_pages); }
FORCE_INLINE void cb_pop_front(int32_t operand, int32_t num_pages) { tt_emu::k::cb_pop_front(operand, num_pages); }
FORCE_INLINE bool cb_pages_reservable_at_back(int32_t operand, int32_t num_pages) {
    return tt_emu::k::cb_pages_reservable_at_back(operand, num_pages);
}
FORCE_INLINE bool cb_pages_available_at_front(int32_t operand, int32_t num_pages) {
    return tt_emu::k::cb_pages_available_at_front(operand, num_pages);
}
FORCE_INLINE uint32_t get_write_ptr(uint32_t operand) { return tt_emu::k::get_write_ptr(operand); }
FORCE_INLINE uint32_t get_read_ptr(uint32_t operand) { return tt_emu::k::get_read_ptr(operand); }
FORCE_INLINE uint32_t get_tile_size(uint32_t operand) { return tt_emu::k::get_tile_size(operand); }
FORCE_INLINE uint32_t get_tile_hw(uint32_t) { return 1024; }
FORCE_INLINE uint32_t get_tile_num_faces(uint32_t) { return 4; }
FORCE_INLINE uint32_t get_dataformat(uint32_t operand) { return tt_emu::k::get_dataformat(operand); }

// ---- NoC addresses ----
FORCE_INLINE uint64_t get_noc_addr(uint32_t noc_x, uint32_t noc_y, uint32_t addr, uint8_t noc = noc_index) {
    (void)noc;
    return tt_emu::k::noc_xy_addr(noc_x, noc_y, addr);
}
FORCE_INLINE uint64_t get_noc_addr(uint32_t addr, uint8_t noc = noc_index) {
    (void)noc;
    return tt_emu::k::noc_local_addr(addr);
}
template <typename AddrGen>
FORCE_INLINE uint64_t get_noc_addr(uint32_t id, const AddrGen& addrgen, uint32_t offset = 0, uint8_t noc = noc_index) {
    return addrgen.get_noc_addr(id, offset, noc);
}
FORCE_INLINE uint64_t get_noc_multicast_addr(uint32_t noc_x_start, uint32_t noc_y_start, uint32_t noc_x_end,
                                             uint32_t noc_y_end, uint32_t addr, uint8_t noc = noc_index) {
    (void)noc;
    return tt_emu::k::noc_mcast_addr(noc_x_start, noc_y_start, noc_x_end, noc_y_end, addr);
}
template <bool DRAM>
FORCE_INLINE uint64_t get_noc_addr_from_bank_id(uint32_t bank_id, uint32_t bank_address_offset, uint8_t noc = noc_index) {
    (void)noc;
    static_assert(DRAM, "tt-runtime emulator: L1 banks are not emulated");
    return tt_emu::k::dram_bank_noc_addr(bank_id, bank_address_offset);
}

// ---- legacy address generators ----
namespace tt_emu::k {
constexpr uint32_t tile_size_of_format(uint32_t fmt) {
    switch (fmt) {
        case 0: case 8: case 24: return 4096;  // Float32, Int32, UInt32
        case 14: case 30: return 1024;         // Int8, UInt8
        case 6: return 1088;                   // Bfp8_b
        case 7: return 576;                    // Bfp4_b
        default: return 2048;                  // Float16, Float16_b, UInt16
    }
}
}  // namespace tt_emu::k

template <bool DRAM>
struct InterleavedAddrGen {
    uint32_t bank_base_address;
    uint32_t page_size;
    uint32_t aligned_page_size() const { return (page_size + 31u) & ~31u; }
    uint64_t get_noc_addr(uint32_t id, uint32_t offset = 0, uint8_t noc = 0) const {
        (void)noc;
        static_assert(DRAM, "tt-runtime emulator: L1-interleaved buffers are not emulated");
        uint32_t n = tt_emu::k::num_dram_banks();
        return tt_emu::k::dram_bank_noc_addr(
            id % n, static_cast<uint64_t>(bank_base_address) + static_cast<uint64_t>(id / n) * aligned_page_size() + offset);
    }
};
template <bool DRAM, uint32_t tile_hw = 1024>
struct InterleavedAddrGenFast {
    uint32_t bank_base_address;
    uint32_t page_size;
    uint32_t data_format;
    uint64_t get_noc_addr(uint32_t id, uint32_t offset = 0, uint8_t noc = 0) const {
        (void)noc;
        static_assert(DRAM, "tt-runtime emulator: L1-interleaved buffers are not emulated");
        uint32_t n = tt_emu::k::num_dram_banks();
        uint64_t stride = tt_emu::k::tile_size_of_format(static_cast<uint32_t>(data_format));
        return tt_emu::k::dram_bank_noc_addr(id % n, static_cast<uint64_t>(bank_base_address) + (id / n) * stride + offset);
    }
};
template <bool DRAM>
struct InterleavedPow2AddrGenFast {
    uint32_t bank_base_address;
    uint32_t log_base_2_of_page_size;
    uint64_t get_noc_addr(uint32_t id, uint32_t offset = 0, uint8_t noc = 0) const {
        (void)noc;
        uint32_t n = tt_emu::k::num_dram_banks();
        return tt_emu::k::dram_bank_noc_addr(
            id % n, static_cast<uint64_t>(bank_base_address) + (static_cast<uint64_t>(id / n) << log_base_2_of_page_size) + offset);
    }
};

namespace tt_emu::k {
template <typename G>
uint32_t page_size_of(const G& g) {
    if constexpr (requires { g.get_page_size(); }) {
        return g.get_page_size();
    } else if constexpr (requires { g.log_base_2_of_page_size; }) {
        return 1u << g.log_base_2_of_page_size;
    } else {
        return g.page_size;
    }
}
}  // namespace tt_emu::k

// ---- NoC transfers ----
template <uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1, bool enable_noc_tracing = true>
inline void noc_async_read(uint64_t src_noc_addr, uint32_t dst_local_l1_addr, uint32_t size, uint8_t noc = noc_index,
                           uint32_t vc = 0) {
    (void)noc, (void)vc;
    tt_emu::k::noc_read(src_noc_addr, dst_local_l1_addr, size);
}
inline void noc_async_read_one_packet(uint64_t src_noc_addr, uint32_t dst_local_l1_addr, uint32_t size,
                                      uint8_t noc = noc_index) {
    (void)noc;
    tt_emu::k::noc_read(src_noc_addr, dst_local_l1_addr, size);
}
template <uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1, bool enable_noc_tracing = true, bool posted = false>
inline void noc_async_write(uint32_t src_local_l1_addr, uint64_t dst_noc_addr, uint32_t size, uint8_t noc = noc_index,
                            uint32_t vc = 0) {
    (void)noc, (void)vc;
    tt_emu::k::noc_write(src_local_l1_addr, dst_noc_addr, size);
}
inline void noc_async_write_one_packet(uint32_t src_local_l1_addr, uint64_t dst_noc_addr, uint32_t size,
                                       uint8_t noc = noc_index) {
    (void)noc;
    tt_emu::k::noc_write(src_local_l1_addr, dst_noc_addr, size);
}
template <typename AddrGen, bool enable_noc_tracing = true>
FORCE_INLINE void noc_async_read_page(const uint32_t id, const AddrGen& addrgen, uint32_t dst_local_l1_addr,
                                      uint32_t offset = 0, uint8_t noc = noc_index) {
    tt_emu::k::noc_read(addrgen.get_noc_addr(id, offset, noc), dst_local_l1_addr, tt_emu::k::page_size_of(addrgen));
}
template <typename AddrGen, bool enable_noc_tracing = true, bool posted = false>
FORCE_INLINE void noc_async_write_page(const uint32_t id, const AddrGen& addrgen, uint32_t src_local_l1_addr,
                                       uint32_t size = 0, uint32_t offset = 0, uint8_t noc = noc_index) {
    uint32_t n = size ? size : tt_emu::k::page_size_of(addrgen);
    tt_emu::k::noc_write(src_local_l1_addr, addrgen.get_noc_addr(id, offset, noc), n);
}
template <typename AddrGen>
[[deprecated("Use noc_async_read_page instead.")]] FORCE_INLINE void noc_async_read_tile(
    const uint32_t id, const AddrGen& addrgen, uint32_t dst_local_l1_addr, uint32_t offset = 0, uint8_t noc = noc_index) {
    tt_emu::k::noc_read(addrgen.get_noc_addr(id, offset, noc), dst_local_l1_addr, tt_emu::k::page_size_of(addrgen));
}
template <typename AddrGen>
[[deprecated("Use noc_async_write_page instead.")]] FORCE_INLINE void noc_async_write_tile(
    const uint32_t id, const AddrGen& addrgen, uint32_t src_local_l1_addr, uint8_t noc = noc_index) {
    tt_emu::k::noc_write(src_local_l1_addr, addrgen.get_noc_addr(id, 0, noc), tt_emu::k::page_size_of(addrgen));
}
template <uint32_t max_page_size = NOC_MAX_BURST_SIZE + 1>
inline void noc_async_write_multicast(uint32_t src_local_l1_addr, uint64_t dst_noc_addr_multicast, uint32_t size,
                                      uint32_t num_dests, bool linked = false, uint8_t noc = noc_index, uint8_t vc = 0) {
    (void)linked, (void)noc, (void)vc;
    tt_emu::k::noc_write_mcast(src_local_l1_addr, dst_noc_addr_multicast, size, num_dests, false);
}
inline void noc_async_write_multicast_loopback_src(uint32_t src_local_l1_addr, uint64_t dst_noc_addr_multicast,
                                                   uint32_t size, uint32_t num_dests, bool linked = false,
                                                   uint8_t noc = noc_index) {
    (void)linked, (void)noc;
    tt_emu::k::noc_write_mcast(src_local_l1_addr, dst_noc_addr_multicast, size, num_dests, true);
}
inline void noc_inline_dw_write(uint64_t addr, uint32_t val, uint8_t be = 0xF, uint8_t noc = noc_index, uint8_t vc = 0) {
    (void)be, (void)noc, (void)vc;
    tt_emu::k::noc_inline_write(addr, val);
}

// ---- barriers (TT_EMU_NOC=strict: where queued transfers land; eager: they only count; see the runtime README) ----
inline void noc_async_read_barrier(uint8_t noc = noc_index) { (void)noc; tt_emu::k::noc_barrier("noc_async_read_barrier"); }
inline void noc_async_write_barrier(uint8_t noc = noc_index) { (void)noc; tt_emu::k::noc_barrier("noc_async_write_barrier"); }
inline void noc_async_writes_flushed(uint8_t noc = noc_index) { (void)noc; tt_emu::k::noc_barrier("noc_async_writes_flushed"); }
inline void noc_async_posted_writes_flushed(uint8_t noc = noc_index) { (void)noc; tt_emu::k::noc_barrier("noc_async_posted_writes_flushed"); }
inline void noc_async_atomic_barrier(uint8_t noc = noc_index) { (void)noc; tt_emu::k::noc_barrier("noc_async_atomic_barrier"); }
inline void noc_async_full_barrier(uint8_t noc = noc_index) { (void)noc; tt_emu::k::noc_barrier("noc_async_full_barrier"); }

// ---- semaphores ----
FORCE_INLINE uint32_t get_semaphore(uint32_t semaphore_id) { return tt_emu::k::get_semaphore(semaphore_id); }
inline void noc_semaphore_wait(volatile tt_l1_ptr uint32_t* sem_addr, uint32_t val) { tt_emu::k::sem_wait(sem_addr, val, false); }
inline void noc_semaphore_wait_min(volatile tt_l1_ptr uint32_t* sem_addr, uint32_t val) { tt_emu::k::sem_wait(sem_addr, val, true); }
inline void noc_semaphore_set(volatile tt_l1_ptr uint32_t* sem_addr, uint32_t val) { tt_emu::k::sem_set(sem_addr, val); }
template <bool posted = false>
FORCE_INLINE void noc_semaphore_inc(uint64_t addr, uint32_t incr, uint8_t noc_id = noc_index, uint8_t vc = 0) {
    (void)noc_id, (void)vc;
    tt_emu::k::sem_inc(addr, incr);
}
inline void noc_semaphore_set_remote(uint32_t src_local_l1_addr, uint64_t dst_noc_addr, uint8_t noc = noc_index) {
    (void)noc;
    tt_emu::k::sem_set_remote(src_local_l1_addr, dst_noc_addr);
}
inline void noc_semaphore_set_multicast(uint32_t src_local_l1_addr, uint64_t dst_noc_addr_multicast, uint32_t num_dests,
                                        bool linked = false, uint8_t noc = noc_index, uint8_t vc = 0) {
    (void)linked, (void)noc, (void)vc;
    tt_emu::k::sem_set_mcast(src_local_l1_addr, dst_noc_addr_multicast, num_dests, false);
}
inline void noc_semaphore_set_multicast_loopback_src(uint32_t src_local_l1_addr, uint64_t dst_noc_addr_multicast,
                                                     uint32_t num_dests, bool linked = false, uint8_t noc = noc_index) {
    (void)linked, (void)noc;
    tt_emu::k::sem_set_mcast(src_local_l1_addr, dst_noc_addr_multicast, num_dests, true);
}
