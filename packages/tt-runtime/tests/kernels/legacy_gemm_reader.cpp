// The GEMM reader in the older spelling: dataflow_api.h, InterleavedAddrGenFast, noc_async_read_tile.
#include <cstdint>

#include "dataflow_api.h"

void kernel_main() {
    uint32_t A_addr = get_arg_val<uint32_t>(0);
    uint32_t B_addr = get_arg_val<uint32_t>(1);
    uint32_t block_start = get_arg_val<uint32_t>(2);
    uint32_t block_count = get_arg_val<uint32_t>(3);
    uint32_t Kt = get_arg_val<uint32_t>(4);
    uint32_t Nt = get_arg_val<uint32_t>(5);
    const InterleavedAddrGenFast<true> a = {.bank_base_address = A_addr, .page_size = 2048, .data_format = 5};
    const InterleavedAddrGenFast<true> b = {.bank_base_address = B_addr, .page_size = 2048, .data_format = 5};
    for (uint32_t blk = block_start; blk < block_start + block_count; ++blk) {
        uint32_t bx = blk % Nt, by = blk / Nt;
        for (uint32_t k = 0; k < Kt; ++k) {
            cb_reserve_back(0, 1);
            noc_async_read_tile(by * Kt + k, a, get_write_ptr(0));
            noc_async_read_barrier();
            cb_push_back(0, 1);
            cb_reserve_back(1, 1);
            noc_async_read_tile(k * Nt + bx, b, get_write_ptr(1));
            noc_async_read_barrier();
            cb_push_back(1, 1);
        }
    }
}
