// sched.cpp -- blocking, waking, deadlock detection and faults.
//
// Owns: the scheduler state machine and the fibers that carry it out. A kernel is READY (on
// its worker's queue), RUNNING (on its worker), WAITING (registered wait in its KernelCtx: CB
// reserve, CB front, semaphore == or >=) or FINISHED. Transitions, all under Sched::mu:
//   READY -> RUNNING     the worker switches to the kernel's fiber.
//   RUNNING -> WAITING   block_until_locked(): blocked++; if blocked == live -> deadlock; the
//                        fiber switches back to its worker.
//   RUNNING -> READY     yield_locked(): a poll (cb_pages_available_at_front ...) found nothing.
//   WAITING -> READY     wake_core(): a state change made the wait satisfiable; blocked--.
//   RUNNING -> FINISHED  the kernel returned or unwound: live--; if blocked == live > 0 -> deadlock.
// On a deadlock or fault, `aborting` is set and every waiting kernel is queued to unwind
// (throw Abort); running kernels unwind at their next API call; kernels not yet started never
// start.
// The lock and the switches: a worker holds Sched::mu whenever it is not running a fiber. A
// fiber starts with the lock released, and switches back to its worker only with the lock held
// (it blocks, yields or finishes inside a locked section); the worker resumes a waiting fiber
// with the lock still held, inside that same section.
// Does not own: what a wait means (kernel_api.cpp fills the wait fields), what a kernel's body
// does around kernel_main (launch.cpp).
// Called from: kernel fibers, the worker threads, and the host thread (start and join).
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <sstream>
#include <thread>

#include "emu.h"

