// host.h -- the emulator's program description (internal to libtt_metal_emu.so).
//
// Owns: ProgramImpl, what the host API calls record (CBs with their L1 placement per core,
// kernels with configs and per-core runtime args, semaphores), and the entry points that
// turn it into a run: jit_load (jit.cpp) and run_program (launch.cpp).
// Called from: the host thread.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <tt-metalium/host_api.hpp>

#include "emu.h"

namespace tt_emu {

using XY = std::pair<uint32_t, uint32_t>;

struct CBSpec {
    std::vector<XY> cores;
    tt::tt_metal::CircularBufferConfig cfg{0};
    std::map<XY, uint32_t> offset;  // L1 offset of the region on each core
};

struct KernelSpec {
    std::string path;    // absolute path of the source (or a file written for CreateKernelFromString)
    std::string name;    // file name for messages
    std::vector<XY> cores;
    bool is_compute = false;
    tt::tt_metal::DataMovementConfig dm;
    tt::tt_metal::ComputeConfig cc;
    std::map<XY, std::vector<uint32_t>> args;
    std::vector<uint32_t> common_args;
};

struct SemSpec {
    std::vector<XY> cores;
    uint32_t initial = 0;
};

struct ProgramImpl {
    std::vector<CBSpec> cbs;
    std::vector<KernelSpec> kernels;
    std::vector<SemSpec> sems;
    std::map<XY, uint32_t> l1_top;  // next free L1 offset per core (CB allocator)
};

using KernelEntry = void (*)();
KernelEntry jit_load(const KernelSpec& k);             // compile (cached) and dlopen one kernel
void jit_prepare(const std::vector<KernelSpec>& ks);  // compile all of a program's kernels, two at a time
void run_program(ProgramImpl& p);
std::vector<XY> cores_of(const tt::tt_metal::CoreSpec& spec);
void check_l1_layout(const ProgramImpl& p, const char* call);

}  // namespace tt_emu
