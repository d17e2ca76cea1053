// Binary SFPU ops on DST tiles, 8 tiles per step (compute):
// C = min(max((A*B + A - B - B) / B, A), B), one tile at a time through DST slots 0..3.
#include <cstdint>

#include "api/compute/binary_max_min.h"
#include "api/compute/common.h"
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/eltwise_binary_sfpu.h"
#include "api/compute/tile_move_copy.h"

constexpr uint32_t cb_a = 0;
constexpr uint32_t cb_b = 1;
constexpr uint32_t cb_out = 16;

void kernel_main() {
    uint32_t count = get_arg_val<uint32_t>(0);
    compute_kernel_hw_startup(cb_a, cb_b, cb_out);
    for (uint32_t t = 0; t < count; t += 8) {
        cb_wait_front(cb_a, 8);
        cb_wait_front(cb_b, 8);
        cb_reserve_back(cb_out, 8);
        for (uint32_t i = 0; i < 8; ++i) {
            tile_regs_acquire();
            copy_init(cb_a);
            copy_tile(cb_a, i, 0);
            copy_init(cb_b);
            copy_tile(cb_b, i, 1);
            mul_binary_tile_init();
            mul_binary_tile(0, 1, 2);   // 2 = A*B
            add_binary_tile_init();
            add_binary_tile(2, 0, 2);   // 2 = A*B + A
            sub_binary_tile_init();
            sub_binary_tile(2, 1, 2);   // 2 = A*B + A - B
            rsub_binary_tile_init();
            rsub_binary_tile(1, 2, 2);  // 2 = DST2 - B
            div_binary_tile_init();
            div_binary_tile(2, 1, 2);   // 2 = DST2 / B
            binary_max_tile_init();
            binary_max_tile(2, 0, 2);   // 2 = max(DST2, A)
            binary_min_tile_init();
            binary_min_tile(2, 1, 3);   // 3 = min(DST2, B)
            tile_regs_commit();
            tile_regs_wait();
            pack_tile(3, cb_out);
            tile_regs_release();
        }
        cb_push_back(cb_out, 8);
        cb_pop_front(cb_a, 8);
        cb_pop_front(cb_b, 8);
    }
}
