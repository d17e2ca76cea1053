// host_api.cpp -- TT-Metalium host API names, recorded into ProgramImpl.
//
// Owns: CreateProgram, CreateKernel(FromString), CreateCircularBuffer (places each CB in L1
// at creation: a config's region starts at the highest free offset over its cores), the CB
// layout checks (regions overlapping, over L1), CreateSemaphore, SetRuntimeArgs (limit
// check), the mesh device, DRAM buffers (interleaved allocator, page i -> bank i % N) and
// EnqueueMeshWorkload (runs the program, launch.cpp).
// Does not own: running kernels (launch.cpp) or building them (jit.cpp).
// Called from: the host thread of main.cpp. Misuse exits through fatal() with a report.
#include <tt-metalium/distributed.hpp>
#include <tt-metalium/host_api.hpp>
#include <tt-metalium/tensor_accessor_args.hpp>

#include <cstring>
#include <fstream>
#include <sstream>

#include "host.h"

namespace tt::tt_metal {

Program::Program() : impl_(std::make_shared<tt_emu::ProgramImpl>()) {}
Program::~Program() = default;
Program CreateProgram() { return Program(); }

namespace {

std::string xy_str(const tt_emu::XY& c) { return "(" + std::to_string(c.first) + "," + std::to_string(c.second) + ")"; }

tt_emu::KernelSpec& kernel_of(const Program& p, KernelHandle h, const char* call) {
    auto& ks = p.impl().kernels;
    if (h >= ks.size()) tt_emu::fatal("protocol", std::string(call) + ": unknown kernel handle " + std::to_string(h));
    return ks[h];
}

KernelHandle add_kernel(Program& program, const std::string& path, const std::string& name, const CoreSpec& spec,
                        const KernelConfig& config) {
    tt_emu::KernelSpec k;
    k.path = path;
    k.name = name;
    k.cores = tt_emu::cores_of(spec);
    if (std::holds_alternative<ComputeConfig>(config)) {
        k.is_compute = true;
        k.cc = std::get<ComputeConfig>(config);
    } else {
        k.dm = std::get<DataMovementConfig>(config);
    }
    for (const auto& other : program.impl().kernels) {
        bool same_slot = other.is_compute == k.is_compute && (k.is_compute || other.dm.processor == k.dm.processor);
        if (!same_slot) continue;
        for (const auto& c : k.cores) {
            for (const auto& oc : other.cores) {
                if (c == oc) {
                    tt_emu::fatal("protocol", "CreateKernel: " + name + " and " + other.name + " both use the " +
                                                  (k.is_compute ? std::string("compute") : "same data-movement") +
                                                  " processor of core " + xy_str(c));
                }
            }
        }
    }
    program.impl().kernels.push_back(std::move(k));
    return static_cast<KernelHandle>(program.impl().kernels.size() - 1);
}

}  // namespace

KernelHandle CreateKernel(Program& program, const std::string& file_name, const CoreSpec& core_spec,
                          const KernelConfig& config) {
    std::ifstream in(file_name);
    if (!in) tt_emu::fatal("protocol", "CreateKernel: cannot open kernel source '" + file_name + "'");
    size_t slash = file_name.find_last_of('/');
    return add_kernel(program, file_name, slash == std::string::npos ? file_name : file_name.substr(slash + 1), core_spec,
                      config);
}

KernelHandle CreateKernelFromString(Program& program, const std::string& src, const CoreSpec& core_spec,
                                    const KernelConfig& config) {
    std::hash<std::string> h;
    std::string dir = "/tmp";
    if (const char* t = std::getenv("TMPDIR")) dir = t;
    std::string path = dir + "/tt_emu_kernel_" + std::to_string(h(src)) + ".cpp";
    std::ofstream(path) << src;
    return add_kernel(program, path, "kernel_from_string_" + std::to_string(program.impl().kernels.size()) + ".cpp",
                      core_spec, config);
}

CBHandle CreateCircularBuffer(Program& program, const CoreSpec& core_spec, const CircularBufferConfig& config) {
    tt_emu::ProgramImpl& p = program.impl();
    const tt_emu::ArchDesc& a = tt_emu::arch();
    tt_emu::CBSpec cb;
    cb.cores = tt_emu::cores_of(core_spec);
    cb.cfg = config;
    if (config.data_formats().empty()) tt_emu::fatal("protocol", "CreateCircularBuffer: the config names no CB index");
    for (const auto& [idx, fmt] : config.data_formats()) {
        if (idx >= a.num_cbs) {
            tt_emu::fatal("protocol", "CreateCircularBuffer: CB index " + std::to_string(idx) + " is out of range for " +
                                          a.name + " (0.." + std::to_string(a.num_cbs - 1) + ")");
        }
        auto ps = config.page_sizes().find(idx);
        if (ps == config.page_sizes().end() || ps->second == 0) {
            tt_emu::fatal("protocol", "CreateCircularBuffer: CB " + std::to_string(idx) + " has no page size (set_page_size)");
        }
        if (config.total_size() % ps->second != 0) {
            tt_emu::fatal("protocol", "CreateCircularBuffer: CB " + std::to_string(idx) + " total size " +
                                          std::to_string(config.total_size()) + " is not a multiple of its page size " +
                                          std::to_string(ps->second));
        }
    }
    uint32_t start = a.l1_base;
    for (const auto& c : cb.cores) {
        auto it = p.l1_top.find(c);
        if (it != p.l1_top.end() && it->second > start) start = it->second;
    }
    start = (start + a.l1_alignment - 1) / a.l1_alignment * a.l1_alignment;
    for (const auto& c : cb.cores) {
        cb.offset[c] = start;
        p.l1_top[c] = start + config.total_size();
    }
    p.cbs.push_back(std::move(cb));
    tt_emu::check_l1_layout(p, "CreateCircularBuffer");
    return static_cast<CBHandle>(p.cbs.size());  // 1-based: 0 is never a valid handle
}

void UpdateCircularBufferTotalSize(Program& program, CBHandle h, uint32_t total_size) {
    tt_emu::ProgramImpl& p = program.impl();
    if (h == 0 || h > p.cbs.size()) tt_emu::fatal("protocol", "UpdateCircularBufferTotalSize: unknown CB handle");
    p.cbs[h - 1].cfg.set_total_size(total_size);
    tt_emu::check_l1_layout(p, "UpdateCircularBufferTotalSize");
}

void UpdateCircularBufferPageSize(Program& program, CBHandle h, uint8_t idx, uint32_t page_size) {
    tt_emu::ProgramImpl& p = program.impl();
    if (h == 0 || h > p.cbs.size()) tt_emu::fatal("protocol", "UpdateCircularBufferPageSize: unknown CB handle");
    p.cbs[h - 1].cfg.set_page_size(idx, page_size);
}

uint32_t CreateSemaphore(Program& program, const CoreSpec& core_spec, uint32_t initial_value, CoreType) {
    tt_emu::ProgramImpl& p = program.impl();
    if (p.sems.size() >= tt_emu::arch().num_semaphores) {
        tt_emu::fatal("protocol", "CreateSemaphore: more than " + std::to_string(tt_emu::arch().num_semaphores) +
                                      " semaphores in one program");
    }
    p.sems.push_back({tt_emu::cores_of(core_spec), initial_value});
    return static_cast<uint32_t>(p.sems.size() - 1);
}

void SetRuntimeArgs(const Program& program, KernelHandle kernel, const CoreSpec& core_spec,
                    const std::vector<uint32_t>& runtime_args) {
    tt_emu::KernelSpec& k = kernel_of(program, kernel, "SetRuntimeArgs");
    uint32_t limit = tt_emu::arch().max_runtime_args;
    for (const auto& c : tt_emu::cores_of(core_spec)) {
        size_t total = runtime_args.size() + k.common_args.size();
        if (total > limit) {
            tt_emu::fatal("protocol", "SetRuntimeArgs: " + std::to_string(runtime_args.size()) + " runtime args (+ " +
                                          std::to_string(k.common_args.size()) + " common) for " + k.name + " on core " +
                                          xy_str(c) + " exceed the limit of " + std::to_string(limit) +
                                          " per kernel per core (max_runtime_args)");
        }
        bool placed = false;
        for (const auto& kc : k.cores) placed = placed || kc == c;
        if (!placed) {
            tt_emu::fatal("protocol", "SetRuntimeArgs: " + k.name + " was not created on core " + xy_str(c));
        }
        k.args[c] = runtime_args;
    }
}

void SetRuntimeArgs(const Program& program, KernelHandle kernel, const CoreSpec& core_spec,
                    std::initializer_list<uint32_t> runtime_args) {
    SetRuntimeArgs(program, kernel, core_spec, std::vector<uint32_t>(runtime_args));
}

void SetRuntimeArgs(const Program& program, KernelHandle kernel, const std::vector<CoreCoord>& cores,
                    const std::vector<std::vector<uint32_t>>& runtime_args) {
    if (cores.size() != runtime_args.size()) {
        tt_emu::fatal("protocol", "SetRuntimeArgs: " + std::to_string(cores.size()) + " cores but " +
                                      std::to_string(runtime_args.size()) + " argument lists");
    }
    for (size_t i = 0; i < cores.size(); ++i) SetRuntimeArgs(program, kernel, cores[i], runtime_args[i]);
}

void SetCommonRuntimeArgs(const Program& program, KernelHandle kernel, const std::vector<uint32_t>& runtime_args) {
    tt_emu::KernelSpec& k = kernel_of(program, kernel, "SetCommonRuntimeArgs");
    if (runtime_args.size() > tt_emu::arch().max_runtime_args) {
        tt_emu::fatal("protocol", "SetCommonRuntimeArgs: " + std::to_string(runtime_args.size()) + " args for " + k.name +
                                      " exceed the limit of " + std::to_string(tt_emu::arch().max_runtime_args));
    }
    k.common_args = runtime_args;
}

std::vector<uint32_t>& GetRuntimeArgs(const Program& program, KernelHandle kernel, const CoreCoord& core) {
    return kernel_of(program, kernel, "GetRuntimeArgs").args[{static_cast<uint32_t>(core.x), static_cast<uint32_t>(core.y)}];
}

std::vector<uint32_t>& GetCommonRuntimeArgs(const Program& program, KernelHandle kernel) {
    return kernel_of(program, kernel, "GetCommonRuntimeArgs").common_args;
}

TensorAccessorArgs::TensorAccessorArgs(const distributed::MeshBuffer& buffer) {
    const tt_emu::ArchDesc& a = tt_emu::arch();
    if (!buffer.is_dram()) tt_emu::fatal("protocol", "TensorAccessorArgs: only DRAM-interleaved buffers are emulated");
    config_ = 2;  // IsDram
    uint32_t align = a.dram_alignment;
    aligned_page_size_ = static_cast<uint32_t>((buffer.page_size() + align - 1) / align * align);
}

namespace distributed {

MeshDevice::MeshDevice() : cq_(this) {}

std::shared_ptr<MeshDevice> MeshDevice::create_unit_mesh(int device_id, size_t, size_t, size_t) {
    if (device_id != 0) tt_emu::fatal("setup", "the emulator has one device (id 0); asked for " + std::to_string(device_id));
    tt_emu::chip();
    return std::make_shared<MeshDevice>();
}

MeshCommandQueue& MeshDevice::mesh_command_queue(std::optional<uint8_t>) { return cq_; }
CoreCoord MeshDevice::compute_with_storage_grid_size() const { return {tt_emu::arch().grid_x, tt_emu::arch().grid_y}; }
CoreCoord MeshDevice::worker_core_from_logical_core(const CoreCoord& c) const {
    return {c.x + tt_emu::kWorkerNocX0, c.y + tt_emu::kWorkerNocY0};
}
uint32_t MeshDevice::num_dram_channels() const { return tt_emu::arch().num_dram_banks; }
uint32_t MeshDevice::l1_size_per_core() const { return tt_emu::arch().l1_size; }
bool MeshDevice::close() { return true; }

std::shared_ptr<MeshBuffer> MeshBuffer::create(const ReplicatedBufferConfig& global, const DeviceLocalBufferConfig& local,
                                               MeshDevice*, std::optional<DeviceAddr>) {
    tt_emu::Chip& c = tt_emu::chip();
    if (local.buffer_type != BufferType::DRAM) {
        tt_emu::fatal("protocol", "MeshBuffer::create: only DRAM buffers are emulated (L1 buffers are not)");
    }
    if (local.page_size == 0) tt_emu::fatal("protocol", "MeshBuffer::create: page_size is 0");
    auto b = std::make_shared<MeshBuffer>();
    tt_emu::DramBuffer d;
    d.page_size = static_cast<uint32_t>(local.page_size);
    d.aligned_page = (d.page_size + c.a.dram_alignment - 1) / c.a.dram_alignment * c.a.dram_alignment;
    d.size = global.size;
    d.num_pages = (global.size + d.page_size - 1) / d.page_size;
    d.bank_bytes = (d.num_pages + c.a.num_dram_banks - 1) / c.a.num_dram_banks * d.aligned_page;
    d.addr = c.dram_top;
    if (d.addr + d.bank_bytes > c.a.dram_bank_size) {
        tt_emu::fatal("protocol", "MeshBuffer::create: out of DRAM (" + std::to_string(global.size) + " bytes requested)");
    }
    c.dram_top = (d.addr + d.bank_bytes + 4095) / 4096 * 4096;
    // Filled before anything can read it, so that pages a kernel forgets to write are visible:
    // NaN bytes by default, seeded noise with TT_EMU_DRAM_FILL=<seed> (fill_dram_buffer).
    const char* fill = std::getenv("TT_EMU_DRAM_FILL");
    d.fill_pending = fill && *fill;
    c.dram_buffers.push_back(d);
    b->address_ = d.addr;
    b->size_ = global.size;
    b->page_size_ = local.page_size;
    b->type_ = local.buffer_type;
    return b;
}

namespace {
tt_emu::DramBuffer* dram_buffer_at(uint64_t addr) {
    for (tt_emu::DramBuffer& d : tt_emu::chip().dram_buffers) {
        if (d.addr == addr) return &d;
    }
    return nullptr;
}

template <typename F>
void for_each_page(const MeshBuffer& b, size_t n, const char* call, F&& f) {
    tt_emu::Chip& c = tt_emu::chip();
    if (n > b.size()) {
        tt_emu::fatal("protocol", std::string(call) + ": " + std::to_string(n) + " bytes do not fit the buffer (" +
                                      std::to_string(b.size()) + " bytes)");
    }
    uint32_t ps = static_cast<uint32_t>(b.page_size());
    uint32_t aligned = (ps + c.a.dram_alignment - 1) / c.a.dram_alignment * c.a.dram_alignment;
    for (size_t off = 0, page = 0; off < n; off += ps, ++page) {
        uint32_t bank = page % c.a.num_dram_banks;
        uint8_t* dram = c.dram[bank] + b.address() + (page / c.a.num_dram_banks) * aligned;
        f(dram, off, std::min<size_t>(ps, n - off));
    }
}
}  // namespace

void MeshBuffer::write_bytes(const void* src, size_t n) const {
    if (tt_emu::DramBuffer* d = dram_buffer_at(address())) {
        if (n >= d->size) d->fill_pending = false;  // every page is written: nothing to show
        tt_emu::fill_dram_buffer(*d);
    }
    for_each_page(*this, n, "EnqueueWriteMeshBuffer", [&](uint8_t* dram, size_t off, size_t len) {
        std::memcpy(dram, static_cast<const uint8_t*>(src) + off, len);
    });
}

void MeshBuffer::read_bytes(void* dst, size_t n) const {
    if (tt_emu::DramBuffer* d = dram_buffer_at(address())) tt_emu::fill_dram_buffer(*d);
    for_each_page(*this, n, "EnqueueReadMeshBuffer", [&](uint8_t* dram, size_t off, size_t len) {
        std::memcpy(static_cast<uint8_t*>(dst) + off, dram, len);
    });
}

void EnqueueMeshWorkload(MeshCommandQueue&, MeshWorkload& workload, bool) {
    tt_emu::fill_pending_dram_buffers();
    for (Program& p : workload.programs()) tt_emu::run_program(p.impl());
}

void Finish(MeshCommandQueue&) {}

}  // namespace distributed
}  // namespace tt::tt_metal