namespace tt_emu {

namespace {

thread_local KernelCtx* t_ctx = nullptr;

struct Worker {
    std::condition_variable cv;  // an idle worker sleeps here until one of its kernels is queued
    std::deque<KernelCtx*> ready;
    ucontext_t home{};           // the worker's own loop while a fiber runs
    bool idle = false;
    int live = 0;                // its kernels not yet finished
};

std::vector<std::unique_ptr<Worker>> g_workers;
std::vector<std::thread> g_threads;
void (*g_body)(KernelCtx*) = nullptr;
thread_local Worker* t_worker = nullptr;

// Each fiber's stack: 1 MiB of address space (pages are committed as the kernel touches them)
// above a guard page, so that an overflow is a crash reported with its core, not silent damage.
// Stacks are kept across the runs of a serving process.
constexpr size_t kStackBytes = 1u << 20;
constexpr size_t kGuardBytes = 1u << 16;
std::vector<uint8_t*> g_stack_pool;

uint8_t* take_stack() {
    if (!g_stack_pool.empty()) {
        uint8_t* s = g_stack_pool.back();
        g_stack_pool.pop_back();
        return s;
    }
    void* m = mmap(nullptr, kGuardBytes + kStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (m == MAP_FAILED) fatal("crash", "cannot map a 1 MiB kernel stack for a fiber (mmap failed: out of address space?)");
    mprotect(m, kGuardBytes, PROT_NONE);
    return static_cast<uint8_t*>(m) + kGuardBytes;
}

int worker_count(size_t ncores) {
    const char* v = std::getenv("TT_EMU_WORKERS");
    long n = 0;
    if (v && *v) {
        char* end = nullptr;
        n = std::strtol(v, &end, 10);
        if (end == v || *end != '\0' || n < 1) fatal("usage", std::string("TT_EMU_WORKERS=") + v + ": expected a whole number >= 1");
    } else {
        n = static_cast<long>(std::thread::hardware_concurrency());
    }
    if (n < 1) n = 1;
    return static_cast<int>(std::min<size_t>(static_cast<size_t>(n), std::max<size_t>(ncores, 1)));
}

void make_ready_locked(KernelCtx& k) {
    if (k.queued || k.finished) return;
    k.queued = true;
    Worker& w = *g_workers[k.worker];
    w.ready.push_back(&k);
    if (w.idle) w.cv.notify_one();
}

void finish_locked(KernelCtx& k);

// The first frame of every fiber: the kernel's body, then back to the worker for good.
void fiber_main() {
    KernelCtx* k = t_ctx;  // the worker sets it before the first switch
    g_body(k);             // catches everything the kernel throws
    sched().mu.lock();     // held across the switch: the worker loop runs under it
    finish_locked(*k);
    setcontext(&t_worker->home);
}

void worker_loop(Worker* w) {
    t_worker = w;
    // The crash handler runs on this stack (SA_ONSTACK), so a fiber's stack overflow is reported.
    std::vector<uint8_t> alt(1u << 16);
    stack_t ss{};
    ss.ss_sp = alt.data();
    ss.ss_size = alt.size();
    sigaltstack(&ss, nullptr);
    Sched& s = sched();
    std::unique_lock<std::mutex> lk(s.mu);
    while (w->live > 0) {
        if (w->ready.empty()) {
            w->idle = true;
            w->cv.wait(lk);
            w->idle = false;
            continue;
        }
        KernelCtx* k = w->ready.front();
        w->ready.pop_front();
        k->queued = false;
        if (k->finished) continue;
        t_ctx = k;
        if (!k->started) {
            k->started = true;
            if (s.aborting.load()) {  // the run is being stopped: this kernel never starts
                finish_locked(*k);
                continue;
            }
            lk.unlock();  // a kernel starts without the lock ...
            swapcontext(&w->home, &k->fiber);
            lk.release();  // ... and comes back holding it
            lk = std::unique_lock<std::mutex>(s.mu, std::adopt_lock);
        } else {
            swapcontext(&w->home, &k->fiber);  // resumes inside the locked section it left
        }
        t_ctx = nullptr;
    }
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, nullptr);
}

void finish_locked(KernelCtx& k) {
    Sched& s = sched();
    k.finished = true;
    s.live--;
    g_workers[k.worker]->live--;
    if (s.live == 0) s.all_done.notify_all();
    if (!s.aborting.load() && s.live > 0 && s.blocked == s.live) record_fault_locked("deadlock", deadlock_report_locked());
}

// Switch from the running fiber back to its worker (Sched::mu held); returns when the worker
// resumes the fiber, the lock held again.
void suspend_locked(KernelCtx& k) { swapcontext(&k.fiber, &t_worker->home); }

}  // namespace

void start_fibers(const std::vector<KernelCtx*>& ks, void (*body)(KernelCtx*)) {
    Sched& s = sched();
    g_body = body;
    // All kernels of a core on one worker, cores dealt round robin.
    std::map<const Core*, int> core_worker;
    for (KernelCtx* k : ks) core_worker.emplace(k->core, 0);
    const int n = worker_count(core_worker.size());
    int next = 0;
    for (auto& [core, w] : core_worker) w = next++ % n;
    g_workers.clear();
    for (int i = 0; i < n; ++i) g_workers.push_back(std::make_unique<Worker>());
    for (KernelCtx* k : ks) {
        k->worker = core_worker.at(k->core);
        k->stack = take_stack();
        getcontext(&k->fiber);
        k->fiber.uc_stack.ss_sp = k->stack;
        k->fiber.uc_stack.ss_size = kStackBytes;
        k->fiber.uc_link = nullptr;
        makecontext(&k->fiber, fiber_main, 0);
        g_workers[k->worker]->live++;
    }
    {
        std::lock_guard<std::mutex> lk(s.mu);
        for (KernelCtx* k : ks) make_ready_locked(*k);
    }
    for (int i = 0; i < n; ++i) g_threads.emplace_back(worker_loop, g_workers[i].get());
}

void join_fibers() {
    for (std::thread& t : g_threads) t.join();
    g_threads.clear();
    for (KernelCtx* k : sched().all) {
        if (k->stack) g_stack_pool.push_back(k->stack);
        k->stack = nullptr;
    }
    g_workers.clear();
}

KernelCtx* current_ctx() { return t_ctx; }

Sched& sched() {
    static Sched s;
    return s;
}

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
        make_ready_locked(*k);
    }
}

void record_fault_locked(const std::string& kind, const std::string& msg) {
    Sched& s = sched();
    if (s.aborting.load()) return;  // first fault wins
    s.fault_kind = kind;
    s.fault_message = msg;
    s.aborting.store(true);
    for (KernelCtx* k : s.all) {
        if (!k->waiting) continue;  // running (unwinds at its next call), queued or finished
        k->waiting = false;
        s.blocked--;
        make_ready_locked(*k);
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
        (void)lk;  // held across the switch: the worker runs under it until it resumes us
        suspend_locked(k);
        if (s.aborting.load()) throw Abort{};
    }
    k.wait_kind = WaitKind::None;
}

void yield_locked(KernelCtx& k) {
    make_ready_locked(k);
    suspend_locked(k);
}

}  // namespace tt_emu
