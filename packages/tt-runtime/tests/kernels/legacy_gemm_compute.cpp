// The GEMM compute kernel in the older spelling: compute_kernel_api/ headers, mm_init,
// 6-argument matmul_tiles, acquire_dst/release_dst, namespace NAMESPACE { void MAIN }.
#include <cstdint>

#include "compute_kernel_api/matmul.h"
#include "compute_kernel_api/tile_move_copy.h"

namespace NAMESPACE {
void MAIN {
    uint32_t block_count = get_arg_val<uint32_t>(0);
    constexpr uint32_t Kt = get_compile_time_arg_val(3);
    mm_init(0, 1, 16);
    for (uint32_t b = 0; b < block_count; ++b) {
        acquire_dst();
        for (uint32_t k = 0; k < Kt; ++k) {
            cb_wait_front(0, 1);
            cb_wait_front(1, 1);
            matmul_tiles(0, 1, 0, 0, 0, false);
            cb_pop_front(0, 1);
            cb_pop_front(1, 1);
        }
        cb_reserve_back(16, 1);
        pack_tile(0, 16);
        cb_push_back(16, 1);
        release_dst();
    }
}
}  // namespace NAMESPACE
