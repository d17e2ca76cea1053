// sched.cpp -- blocking, waking, deadlock detection and faults.
//
// Owns: the scheduler state machine. A kernel thread is RUNNING, WAITING (registered wait in
// its KernelCtx: CB reserve, CB front, semaphore == or >=) or FINISHED. Transitions, all
// under Sched::mu:
//   RUNNING -> WAITING   block_until_locked(): blocked++; if blocked == live -> deadlock.
//   WAITING -> RUNNING   wake_core(): a state change made the wait satisfiable; blocked--.
//   RUNNING -> FINISHED  thread_exit (launch.cpp): live--; if blocked == live > 0 -> deadlock.
// On a deadlock or fault, `aborting` is set and every waiting thread is woken to unwind
// (throw Abort); running threads unwind at their next API call.
// Does not own: what a wait means (kernel_api.cpp fills the wait fields).
// Called from: kernel threads, and the host thread (deadlock after a thread exits).
#include <cstdio>
#include <map>
#include <sstream>

#include "emu.h"

namespace tt_emu {

namespace {
thread_local KernelCtx* t_ctx = nullptr;
}

Sched& sched() {
    static Sched s;
    return s;
}

void set_ctx(KernelCtx* k) { t_ctx = k; }

KernelCtx& ctx(const char* call) {
    if (!t_ctx) throw std::logic_error("a kernel API function was called outside an emulated kernel thread");
    t_ctx->calls.store(t_ctx->calls.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    t_ctx->last_call.store(call, std::memory_order_relaxed);
    return *t_ctx;
}

std::string KernelCtx::where() const { return "core " + core->name() + " " + kernel; }

void fault(const std::string& msg) {
    KernelCtx* k = t_ctx;
    throw Fault(k ? k->where() + ": " + msg : msg);
}

bool wait_satisfied(const KernelCtx& k) {
    const Core& c = *k.core;
    switch (k.wait_kind) {
        case WaitKind::Reserve: {
            const CBShared& s = c.cbs[k.wait_cb];
            uint32_t used = static_cast<uint16_t>(s.received - s.acked);
            return c.cb[k.wait_cb].num_pages - used >= k.wait_want;
        }
        case WaitKind::Front: {
            const CBShared& s = c.cbs[k.wait_cb];
            return static_cast<uint16_t>(s.received - s.acked) >= k.wait_want;
        }
        case WaitKind::SemEq: return *k.wait_sem == k.wait_want;
        case WaitKind::SemMin: return *k.wait_sem >= k.wait_want;
        default: return true;
    }
}

void wake_core(Core& c) {
    Sched& s = sched();
    for (KernelCtx* k : c.kernels) {
        if (!k->waiting || !wait_satisfied(*k)) continue;
        k->waiting = false;
        s.blocked--;
        k->cv.notify_one();
    }
}

void record_fault_locked(const std::string& kind, const std::string& msg) {
    Sched& s = sched();
    if (s.aborting.load()) return;  // first fault wins
    s.fault_kind = kind;
    s.fault_message = msg;
    s.aborting.store(true);
    for (KernelCtx* k : s.all) {
        if (k->waiting) {
            k->waiting = false;
            s.blocked--;
        }
        k->cv.notify_one();
    }
}

namespace {

std::string wait_story(const KernelCtx& k) {
    const Core& c = *k.core;
    std::ostringstream o;
    o << k.kernel << " blocked in " << k.wait_call;
    if (k.wait_kind == WaitKind::Reserve || k.wait_kind == WaitKind::Front) {
        const CBShared& s = c.cbs[k.wait_cb];
        uint32_t used = static_cast<uint16_t>(s.received - s.acked);
        uint32_t cap = c.cb[k.wait_cb].num_pages;
        uint32_t avail = k.wait_kind == WaitKind::Reserve ? cap - used : used;
        o << "(cb " << k.wait_cb << ", " << k.wait_want << ")" << ": wants " << k.wait_want
          << (k.wait_kind == WaitKind::Reserve ? " free pages, " : " filled pages, ") << avail << " available"
          << " (capacity " << cap << ", received " << s.received << ", acked " << s.acked << ")";
    } else {
        uint32_t id = static_cast<uint32_t>((reinterpret_cast<uintptr_t>(k.wait_sem) -
                                             reinterpret_cast<uintptr_t>(c.l1) - c.sem_offset) / 16);
        o << "(semaphore " << id << ", " << k.wait_want << "): wants value "
          << (k.wait_kind == WaitKind::SemMin ? ">= " : "== ") << k.wait_want << ", current value " << *k.wait_sem;
    }
    return o.str();
}

}  // namespace

std::string deadlock_report_locked() {
    Sched& s = sched();
    // Group cores whose blocked threads tell the same story.
    std::map<std::string, std::vector<std::string>> groups;
    std::vector<std::string> order;
    int nblocked = 0;
    for (KernelCtx* k : s.all) {
        std::string story;
        if (k->waiting) {
            story = wait_story(*k);
            nblocked++;
        } else if (k->finished) {
            story = k->kernel + " finished";
        } else {
            story = k->kernel + " running";
        }
        if (!groups.count(story)) order.push_back(story);
        groups[story].push_back(k->core->name());
    }
    std::ostringstream o;
    o << "deadlock: no kernel thread can make progress (" << nblocked << " blocked, " << (s.all.size() - nblocked)
      << " finished)";
    for (const std::string& story : order) {
        if (story.find(" blocked in ") == std::string::npos) continue;
        const auto& cores = groups[story];
        o << "\n  " << (cores.size() == 1 ? "core " : std::to_string(cores.size()) + " cores ");
        for (size_t i = 0; i < cores.size() && i < 8; ++i) o << (i ? " " : "") << cores[i];
        if (cores.size() > 8) o << " ...";
        o << ": " << story;
    }
    for (const std::string& story : order) {
        if (story.find(" blocked in ") != std::string::npos) continue;
        o << "\n  " << groups[story].size() << (groups[story].size() == 1 ? " core: " : " cores: ") << story;
    }
    int unflushed = 0;
    for (KernelCtx* k : s.all) unflushed += k->writes.empty() ? 0 : 1;
    if (unflushed) {
        o << "\n  note: " << unflushed << " kernel" << (unflushed == 1 ? " holds" : "s hold")
          << " NoC writes that were never flushed; they land only at the issuer's noc_async_write_barrier or "
             "noc_async_writes_flushed (set TT_EMU_NOC=eager to see whether a waiter depends on them)";
    }
    return o.str();
}

void block_until_locked(std::unique_lock<std::mutex>& lk, KernelCtx& k) {
    Sched& s = sched();
    bool stalled = false;
    while (!wait_satisfied(k)) {
        if (s.aborting.load()) throw Abort{};
        if (!stalled && (k.wait_kind == WaitKind::Reserve || k.wait_kind == WaitKind::Front)) {
            k.counters.cb_wait_stalls[k.wait_cb]++;
            stalled = true;
        }
        k.waiting = true;
        s.blocked++;
        if (s.blocked == s.live) {
            record_fault_locked("deadlock", deadlock_report_locked());
            throw Abort{};
        }
        while (k.waiting && !s.aborting.load()) k.cv.wait(lk);
        if (s.aborting.load()) throw Abort{};
    }
    k.wait_kind = WaitKind::None;
}

}  // namespace tt_emu
