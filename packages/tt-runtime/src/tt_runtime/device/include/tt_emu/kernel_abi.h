// tt_emu/kernel_abi.h -- the boundary between a JIT-compiled kernel and the emulator library.
//
// Owns: the declarations of every emulator entry point that the kernel API headers
// (api/dataflow/..., api/compute/..., api/tensor/...) forward to, plus the small macros
// those headers share (FORCE_INLINE, ALWI, tt_l1_ptr).
// Does not own: the TT-Metalium names themselves (they live in the api/ headers, with the
// SDK's spelling) nor any state (all state lives in libtt_metal_emu.so).
// Called from: the kernel's own thread (reader, compute or writer of one emulated core);
// each function finds "its" core and kernel through a thread-local context.
#pragma once

#include <cstddef>
#include <cstdint>

#ifndef FORCE_INLINE
#define FORCE_INLINE inline __attribute__((always_inline))
#endif
#ifndef ALWI
#define ALWI inline __attribute__((always_inline))
#endif
#ifndef tt_l1_ptr
#define tt_l1_ptr
#endif
#ifndef tt_reg_ptr
#define tt_reg_ptr
#endif

namespace tt_emu::k {

// ---- kernel arguments ----
uint32_t arg(int idx);
uint32_t common_arg(int idx);
uint32_t arg_addr(int idx);
uint32_t common_arg_addr(int idx);
uint8_t noc();
uint32_t my_x(uint8_t noc);
uint32_t my_y(uint8_t noc);
uint32_t logical_x();
uint32_t logical_y();
uint32_t num_dram_banks();
void abort_check();

// ---- circular buffers ----
void cb_reserve_back(uint32_t cb, uint32_t n);
void cb_push_back(uint32_t cb, uint32_t n);
void cb_wait_front(uint32_t cb, uint32_t n);
void cb_pop_front(uint32_t cb, uint32_t n);
bool cb_pages_reservable_at_back(uint32_t cb, uint32_t n);
bool cb_pages_available_at_front(uint32_t cb, uint32_t n);
uint32_t get_write_ptr(uint32_t cb);
uint32_t get_read_ptr(uint32_t cb);
uint32_t get_tile_size(uint32_t cb);
uint32_t get_dataformat(uint32_t cb);

// ---- NoC ----
uint64_t noc_xy_addr(uint32_t x, uint32_t y, uint64_t addr);
uint64_t noc_local_addr(uint64_t addr);
uint64_t noc_mcast_addr(uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1, uint64_t addr);
uint64_t dram_bank_noc_addr(uint32_t bank, uint64_t offset);
void noc_read(uint64_t src, uint32_t dst_l1, uint32_t size);
void noc_write(uint32_t src_l1, uint64_t dst, uint32_t size);
void noc_write_mcast(uint32_t src_l1, uint64_t dst_mcast, uint32_t size, uint32_t num_dests, bool loopback);
void noc_inline_write(uint64_t dst, uint32_t value);
void noc_barrier(const char* which);
uint32_t get_semaphore(uint32_t id);
void sem_wait(volatile uint32_t* sem, uint32_t val, bool at_least);
void sem_set(volatile uint32_t* sem, uint32_t val);
void sem_inc(uint64_t dst, uint32_t incr);
void sem_set_remote(uint32_t src_l1, uint64_t dst);
void sem_set_mcast(uint32_t src_l1, uint64_t dst_mcast, uint32_t num_dests, bool loopback);

// ---- compute (one thread runs unpack, math and pack) ----
enum class Binop : uint8_t { Add, Sub, Mul, Div, Rsub, Max, Min };
enum class Unop : uint8_t {
#define TT_EMU_UNOP(name, counter, init, expr) name,
#include "tt_emu/unops.h"
#undef TT_EMU_UNOP
};
void hw_startup(uint32_t icb0, uint32_t icb1, uint32_t ocb);
void op_init(const char* what, uint32_t icb0, uint32_t icb1, uint32_t transpose);
// The data formats the unpackers ('A', 'B', or both: 0) and the packer are set up for: those of
// these CBs (compute_kernel_hw_startup sets all three).
void reconfig_unpack(char which, uint32_t cb_a, uint32_t cb_b);
void reconfig_pack(uint32_t cb);
void pack_l1_acc(uint32_t enable);  // pack_reconfig_l1_acc
void tile_regs_acquire();
void tile_regs_commit();
void tile_regs_wait();
void tile_regs_release();
void acquire_dst();  // older combined form: math and pack both allowed until release_dst
void release_dst();
void matmul_tiles(uint32_t in0, uint32_t in1, uint32_t t0, uint32_t t1, uint32_t idst, uint32_t transpose);
void matmul_block(uint32_t in0, uint32_t in1, uint32_t t0, uint32_t t1, uint32_t idst, uint32_t transpose,
                  uint32_t ct_dim, uint32_t rt_dim, uint32_t kt_dim);
void binary_tiles(Binop op, uint32_t in0, uint32_t in1, uint32_t t0, uint32_t t1, uint32_t idst, bool acc_to_dest);
void copy_tile(uint32_t cb, uint32_t itile, uint32_t idst);
// dim (api/compute/bcast.h BroadcastType): 0 NONE, 1 ROW (B's row 0 down every row),
// 2 COL (B's column 0 across every column), 3 SCALAR (B[0][0] everywhere). op: Add/Sub/Mul.
void bcast_tiles(Binop op, uint32_t dim, uint32_t in0, uint32_t in1, uint32_t t0, uint32_t t1, uint32_t idst,
                 uint32_t bcast_row_idx);
// transpose_tile(cb, itile, idst): DST[idst][r][c] = tile[c][r]
void transpose_tile(uint32_t cb, uint32_t itile, uint32_t idst);
// unary_bcast<dim>(cb, itile, idst): DST[idst] = the tile broadcast (dim as above; 0 NONE copies)
void unary_bcast(uint32_t dim, uint32_t cb, uint32_t itile, uint32_t idst);
const char* unary_bcast_init_name(uint32_t dim);  // "unary_bcast_cols_init", ...
void pack_tile(uint32_t idst, uint32_t cb, uint32_t out_index, bool out_of_order);
void unary_tile(Unop op, uint32_t idst, uint32_t param);
// typecast_tile<IN, OUT>(idst): tt::DataFormat codes; float -> Int32/UInt32/Int8/UInt8 truncates
// toward zero (saturating), the reverse converts; Float32 <-> Float16_b rounds to the output format.
void typecast_tile(uint32_t in_fmt, uint32_t out_fmt, uint32_t idst);
void binary_dst(Binop op, uint32_t idst0, uint32_t idst1, uint32_t odst);
// where_tile: DST[odst] = DST[itrue] where DST[icond] != 0, else DST[ifalse]
void where_dst(uint32_t icond, uint32_t itrue, uint32_t ifalse, uint32_t odst);
// pool: 0 SUM, 1 AVG, 2 MAX; dim: 0 REDUCE_ROW, 1 REDUCE_COL, 2 REDUCE_SCALAR (api/compute/reduce.h)
void reduce_tile(uint32_t pool, uint32_t dim, uint32_t icb, uint32_t icb_scaler, uint32_t itile,
                 uint32_t itile_scaler, uint32_t idst);

}  // namespace tt_emu::k
