// FPU broadcast ops (compute): per step of 8 tiles of A and B, C tile i = A tile i op B tile i
// with 0-1 sub COL, 2-3 mul COL, 4 add ROW, 5 mul ROW (bcast_row_idx 3), 6 add SCALAR,
// 7 sub SCALAR; each into its own DST tile.
#include <cstdint>

#include "api/compute/bcast.h"
#include "api/compute/compute_kernel_hw_startup.h"

constexpr uint32_t cb_a = 0;
constexpr uint32_t cb_b = 1;
constexpr uint32_t cb_out = 16;

void kernel_main() {
    uint32_t count = get_arg_val<uint32_t>(0);
    compute_kernel_hw_startup(cb_a, cb_b, cb_out);
    for (uint32_t t = 0; t < count; t += 8) {
        cb_wait_front(cb_a, 8);
        cb_wait_front(cb_b, 8);
        tile_regs_acquire();
        sub_bcast_cols_init(cb_a, cb_b);
        sub_tiles_bcast_cols(cb_a, cb_b, 0, 0, 0);
        sub_tiles_bcast<BroadcastType::COL>(cb_a, cb_b, 1, 1, 1);
        mul_bcast_cols_init(cb_a, cb_b);
        for (uint32_t i = 2; i < 4; ++i) mul_tiles_bcast_cols(cb_a, cb_b, i, i, i);
        add_bcast_rows_init(cb_a, cb_b);
        add_tiles_bcast_rows(cb_a, cb_b, 4, 4, 4);
        mul_bcast_rows_init(cb_a, cb_b);
        mul_tiles_bcast_rows(cb_a, cb_b, 5, 5, 5, 3);
        add_bcast_scalar_init(cb_a, cb_b);
        add_tiles_bcast_scalar(cb_a, cb_b, 6, 6, 6);
        sub_bcast_scalar_init(cb_a, cb_b);
        sub_tiles_bcast_scalar(cb_a, cb_b, 7, 7, 7);
        tile_regs_commit();
        cb_reserve_back(cb_out, 8);
        tile_regs_wait();
        for (uint32_t i = 0; i < 8; ++i) pack_tile(i, cb_out);
        tile_regs_release();
        cb_push_back(cb_out, 8);
        cb_pop_front(cb_a, 8);
        cb_pop_front(cb_b, 8);
    }
}
