// Tile reductions with a host-given scaler tile (compute): per step of 8 tiles of A (and 8
// scaler tiles of B), tiles 0-1 SUM REDUCE_ROW, 2-3 MAX REDUCE_ROW (from -inf), 4-5 SUM
// REDUCE_COL, 6 SUM REDUCE_SCALAR, 7 MAX REDUCE_COL; each into its own DST tile.
#include <cstdint>

#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/eltwise_unary/fill.h"
#include "api/compute/reduce.h"

constexpr uint32_t cb_a = 0;
constexpr uint32_t cb_s = 1;
constexpr uint32_t cb_out = 16;

void kernel_main() {
    uint32_t count = get_arg_val<uint32_t>(0);
    compute_kernel_hw_startup(cb_a, cb_s, cb_out);
    for (uint32_t t = 0; t < count; t += 8) {
        cb_wait_front(cb_a, 8);
        cb_wait_front(cb_s, 8);
        tile_regs_acquire();
        fill_tile_init();
        fill_tile_bitcast(2, 0xFF800000u);
        fill_tile(3, -3.0e38f);
        fill_tile_bitcast(7, 0xFF800000u);
        reduce_init<PoolType::SUM, ReduceDim::REDUCE_ROW>(cb_a, cb_s, cb_out);
        reduce_tile<PoolType::SUM, ReduceDim::REDUCE_ROW>(cb_a, cb_s, 0, 0, 0);
        reduce_tile<PoolType::SUM, ReduceDim::REDUCE_ROW>(cb_a, cb_s, 1, 1, 1);
        reduce_init<PoolType::MAX, ReduceDim::REDUCE_ROW>(cb_a, cb_s, cb_out);
        reduce_block<PoolType::MAX, ReduceDim::REDUCE_ROW>(cb_a, cb_s, 2, 2, 2, 2);
        reduce_init<PoolType::SUM, ReduceDim::REDUCE_COL>(cb_a, cb_s, cb_out);
        reduce_tile<PoolType::SUM, ReduceDim::REDUCE_COL>(cb_a, cb_s, 4, 4, 4);
        reduce_tile<PoolType::SUM, ReduceDim::REDUCE_COL>(cb_a, cb_s, 5, 5, 5);
        reduce_init<PoolType::SUM, ReduceDim::REDUCE_SCALAR>(cb_a, cb_s, cb_out);
        reduce_tile<PoolType::SUM, ReduceDim::REDUCE_SCALAR>(cb_a, cb_s, 6, 6, 6);
        reduce_init<PoolType::MAX, ReduceDim::REDUCE_COL>(cb_a, cb_s, cb_out);
        reduce_tile<PoolType::MAX, ReduceDim::REDUCE_COL>(cb_a, cb_s, 7, 7, 7);
        tile_regs_commit();
        cb_reserve_back(cb_out, 8);
        tile_regs_wait();
        for (uint32_t i = 0; i < 8; ++i) pack_tile(i, cb_out);
        tile_regs_release();
        cb_push_back(cb_out, 8);
        reduce_uninit(cb_a);
        cb_pop_front(cb_a, 8);
        cb_pop_front(cb_s, 8);
    }
}
