// Reads `count` tiles of A, one page at a time, into cb_in (reader, RISCV_1 / NOC_1).
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

constexpr uint32_t cb_in = 0;

void kernel_main() {
    uint32_t A_addr = get_arg_val<uint32_t>(0);
    uint32_t start = get_arg_val<uint32_t>(1);
    uint32_t count = get_arg_val<uint32_t>(2);
    constexpr auto A_acc_args = TensorAccessorArgs<0>();
    const auto A_acc = TensorAccessor(A_acc_args, A_addr, 2048);
    for (uint32_t t = 0; t < count; ++t) {
        cb_reserve_back(cb_in, 1);
        uint32_t l1 = get_write_ptr(cb_in);
        noc_async_read_page(start + t, A_acc, l1);
        noc_async_read_barrier();
        cb_push_back(cb_in, 1);
    }
}
