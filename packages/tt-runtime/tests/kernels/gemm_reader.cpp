// Hand-written GEMM reader in the shape tt-codegen emits (reader, RISCV_1 / NOC_1).
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

constexpr uint32_t cb_A_shared = 0;
constexpr uint32_t cb_B_shared = 1;

void kernel_main() {
    uint32_t A_addr = get_arg_val<uint32_t>(0);
    uint32_t B_addr = get_arg_val<uint32_t>(1);
    uint32_t block_start = get_arg_val<uint32_t>(2);
    uint32_t block_count = get_arg_val<uint32_t>(3);
    uint32_t Kt = get_arg_val<uint32_t>(4);
    uint32_t Nt = get_arg_val<uint32_t>(5);
    uint32_t bMt = get_arg_val<uint32_t>(6);
    uint32_t bNt = get_arg_val<uint32_t>(7);
    uint32_t bKt = get_arg_val<uint32_t>(8);
    constexpr auto A_acc_args = TensorAccessorArgs<0>();
    const auto A_acc = TensorAccessor(A_acc_args, A_addr, 2048);
    constexpr auto B_acc_args = TensorAccessorArgs<2>();
    const auto B_acc = TensorAccessor(B_acc_args, B_addr, 2048);
    uint32_t gx = Nt / bNt;
    for (uint32_t b = 0; b < block_count; ++b) {
        uint32_t bx = (block_start + b) % gx;
        uint32_t by = (block_start + b) / gx;
        for (uint32_t k = 0; k < Kt / bKt; ++k) {
            // gemm.py:12  T.copy(A[by * block_M, k * block_K], A_shared)
            cb_reserve_back(cb_A_shared, bMt * bKt);
            uint32_t A_shared_l1 = get_write_ptr(cb_A_shared);
            for (uint32_t i = 0; i < bMt; ++i) {
                for (uint32_t j = 0; j < bKt; ++j) {
                    noc_async_read_page((by * bMt + i) * Kt + k * bKt + j, A_acc, A_shared_l1 + (i * bKt + j) * 2048);
                }
            }
            noc_async_read_barrier();
            cb_push_back(cb_A_shared, bMt * bKt);
            // gemm.py:13  T.copy(B[k * block_K, bx * block_N], B_shared)
            cb_reserve_back(cb_B_shared, bKt * bNt);
            uint32_t B_shared_l1 = get_write_ptr(cb_B_shared);
            for (uint32_t i = 0; i < bKt; ++i) {
                for (uint32_t j = 0; j < bNt; ++j) {
                    noc_async_read_page((k * bKt + i) * Nt + bx * bNt + j, B_acc, B_shared_l1 + (i * bNt + j) * 2048);
                }
            }
            noc_async_read_barrier();
            cb_push_back(cb_B_shared, bKt * bNt);
        }
    }
}
