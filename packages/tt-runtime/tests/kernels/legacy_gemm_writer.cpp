// The GEMM writer in the older spelling: InterleavedAddrGenFast, noc_async_write_tile.
#include <cstdint>

#include "dataflow_api.h"

void kernel_main() {
    uint32_t C_addr = get_arg_val<uint32_t>(0);
    uint32_t block_start = get_arg_val<uint32_t>(1);
    uint32_t block_count = get_arg_val<uint32_t>(2);
    const InterleavedAddrGenFast<true> c = {.bank_base_address = C_addr, .page_size = 2048, .data_format = 5};
    for (uint32_t blk = block_start; blk < block_start + block_count; ++blk) {
        cb_wait_front(16, 1);
        noc_async_write_tile(blk, c, get_read_ptr(16));
        noc_async_write_barrier();
        cb_pop_front(16, 1);
    }
}
