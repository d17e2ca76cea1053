// launch.cpp -- running one program on the emulated chip.
//
// Owns: run_program, in numbered steps: (1) set up the cores of the program (CB rings, shared
// counters, semaphores; L1 high-water mark), (2) build and load the kernels, (3) create one
// context per (kernel, core), (4) start them as fibers on the worker threads (sched.cpp; live
// count set first, so no kernel can see a partial world), (5) join all, each kernel having
// caught its own failure into the scheduler's single fault slot (the first wins), (6) report the first fault with core
// and kernel, else check that every pushed page was consumed, (7) reset for the next program.
// Also the crash handler: a kernel that dereferences a bad pointer is reported with its core
// and kernel.
// Does not own: the protocol (kernel_api.cpp, compute.cpp), the scheduler and its fibers (sched.cpp).
// Called from: the host thread (EnqueueMeshWorkload).
#include <chrono>
#include <csignal>
#include <cstring>
#include <map>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "host.h"

namespace tt_emu {

namespace {

char g_report_path[4096];

void crash_handler(int sig) {
    char buf[1024];
    KernelCtx* k = current_ctx();
    const char* name = sigabbrev_np(sig);
    int n;
    if (k) {
        n = std::snprintf(buf, sizeof(buf), "crash: SIG%s in core (%u,%u) %s (a bad pointer or L1 address in the kernel?)",
                          name ? name : "?", k->core->x, k->core->y, k->kernel.c_str());
    } else {
        n = std::snprintf(buf, sizeof(buf), "crash: SIG%s on the host thread", name ? name : "?");
    }
    ssize_t ignored = write(2, buf, n);
    ignored = write(2, "\n", 1);
    (void)ignored;
    if (g_report_path[0]) {
        FILE* f = std::fopen(g_report_path, "w");
        if (f) {
            std::fprintf(f, "{\"status\": \"error\", \"kind\": \"crash\", \"message\": \"%s\"}\n", buf);
            std::fclose(f);
        }
    }
    _exit(5);
}

void install_crash_handler() {
    const char* p = std::getenv("TT_EMU_REPORT");
    std::snprintf(g_report_path, sizeof(g_report_path), "%s", p ? p : "");
    struct sigaction sa{};
    sa.sa_handler = crash_handler;
    sa.sa_flags = SA_ONSTACK;  // the worker's signal stack: a kernel's overflowed stack cannot run it
    sigaction(SIGSEGV, &sa, nullptr);
    sigaction(SIGBUS, &sa, nullptr);
    sigaction(SIGFPE, &sa, nullptr);
    sigaction(SIGILL, &sa, nullptr);
}

// A kernel's fiber body: kernel_main, then the checks of a clean exit. Every failure is caught
// here into the scheduler's fault slot; sched.cpp marks the kernel finished.
void kernel_body(KernelCtx* k) {
    Sched& s = sched();
    try {
        k->entry();
        noc_drain(*k);  // transfers still in flight land after the kernel returns, as on silicon
        if (k->is_compute && k->dst->state != Dst::Released) {
            static const char* states[] = {"released", "acquired", "committed", "waited"};
            fault(std::string("kernel returned with DST ") + states[static_cast<int>(k->dst->state)] +
                  " (every tile_regs_acquire needs its tile_regs_commit, tile_regs_wait and tile_regs_release)");
        }
        for (uint32_t cb = 0; cb < kMaxCBs; ++cb) {
            if (k->local[cb].reserved) {
                fault("kernel returned with " + std::to_string(k->local[cb].reserved) + " pages of cb " + std::to_string(cb) +
                      " reserved and never pushed (cb_reserve_back without cb_push_back)");
            }
        }
    } catch (const Fault& f) {
        std::lock_guard<std::mutex> lk(s.mu);
        record_fault_locked("protocol", f.what());
    } catch (const Abort&) {
    } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lk(s.mu);
        record_fault_locked("protocol", k->where() + ": " + e.what());
    }
}

std::string unconsumed_report(const ProgramImpl& p) {
    // Group cores with the same leftover story.
    std::map<std::string, std::vector<std::string>> groups;
    std::vector<std::string> order;
    Chip& c = chip();
    for (Core& core : c.cores) {
        if (core.kernels.empty()) continue;
        for (uint32_t cb = 0; cb < kMaxCBs; ++cb) {
            if (!core.cb[cb].used) continue;
            uint32_t left = static_cast<uint16_t>(core.cbs[cb].received - core.cbs[cb].acked);
            if (left == 0) continue;
            std::string story = "cb " + std::to_string(cb) + ": " + std::to_string(left) + " pages pushed (received " +
                                std::to_string(core.cbs[cb].received) + ", acked " + std::to_string(core.cbs[cb].acked) +
                                ") that nobody consumed";
            if (!groups.count(story)) order.push_back(story);
            groups[story].push_back(core.name());
        }
    }
    (void)p;
    if (order.empty()) return "";
    std::ostringstream o;
    o << "program ended with pages pushed that nobody consumed (cb_push_back without a matching cb_pop_front)";
    for (const std::string& story : order) {
        const auto& cores = groups[story];
        o << "\n  " << (cores.size() == 1 ? "core " : std::to_string(cores.size()) + " cores ");
        for (size_t i = 0; i < cores.size() && i < 8; ++i) o << (i ? " " : "") << cores[i];
        if (cores.size() > 8) o << " ...";
        o << ": " << story;
    }
    return o.str();
}

// TT_EMU_WATCHDOG: seconds without any API call from any running kernel before the run is
// stopped (default 10; 0 turns the watchdog off).
double watchdog_seconds() {
    const char* v = std::getenv("TT_EMU_WATCHDOG");
    if (v == nullptr || *v == '\0') return 10.0;
    char* end = nullptr;
    double s = std::strtod(v, &end);
    if (end == v || *end != '\0' || s < 0) fatal("protocol", std::string("TT_EMU_WATCHDOG=") + v + ": expected seconds >= 0");
    return s;
}

void watch(const std::vector<std::unique_ptr<KernelCtx>>& ctxs) {
    const double limit = watchdog_seconds();
    if (limit <= 0) return;
    Sched& s = sched();
    auto total = [&] {
        uint64_t n = 0;
        for (const auto& k : ctxs) n += k->calls.load(std::memory_order_relaxed);
        return n;
    };
    uint64_t seen = total();
    auto since = std::chrono::steady_clock::now();
    for (;;) {
        {  // wakes as soon as the last kernel ends (not at the next 20 ms tick)
            std::unique_lock<std::mutex> lk(s.mu);
            if (s.all_done.wait_for(lk, std::chrono::milliseconds(20), [&] { return s.live == 0; })) return;
        }
        uint64_t now = total();
        if (now != seen) {
            seen = now;
            since = std::chrono::steady_clock::now();
            continue;
        }
        double idle = std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
        if (idle < limit) continue;
        std::ostringstream o;
        o << "watchdog: no kernel made an API call for " << limit << " s (TT_EMU_WATCHDOG); still running:";
        std::lock_guard<std::mutex> lk(s.mu);
        int n = 0;
        for (const auto& k : ctxs) {
            if (k->finished || k->waiting || k->queued) continue;  // only the kernel on a worker can spin
            if (n++ < 8) o << "\n  " << k->where() << ", last API call " << k->last_call.load() << " (call "
                           << k->calls.load() << ")";
        }
        if (n > 8) o << "\n  ... " << n - 8 << " more";
        o << "\n  a kernel that spins on L1 by hand never yields: wait with cb_wait_front / noc_semaphore_wait instead";
        fatal("watchdog", o.str());  // the spinning threads cannot be joined: the process ends here
    }
}

}  // namespace

