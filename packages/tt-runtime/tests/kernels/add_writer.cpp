// Writes `count` tiles from cb_out to C, 8 pages per step (writer, RISCV_0 / NOC_0).
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

constexpr uint32_t cb_out = 16;

void kernel_main() {
    uint32_t C_addr = get_arg_val<uint32_t>(0);
    uint32_t start = get_arg_val<uint32_t>(1);
    uint32_t count = get_arg_val<uint32_t>(2);
    constexpr auto C_acc_args = TensorAccessorArgs<0>();
    const auto C_acc = TensorAccessor(C_acc_args, C_addr, 2048);
    for (uint32_t t = 0; t < count; t += 8) {
        cb_wait_front(cb_out, 8);
        uint32_t l1 = get_read_ptr(cb_out);
        for (uint32_t i = 0; i < 8; ++i) noc_async_write_page(start + t + i, C_acc, l1 + i * 2048);
        noc_async_write_barrier();
        cb_pop_front(cb_out, 8);
    }
}