namespace tt_emu {

void fill_dram_buffer(DramBuffer& d) {
    if (!d.fill_pending) return;
    d.fill_pending = false;
    Chip& c = chip();
    const char* fill = std::getenv("TT_EMU_DRAM_FILL");
    if (!fill || !*fill) return;
    bool nan = std::string(fill) == "nan";
    // each buffer starts the sequence anew, so the fill does not depend on the order of fills
    uint64_t state = nan ? 0 : std::strtoull(fill, nullptr, 10) * 6364136223846793005ull + 1442695040888963407ull;
    for (uint32_t bank = 0; bank < c.a.num_dram_banks; ++bank) {
        uint8_t* p = c.dram[bank] + d.addr;
        if (nan) {
            std::memset(p, 0xff, d.bank_bytes);
            continue;
        }
        for (uint64_t i = 0; i < d.bank_bytes; ++i) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            p[i] = static_cast<uint8_t>(state >> 56);
        }
    }
}

void fill_pending_dram_buffers() {
    for (DramBuffer& d : chip().dram_buffers) fill_dram_buffer(d);
}

std::vector<XY> cores_of(const tt::tt_metal::CoreSpec& spec) {
    std::vector<XY> out;
    auto add = [&](const CoreRange& r) {
        for (const CoreCoord& c : r.cores()) {
            if (c.x >= arch().grid_x || c.y >= arch().grid_y) {
                fatal("protocol", "core (" + std::to_string(c.x) + "," + std::to_string(c.y) + ") is outside the " +
                                      arch().name + " grid (" + std::to_string(arch().grid_x) + "x" +
                                      std::to_string(arch().grid_y) + ")");
            }
            out.emplace_back(static_cast<uint32_t>(c.x), static_cast<uint32_t>(c.y));
        }
    };
    if (auto* c = std::get_if<CoreCoord>(&spec)) add(CoreRange(*c));
    else if (auto* r = std::get_if<CoreRange>(&spec)) add(*r);
    else
        for (const CoreRange& r : std::get<CoreRangeSet>(spec).ranges()) add(r);
    return out;
}

