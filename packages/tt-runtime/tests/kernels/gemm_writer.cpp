// Hand-written GEMM writer in the shape tt-codegen emits (writer, RISCV_0 / NOC_0).
#include <cstdint>

#include "api/dataflow/dataflow_api.h"

constexpr uint32_t cb_C_local = 16;

void kernel_main() {
    uint32_t C_addr = get_arg_val<uint32_t>(0);
    uint32_t block_start = get_arg_val<uint32_t>(1);
    uint32_t block_count = get_arg_val<uint32_t>(2);
    uint32_t Nt = get_arg_val<uint32_t>(3);
    uint32_t bMt = get_arg_val<uint32_t>(4);
    uint32_t bNt = get_arg_val<uint32_t>(5);
    constexpr auto C_acc_args = TensorAccessorArgs<0>();
    const auto C_acc = TensorAccessor(C_acc_args, C_addr, 2048);
    uint32_t gx = Nt / bNt;
    for (uint32_t b = 0; b < block_count; ++b) {
        uint32_t bx = (block_start + b) % gx;
        uint32_t by = (block_start + b) / gx;
        // gemm.py:15  T.copy(C_local, C[by * block_M, bx * block_N])
        cb_wait_front(cb_C_local, bMt * bNt);
        uint32_t C_local_l1 = get_read_ptr(cb_C_local);
        for (uint32_t i = 0; i < bMt; ++i) {
            for (uint32_t j = 0; j < bNt; ++j) {
                noc_async_write_page((by * bMt + i) * Nt + bx * bNt + j, C_acc, C_local_l1 + (i * bNt + j) * 2048);
            }
        }
        noc_async_write_barrier();
        cb_pop_front(cb_C_local, bMt * bNt);
    }
}
