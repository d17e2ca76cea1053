// C = A + B, 8 tiles per step (compute).
#include <cstdint>

#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/eltwise_binary.h"

constexpr uint32_t cb_a = 0;
constexpr uint32_t cb_b = 1;
constexpr uint32_t cb_out = 16;

void kernel_main() {
    uint32_t count = get_arg_val<uint32_t>(0);
    compute_kernel_hw_startup(cb_a, cb_b, cb_out);
    add_init(cb_a, cb_b);
    for (uint32_t t = 0; t < count; t += 8) {
        cb_wait_front(cb_a, 8);
        cb_wait_front(cb_b, 8);
        tile_regs_acquire();
        for (uint32_t i = 0; i < 8; ++i) add_tiles(cb_a, cb_b, i, i, i);
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