void check_l1_layout(const ProgramImpl& p, const char* call) {
    struct Region {
        uint32_t begin, end;
        std::string what;
    };
    std::map<XY, std::vector<Region>> per_core;
    for (const CBSpec& cb : p.cbs) {
        std::string what = "CB";
        for (const auto& [idx, fmt] : cb.cfg.data_formats()) what += " " + std::to_string(idx);
        for (const auto& c : cb.cores) {
            uint32_t off = cb.offset.at(c);
            per_core[c].push_back({off, off + cb.cfg.total_size(), what});
        }
    }
    for (const auto& [c, regions] : per_core) {
        for (size_t i = 0; i < regions.size(); ++i) {
            const Region& r = regions[i];
            if (r.end > arch().l1_size) {
                fatal("protocol", std::string(call) + ": " + r.what + " on core " + "(" + std::to_string(c.first) + "," +
                                      std::to_string(c.second) + ") occupies L1 [" + std::to_string(r.begin) + ", " +
                                      std::to_string(r.end) + "), beyond L1 (" + std::to_string(arch().l1_size) +
                                      " bytes; CBs start at " + std::to_string(arch().l1_base) + ")");
            }
            for (size_t j = 0; j < i; ++j) {
                const Region& o = regions[j];
                if (r.begin < o.end && o.begin < r.end) {
                    fatal("protocol", std::string(call) + ": " + r.what + " [" + std::to_string(r.begin) + ", " +
                                          std::to_string(r.end) + ") overlaps " + o.what + " [" + std::to_string(o.begin) +
                                          ", " + std::to_string(o.end) + ") in the L1 of core (" + std::to_string(c.first) +
                                          "," + std::to_string(c.second) + ")");
                }
            }
        }
    }
}

}  // namespace tt_emu
