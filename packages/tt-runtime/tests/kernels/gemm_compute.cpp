// Hand-written GEMM compute kernel in the shape tt-codegen emits (compute).
// Compile-time args: bMt, bNt, bKt, k_blocks. Runtime args: block_count.
#include <cstdint>

#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/matmul.h"

constexpr uint32_t cb_A_shared = 0;
constexpr uint32_t cb_B_shared = 1;
constexpr uint32_t cb_C_local = 16;

void kernel_main() {
    constexpr uint32_t bMt = get_compile_time_arg_val(0);
    constexpr uint32_t bNt = get_compile_time_arg_val(1);
    constexpr uint32_t bKt = get_compile_time_arg_val(2);
    constexpr uint32_t k_blocks = get_compile_time_arg_val(3);
    uint32_t block_count = get_arg_val<uint32_t>(0);
    compute_kernel_hw_startup(cb_A_shared, cb_B_shared, cb_C_local);
    matmul_init(cb_A_shared, cb_B_shared, 0);
    for (uint32_t b = 0; b < block_count; ++b) {
        tile_regs_acquire();
        for (uint32_t k = 0; k < k_blocks; ++k) {
            // gemm.py:14  T.gemm(A_shared, B_shared, C_local)
            cb_wait_front(cb_A_shared, bMt * bKt);
            cb_wait_front(cb_B_shared, bKt * bNt);
            for (uint32_t i = 0; i < bMt; ++i) {
                for (uint32_t j = 0; j < bNt; ++j) {
                    for (uint32_t kk = 0; kk < bKt; ++kk) {
                        matmul_tiles(cb_A_shared, cb_B_shared, i * bKt + kk, kk * bNt + j, i * bNt + j);
                    }
                }
            }
            cb_pop_front(cb_A_shared, bMt * bKt);
            cb_pop_front(cb_B_shared, bKt * bNt);
        }
        tile_regs_commit();
        cb_reserve_back(cb_C_local, bMt * bNt);
        tile_regs_wait();
        for (uint32_t t = 0; t < bMt * bNt; ++t) {
            pack_tile(t, cb_C_local);
        }
        tile_regs_release();
        cb_push_back(cb_C_local, bMt * bNt);
    }
}
