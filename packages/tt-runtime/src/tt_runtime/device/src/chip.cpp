// chip.cpp -- arch parameters, memory of the emulated chip, NoC address decoding.
//
// Owns: ArchDesc from the environment (TT_EMU_ARCH / TT_EMU_ARCH_DESC, written by tt_runtime
// from tt_ir.get_arch), the L1 pool (one MAP_32BIT mapping, a 2 MiB slot per core, so that a
// 32-bit L1 address is a valid host pointer), the DRAM banks (lazily backed MAP_NORESERVE
// mappings), decode_noc(), which turns a 64-bit NoC address into DRAM or L1 bytes and
// faults on anything outside a buffer, and reset_chip_for_run() (a warm host process between
// two runs: the used L1 zeroed, DRAM buffers and counters dropped).
// Does not own: CB state (sched.cpp), the host allocator calls (host_api.cpp).
// Called from: the host thread (setup) and kernel threads (decode_noc, local_l1).
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "emu.h"

namespace tt_emu {

namespace {

ArchDesc arch_from_env() {
    ArchDesc a;
    const char* name = std::getenv("TT_EMU_ARCH");
    if (name && std::string(name) == "blackhole") {
        a.name = "blackhole";
        a.grid_x = 13;
        a.grid_y = 10;
        a.l1_size = 1572864;
        a.num_dram_banks = 8;
        a.dram_bank_size = 4278190080ull;
        a.num_cbs = 64;
        a.noc_max_burst = 16384;
        a.dram_alignment = 64;
    }
    const char* desc = std::getenv("TT_EMU_ARCH_DESC");
    if (!desc) return a;
    std::stringstream ss(desc);
    std::string item;
    while (std::getline(ss, item, ',')) {
        size_t eq = item.find('=');
        if (eq == std::string::npos) continue;
        std::string k = item.substr(0, eq), v = item.substr(eq + 1);
        unsigned long long n = std::strtoull(v.c_str(), nullptr, 10);
        if (k == "name") a.name = v;
        else if (k == "grid_x") a.grid_x = n;
        else if (k == "grid_y") a.grid_y = n;
        else if (k == "l1_size") a.l1_size = n;
        else if (k == "l1_unreserved_base") a.l1_base = n;
        else if (k == "num_dram_banks") a.num_dram_banks = n;
        else if (k == "dram_bank_size") a.dram_bank_size = n;
        else if (k == "num_cbs") a.num_cbs = n;
        else if (k == "max_runtime_args") a.max_runtime_args = n;
        else if (k == "noc_max_burst") a.noc_max_burst = n;
        else if (k == "dram_alignment") a.dram_alignment = n;
        else if (k == "l1_alignment") a.l1_alignment = n;
        else if (k == "num_semaphores") a.num_semaphores = n;
    }
    return a;
}

Chip* make_chip() {
    auto* c = new Chip();
    c->a = arch_from_env();
    if (c->a.l1_size > kL1Slot) fatal("setup", "L1 size " + std::to_string(c->a.l1_size) + " exceeds the emulator's 2 MiB slot");
    size_t ncores = static_cast<size_t>(c->a.grid_x) * c->a.grid_y;
    void* p = mmap(nullptr, ncores * kL1Slot, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) fatal("setup", "cannot map " + std::to_string(ncores) + " L1 slots below 2 GiB (MAP_32BIT)");
    c->l1_pool = static_cast<uint8_t*>(p);
    // Transparent huge pages where the kernel allows them (advice only): a run writes tens of
    // MB of fresh emulated L1 and DRAM, and first-touch faults per 4 KiB page were a third of
    // a memory-bound run's time; one per 2 MiB costs far less.
    madvise(p, ncores * kL1Slot, MADV_HUGEPAGE);
    c->cores.resize(ncores);
    for (uint32_t y = 0; y < c->a.grid_y; ++y) {
        for (uint32_t x = 0; x < c->a.grid_x; ++x) {
            Core& core = c->core(x, y);
            core.x = x;
            core.y = y;
            core.l1 = c->l1_pool + (static_cast<size_t>(y) * c->a.grid_x + x) * kL1Slot;
        }
    }
    for (uint32_t b = 0; b < c->a.num_dram_banks; ++b) {
        void* d = mmap(nullptr, c->a.dram_bank_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (d == MAP_FAILED) fatal("setup", "cannot map DRAM bank " + std::to_string(b));
        madvise(d, c->a.dram_bank_size, MADV_HUGEPAGE);
        c->dram.push_back(static_cast<uint8_t*>(d));
    }
    return c;
}

std::string hex(uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

}  // namespace

namespace {
Chip* g_chip = nullptr;
}

Chip& chip() {
    static Chip* c = g_chip = make_chip();
    return *c;
}

void reset_chip_for_run() {
    Chip* c = g_chip;
    if (!c) return;  // no run has made the chip yet
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    for (Core& core : c->cores) {
        if (!core.counters.used) continue;
        // A fresh process starts with zeroed L1: clear what the CBs used (those pages stay
        // mapped) and hand the rest of the slot back, so a stray write anywhere reads as zero.
        size_t used = std::max<uint64_t>(core.counters.l1_high_water, c->a.l1_base);
        used = (used + page - 1) / page * page;
        std::memset(core.l1, 0, used);
        if (used < kL1Slot) madvise(core.l1 + used, kL1Slot - used, MADV_DONTNEED);
        core.counters = Counters{};
    }
    c->dram_buffers.clear();
    c->dram_top = 1u << 20;
}

const ArchDesc& arch() { return chip().a; }

Core* Chip::core_by_noc(uint32_t nx, uint32_t ny) {
    if (nx < kWorkerNocX0 || ny < kWorkerNocY0) return nullptr;
    uint32_t x = nx - kWorkerNocX0, y = ny - kWorkerNocY0;
    if (x >= a.grid_x || y >= a.grid_y) return nullptr;
    return &core(x, y);
}

Core* Chip::core_of_l1_addr(uint64_t addr) {
    uint64_t base = reinterpret_cast<uintptr_t>(l1_pool);
    if (addr < base || addr >= base + cores.size() * kL1Slot) return nullptr;
    return &cores[(addr - base) / kL1Slot];
}

uint32_t tile_bytes(uint32_t fmt) {
    switch (fmt) {
        case F32: case I32: case U32: return 4096;
        case I8: case U8: return 1024;
        case BFP8: return 1088;
        case BFP4: return 576;
        default: return 2048;
    }
}

const char* fmt_name(uint32_t fmt) {
    switch (fmt) {
        case F32: return "Float32";
        case F16: return "Float16";
        case BF16: return "Float16_b";
        case BFP8: return "Bfp8_b";
        case BFP4: return "Bfp4_b";
        case I32: return "Int32";
        case I8: return "Int8";
        case U8: return "UInt8";
        case U16: return "UInt16";
        case U32: return "UInt32";
        default: return "Invalid";
    }
}

uint8_t* local_l1(uint32_t addr, uint32_t size, const char* call) {
    KernelCtx& k = ctx();
    uint64_t base = reinterpret_cast<uintptr_t>(k.core->l1);
    if (addr < base || static_cast<uint64_t>(addr) + size > base + arch().l1_size) {
        Core* other = chip().core_of_l1_addr(addr);
        std::string whose = other ? " (that address is in core " + other->name() + "'s L1)" : "";
        fault(std::string(call) + ": local L1 address " + hex(addr) + " + " + std::to_string(size) +
              " bytes is outside this core's L1 [" + hex(base) + ", " + hex(base + arch().l1_size) + ")" + whose);
    }
    return reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(addr));
}

NocTarget decode_noc(uint64_t noc_addr, uint32_t size, const char* call) {
    Chip& c = chip();
    NocTarget t;
    uint32_t nx = (noc_addr >> 36) & 0x3f, ny = (noc_addr >> 42) & 0x3f;
    uint64_t local = noc_addr & ((1ull << 36) - 1);
    if (nx == kDramNocX && ny < c.a.num_dram_banks) {
        t.dram = true;
        t.bank = ny;
        t.offset = local;
        for (const DramBuffer& b : c.dram_buffers) {
            if (local < b.addr || local + size > b.addr + b.bank_bytes) continue;
            uint64_t slot = (local - b.addr) / b.aligned_page;
            uint64_t page = slot * c.a.num_dram_banks + ny;
            uint64_t in_page = (local - b.addr) % b.aligned_page;
            if (page >= b.num_pages || in_page + size > b.aligned_page) break;
            t.ptr = c.dram[ny] + local;
            return t;
        }
        fault(std::string(call) + ": NoC access to DRAM bank " + std::to_string(ny) + " address " + hex(local) + " (" +
              std::to_string(size) + " bytes) is outside every DRAM buffer");
    }
    Core* core = c.core_by_noc(nx, ny);
    if (!core) {
        fault(std::string(call) + ": NoC address " + hex(noc_addr) + " names NoC node (" + std::to_string(nx) + "," +
              std::to_string(ny) + "), which is neither a DRAM bank nor a worker core");
    }
    // L1 addresses are host pointers into the *issuing* (or any) core's slot: keep the offset.
    uint64_t off = local;
    Core* owner = c.core_of_l1_addr(local);
    if (owner) off = local - reinterpret_cast<uintptr_t>(owner->l1);
    if (!owner || off + size > c.a.l1_size) {
        fault(std::string(call) + ": NoC access to core " + core->name() + " L1 address " + hex(local) + " (" +
              std::to_string(size) + " bytes) is outside L1 (" + std::to_string(c.a.l1_size) + " bytes)");
    }
    t.core = core;
    t.offset = off;
    t.ptr = core->l1 + off;
    return t;
}

}  // namespace tt_emu
