// Column 0 of the row reads each tile of A and multicasts it to the other three cores of its
// row (the canonical ready/valid semaphore handshake); every core then pushes it to cb_in.
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

constexpr uint32_t cb_in = 0;

void kernel_main() {
    uint32_t A_addr = get_arg_val<uint32_t>(0);
    uint32_t count = get_arg_val<uint32_t>(2);
    constexpr auto A_acc_args = TensorAccessorArgs<0>();
    const auto A_acc = TensorAccessor(A_acc_args, A_addr, 2048);
    uint32_t x0 = my_x[noc_index] - get_absolute_logical_x();  // NoC x of logical column 0
    uint32_t y = my_y[noc_index];
    // a multicast starts at the corner its NoC leaves from: NOC_1 runs toward smaller x
    uint32_t xs = noc_index == 1 ? x0 + 3 : x0 + 1, xe = noc_index == 1 ? x0 + 1 : x0 + 3;
    bool sender = get_absolute_logical_x() == 0;
    volatile tt_l1_ptr uint32_t* ready = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_semaphore(0));
    volatile tt_l1_ptr uint32_t* valid = reinterpret_cast<volatile tt_l1_ptr uint32_t*>(get_semaphore(1));
    for (uint32_t t = 0; t < count; ++t) {
        cb_reserve_back(cb_in, 1);
        uint32_t l1 = get_write_ptr(cb_in);
        if (sender) {
            noc_async_read_page(t, A_acc, l1);
            noc_async_read_barrier();
            noc_semaphore_wait(ready, 3);
            noc_semaphore_set(ready, 0);
            noc_async_write_multicast(l1, get_noc_multicast_addr(xs, y, xe, y, l1), 2048, 3);
            noc_async_writes_flushed();  // the data must leave before the flag: NoC order is not guaranteed
            noc_semaphore_set(valid, VALID);
            noc_semaphore_set_multicast(get_semaphore(1), get_noc_multicast_addr(xs, y, xe, y, get_semaphore(1)), 3);
            noc_async_write_barrier();
        } else {
            noc_semaphore_set(valid, INVALID);
            noc_semaphore_inc(get_noc_addr(x0, y, get_semaphore(0)), 1);
            noc_semaphore_wait(valid, VALID);
        }
        cb_push_back(cb_in, 1);
    }
}
