// Reads `count` tiles of A and B, 8 pages per step, into cb_a / cb_b (reader, RISCV_1 / NOC_1).
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

constexpr uint32_t cb_a = 0;
constexpr uint32_t cb_b = 1;

void kernel_main() {
    uint32_t A_addr = get_arg_val<uint32_t>(0);
    uint32_t B_addr = get_arg_val<uint32_t>(1);
    uint32_t start = get_arg_val<uint32_t>(2);
    uint32_t count = get_arg_val<uint32_t>(3);
    constexpr auto A_acc_args = TensorAccessorArgs<0>();
    const auto A_acc = TensorAccessor(A_acc_args, A_addr, 2048);
    constexpr auto B_acc_args = TensorAccessorArgs<2>();
    const auto B_acc = TensorAccessor(B_acc_args, B_addr, 2048);
    for (uint32_t t = 0; t < count; t += 8) {
        cb_reserve_back(cb_a, 8);
        uint32_t a_l1 = get_write_ptr(cb_a);
        for (uint32_t i = 0; i < 8; ++i) noc_async_read_page(start + t + i, A_acc, a_l1 + i * 2048);
        noc_async_read_barrier();
        cb_push_back(cb_a, 8);
        cb_reserve_back(cb_b, 8);
        uint32_t b_l1 = get_write_ptr(cb_b);
        for (uint32_t i = 0; i < 8; ++i) noc_async_read_page(start + t + i, B_acc, b_l1 + i * 2048);
        noc_async_read_barrier();
        cb_push_back(cb_b, 8);
    }
}
