// tt-metalium/host_api.hpp -- program building (tt-runtime emulator version of the TT-Metalium host API).
//
// Owns: CreateKernel(FromString), CreateCircularBuffer, UpdateCircularBufferTotalSize/PageSize, CreateSemaphore, SetRuntimeArgs (all SDK overloads used by generated code), SetCommonRuntimeArgs, GetRuntimeArgs.
// Called from: the host program (main.cpp), on the host thread.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <variant>
#include <vector>

#include <tt-metalium/base_types.hpp>
#include <tt-metalium/buffer_types.hpp>
#include <tt-metalium/circular_buffer_config.hpp>
#include <tt-metalium/circular_buffer_constants.h>
#include <tt-metalium/constants.hpp>
#include <tt-metalium/core_coord.hpp>
#include <tt-metalium/data_types.hpp>
#include <tt-metalium/kernel_types.hpp>
#include <tt-metalium/program.hpp>
#include <tt-metalium/tt_backend_api_types.hpp>

namespace tt::tt_metal {
using CoreSpec = std::variant<CoreCoord, CoreRange, CoreRangeSet>;
using KernelConfig = std::variant<DataMovementConfig, ComputeConfig>;
enum class CoreType { WORKER, ETH, PCIE, DRAM };

KernelHandle CreateKernel(Program& program, const std::string& file_name, const CoreSpec& core_spec,
                          const KernelConfig& config);
KernelHandle CreateKernelFromString(Program& program, const std::string& kernel_src_code, const CoreSpec& core_spec,
                                    const KernelConfig& config);
CBHandle CreateCircularBuffer(Program& program, const CoreSpec& core_spec, const CircularBufferConfig& config);
void UpdateCircularBufferTotalSize(Program& program, CBHandle cb_handle, uint32_t total_size);
void UpdateCircularBufferPageSize(Program& program, CBHandle cb_handle, uint8_t buffer_index, uint32_t page_size);
uint32_t CreateSemaphore(Program& program, const CoreSpec& core_spec, uint32_t initial_value,
                         CoreType core_type = CoreType::WORKER);
void SetRuntimeArgs(const Program& program, KernelHandle kernel, const CoreSpec& core_spec,
                    const std::vector<uint32_t>& runtime_args);
void SetRuntimeArgs(const Program& program, KernelHandle kernel, const CoreSpec& core_spec,
                    std::initializer_list<uint32_t> runtime_args);
void SetRuntimeArgs(const Program& program, KernelHandle kernel, const std::vector<CoreCoord>& core_spec,
                    const std::vector<std::vector<uint32_t>>& runtime_args);
void SetCommonRuntimeArgs(const Program& program, KernelHandle kernel, const std::vector<uint32_t>& runtime_args);
std::vector<uint32_t>& GetRuntimeArgs(const Program& program, KernelHandle kernel, const CoreCoord& core);
std::vector<uint32_t>& GetCommonRuntimeArgs(const Program& program, KernelHandle kernel);
}  // namespace tt::tt_metal
