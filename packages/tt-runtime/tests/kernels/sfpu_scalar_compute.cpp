// DST tile op scalar (binop_with_scalar, unary_max/min), one tile at a time (compute).
#include <cstdint>

#include "api/compute/common.h"
#include "api/compute/compute_kernel_api.h"
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/eltwise_unary/binop_with_scalar.h"
#include "api/compute/tile_move_copy.h"

constexpr uint32_t cb_in = 0;
constexpr uint32_t cb_out = 16;

void kernel_main() {
    uint32_t count = get_arg_val<uint32_t>(0);
    compute_kernel_hw_startup(cb_in, cb_in, cb_out);
    for (uint32_t t = 0; t < count; ++t) {
        cb_wait_front(cb_in, 1);
        tile_regs_acquire();
        copy_init(cb_in);
        copy_tile(cb_in, 0, 0);
        binop_with_scalar_tile_init();
        add_unary_tile(0, 0x3fc00000u);   // + 1.5
        mul_unary_tile(0, 0xc0000000u);   // * -2
        sub_unary_tile(0, 0x3e800000u);   // - 0.25
        rsub_unary_tile(0, 0x3f800000u);  // 1 - x
        div_unary_tile(0, 0x40800000u);   // / 4
        unary_max_tile_init();
        unary_max_tile(0, 0xbf000000u);   // max(x, -0.5)
        unary_min_tile_init();
        unary_min_tile(0, 0x3fa00000u);   // min(x, 1.25)
        tile_regs_commit();
        cb_reserve_back(cb_out, 1);
        tile_regs_wait();
        pack_tile(0, cb_out);
        tile_regs_release();
        cb_push_back(cb_out, 1);
        cb_pop_front(cb_in, 1);
    }
}