void run_program(ProgramImpl& p) {
    Chip& c = chip();
    Sched& s = sched();
    install_crash_handler();
    noc_mode();  // reads and checks TT_EMU_NOC on the host thread, before any kernel runs

    // 1. Cores: CB rings and counters, semaphores.
    for (Core& core : c.cores) {
        for (uint32_t i = 0; i < kMaxCBs; ++i) {
            core.cb[i] = CBConfig{};
            core.cbs[i] = CBShared{};
        }
        core.kernels.clear();
        core.inbound_writes = 0;
        core.num_sems = 0;
        core.sem_offset = arch().l1_base - arch().num_semaphores * 16;
    }
    for (const CBSpec& cb : p.cbs) {
        for (const auto& xy : cb.cores) {
            Core& core = c.core(xy.first, xy.second);
            uint32_t off = cb.offset.at(xy);
            for (const auto& [idx, fmt] : cb.cfg.data_formats()) {
                CBConfig& cfg = core.cb[idx];
                if (cfg.used) {
                    fatal("protocol", "CreateCircularBuffer: CB " + std::to_string(idx) + " is created twice on core " +
                                          core.name() + " (its L1 regions overlap)");
                }
                cfg.used = true;
                cfg.offset = off;
                cfg.size = cb.cfg.total_size();
                cfg.page_size = cb.cfg.page_sizes().at(idx);
                cfg.num_pages = cfg.size / cfg.page_size;
                cfg.fmt = static_cast<uint32_t>(fmt);
                core.counters.l1_high_water = std::max<uint64_t>(core.counters.l1_high_water, off + cfg.size);
            }
        }
    }
    for (size_t id = 0; id < p.sems.size(); ++id) {
        for (const auto& xy : p.sems[id].cores) {
            Core& core = c.core(xy.first, xy.second);
            core.num_sems = std::max<uint32_t>(core.num_sems, id + 1);
            uint32_t v = p.sems[id].initial;
            std::memcpy(core.l1 + core.sem_offset + id * 16, &v, 4);
        }
    }

    // 2. Kernels: build (cached) and load.
    jit_prepare(p.kernels);
    std::vector<KernelEntry> entries;
    for (const KernelSpec& k : p.kernels) entries.push_back(jit_load(k));

    // 3. One context per (kernel, core).
    std::vector<std::unique_ptr<KernelCtx>> ctxs;
    for (size_t i = 0; i < p.kernels.size(); ++i) {
        const KernelSpec& ks = p.kernels[i];
        for (const auto& xy : ks.cores) {
            auto k = std::make_unique<KernelCtx>();
            Core& core = c.core(xy.first, xy.second);
            k->entry = entries[i];
            k->core = &core;
            k->kernel = ks.name;
            k->is_compute = ks.is_compute;
            k->role = ks.is_compute ? "compute"
                                    : (ks.dm.processor == tt::tt_metal::DataMovementProcessor::RISCV_0 ? "brisc" : "ncrisc");
            k->noc = ks.is_compute ? 0 : static_cast<uint8_t>(ks.dm.noc);
            auto a = ks.args.find(xy);
            if (a != ks.args.end()) k->args = a->second;
            k->common_args = ks.common_args;
            for (uint32_t cb = 0; cb < kMaxCBs; ++cb) k->local[cb].wr_off = k->local[cb].rd_off = core.cb[cb].offset;
            if (ks.is_compute) {
                k->dst = std::make_unique<Dst>();
                bool fp32 = ks.cc.fp32_dest_acc_en, full = ks.cc.dst_full_sync_en;
                k->dst->capacity = (full ? 16 : 8) / (fp32 ? 2 : 1);
                k->dst->fp32 = fp32;
                k->dst->capacity_why = std::string(fp32 ? "fp32" : "16-bit") + " DST, " + (full ? "full" : "half") + " sync";
            }
            core.kernels.push_back(k.get());
            core.counters.used = true;
            ctxs.push_back(std::move(k));
        }
    }

    // 4. Start every kernel; the live count is set before the first one runs.
    {
        std::lock_guard<std::mutex> lk(s.mu);
        s.live = static_cast<int>(ctxs.size());
        s.blocked = 0;
        s.aborting.store(false);
        s.fault_kind.clear();
        s.fault_message.clear();
        s.all.clear();
        for (auto& k : ctxs) s.all.push_back(k.get());
    }
    start_fibers(s.all, kernel_body);

    // 5. Join, watching for progress: a kernel that spins without calling the API (polling L1
    // by hand, an endless loop) would otherwise hang the run.
    watch(ctxs);
    join_fibers();

    for (auto& k : ctxs) k->core->counters.merge(k->counters);

    // 6. Report.
    if (!s.fault_kind.empty()) fatal(s.fault_kind, s.fault_message);
    std::string left = unconsumed_report(p);
    if (!left.empty()) fatal("protocol", left);

    // 7. Reset.
    for (Core& core : c.cores) core.kernels.clear();
    s.all.clear();
    write_report("ok", "", "");
}

}  // namespace tt_emu
