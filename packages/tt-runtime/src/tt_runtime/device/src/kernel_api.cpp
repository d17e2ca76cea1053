// kernel_api.cpp -- the data-movement half of tt_emu::k: args, CBs, NoC, semaphores.
//
// Owns: the checked semantics behind api/dataflow/dataflow_api.h and api/compute/cb_api.h.
// CB protocol (per CB: shared received/acked counters, per-thread pointers):
//   reserve(n): wait until capacity - (received - acked) >= n; reserved = max(reserved, n)
//   push(n):    n <= reserved, must not straddle the ring end; received += n; wr_ptr advances
//   wait(n):    wait until received - acked >= n; waited = max(waited, n)
//   pop(n):     n <= waited, must not straddle the ring end; acked += n; rd_ptr advances
// NoC (TT_EMU_NOC, see emu.h): strict (default) queues transfers until the issuer's barrier and
// checks the orderings a silicon kernel depends on: push before noc_async_read_barrier, pop (or
// a read) over the source of an unflushed write, a flag (semaphore write) that may overtake the
// issuer's unflushed data to the same core, and a push of pages another kernel's write has not
// landed in (data race). eager completes every transfer at issue; barriers only count.
// Does not own: tile math (compute.cpp), launching (launch.cpp).
// Called from: kernel threads.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "emu.h"
#include "tt_emu/kernel_abi.h"

namespace tt_emu::k {

namespace {

inline void check_abort() {
    if (sched().aborting.load(std::memory_order_relaxed)) throw Abort{};
}

CBConfig& cb_cfg(KernelCtx& k, uint32_t cb, const char* call) {
    if (cb >= arch().num_cbs) {
        fault(std::string(call) + "(cb " + std::to_string(cb) + "): CB index out of range (this arch has " +
              std::to_string(arch().num_cbs) + " CBs)");
    }
    CBConfig& c = k.core->cb[cb];
    if (!c.used) {
        fault(std::string(call) + "(cb " + std::to_string(cb) +
              "): no circular buffer with this index was created on this core (CreateCircularBuffer)");
    }
    return c;
}

std::string cbs(uint32_t cb, uint32_t n) { return "(cb " + std::to_string(cb) + ", " + std::to_string(n) + ")"; }

// ---- strict NoC: in-flight transfers and their checks ----

constexpr uint8_t kPoison = 0xff;  // NaN in bfloat16, float16, float32; Bfp8 exponent 0xff
const char* const kEagerHint = "set TT_EMU_NOC=eager to see whether the kernel is otherwise correct";

bool overlaps(uint64_t a, uint64_t an, uint64_t b, uint64_t bn) { return a < b + bn && b < a + an; }

std::string pages_of(const CBConfig& c, uint32_t off, uint32_t n) {
    uint32_t first = (off - c.offset) / c.page_size;
    return n == 1 ? "page " + std::to_string(first) : "pages " + std::to_string(first) + ".." + std::to_string(first + n - 1);
}

// cb_push_back of pages this kernel's own reads are still filling.
void check_push_reads(KernelCtx& k, const CBConfig& c, uint32_t cb, uint32_t off, uint32_t n) {
    uint32_t count = 0, bytes = 0;
    for (const PendingRead& r : k.reads) {
        if (!overlaps(off, n * c.page_size, r.dst_off, r.size)) continue;
        count++;
        bytes += r.size;
    }
    if (!count) return;
    fault("cb_push_back" + cbs(cb, n) + ": " + pages_of(c, off, n) + " still " + (n == 1 ? "has " : "have ") +
          std::to_string(count) + " noc_async_read" + (count == 1 ? "" : "s") + " (" + std::to_string(bytes) +
          " bytes) in flight into " + (n == 1 ? "it" : "them") + ": push before noc_async_read_barrier (the consumer would see the bytes before "
          "they land; " + kEagerHint + ")");
}

// cb_push_back of pages another kernel's write has not delivered yet (Sched::mu held).
void check_push_inbound_locked(KernelCtx& k, const CBConfig& c, uint32_t cb, uint32_t off, uint32_t n) {
    for (KernelCtx* other : sched().all) {
        for (const PendingWrite& w : other->writes) {
            if (std::find(w.cores.begin(), w.cores.end(), k.core) == w.cores.end()) continue;
            if (!overlaps(off, n * c.page_size, w.dst_off, w.size)) continue;
            fault("cb_push_back" + cbs(cb, n) + ": data race: " + pages_of(c, off, n) + (n == 1 ? " is" : " are") + " the destination of a " +
                  w.call + " (" + std::to_string(w.size) + " bytes) from " + other->where() +
                  " that has not landed (its issuer has not reached noc_async_writes_flushed/noc_async_write_barrier); "
                  "the consumer would read the bytes before they arrive (" + kEagerHint + ")");
        }
    }
}

// cb_pop_front of pages that are the source of an unflushed write of any kernel on this core (Sched::mu held).
void check_pop_sources_locked(KernelCtx& k, const CBConfig& c, uint32_t cb, uint32_t off, uint32_t n) {
    for (KernelCtx* other : k.core->kernels) {
        for (const PendingWrite& w : other->writes) {
            if (!overlaps(off, n * c.page_size, w.src_off, w.size)) continue;
            fault("cb_pop_front" + cbs(cb, n) + ": " + pages_of(c, off, n) + (n == 1 ? " is" : " are") + " the source of a " + w.call + " (" +
                  std::to_string(w.size) + " bytes) by " + other->kernel +
                  " that is not flushed: pop before noc_async_write_barrier/writes_flushed (the producer may overwrite "
                  "the bytes before the NoC has read them; " + kEagerHint + ")");
        }
    }
}

}  // namespace

void abort_check() { check_abort(); }

uint32_t arg(int idx) {
    check_abort();
    KernelCtx& k = ctx();
    if (idx < 0 || static_cast<size_t>(idx) >= k.args.size()) {
        fault("get_arg_val(" + std::to_string(idx) + "): only " + std::to_string(k.args.size()) +
              " runtime args were set for this kernel on this core (SetRuntimeArgs)");
    }
    return k.args[idx];
}

uint32_t common_arg(int idx) {
    KernelCtx& k = ctx();
    if (idx < 0 || static_cast<size_t>(idx) >= k.common_args.size()) {
        fault("get_common_arg_val(" + std::to_string(idx) + "): only " + std::to_string(k.common_args.size()) +
              " common runtime args were set (SetCommonRuntimeArgs)");
    }
    return k.common_args[idx];
}

uint32_t arg_addr(int idx) {
    arg(idx);
    return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(&ctx().args[idx]));
}

uint32_t common_arg_addr(int idx) {
    common_arg(idx);
    return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(&ctx().common_args[idx]));
}

uint8_t noc() { return ctx().noc; }
uint32_t my_x(uint8_t) { return ctx().core->x + kWorkerNocX0; }
uint32_t my_y(uint8_t) { return ctx().core->y + kWorkerNocY0; }
uint32_t logical_x() { return ctx().core->x; }
uint32_t logical_y() { return ctx().core->y; }
uint32_t num_dram_banks() { return arch().num_dram_banks; }

// ---- circular buffers ----

void cb_reserve_back(uint32_t cb, uint32_t n) {
    check_abort();
    KernelCtx& k = ctx();
    CBConfig& c = cb_cfg(k, cb, "cb_reserve_back");
    if (n > c.num_pages) {
        fault("cb_reserve_back" + cbs(cb, n) + ": reserves more pages than the CB holds (" + std::to_string(c.num_pages) +
              "); nothing could ever free them");
    }
    std::unique_lock<std::mutex> lk(sched().mu);
    k.wait_kind = WaitKind::Reserve;
    k.wait_call = "cb_reserve_back";
    k.wait_cb = cb;
    k.wait_want = n;
    block_until_locked(lk, k);
    LocalCB& l = k.local[cb];
    if (n > l.reserved) l.reserved = n;
}

void cb_push_back(uint32_t cb, uint32_t n) {
    check_abort();
    KernelCtx& k = ctx();
    CBConfig& c = cb_cfg(k, cb, "cb_push_back");
    LocalCB& l = k.local[cb];
    if (n > l.reserved) {
        fault("cb_push_back" + cbs(cb, n) + ": pushes " + std::to_string(n) + " pages but only " +
              std::to_string(l.reserved) + " are reserved (cb_reserve_back)");
    }
    uint32_t end = c.offset + c.size;
    if (l.wr_off + n * c.page_size > end) {
        fault("cb_push_back" + cbs(cb, n) + ": the push straddles the end of the ring (write pointer at page " +
              std::to_string((l.wr_off - c.offset) / c.page_size) + " of " + std::to_string(c.num_pages) +
              "); pushes must divide the CB's page count");
    }
    if (!k.reads.empty()) check_push_reads(k, c, cb, l.wr_off, n);
    std::unique_lock<std::mutex> lk(sched().mu);
    if (k.core->inbound_writes) check_push_inbound_locked(k, c, cb, l.wr_off, n);
    l.reserved -= n;
    l.packed = 0;
    l.wr_off += n * c.page_size;
    if (l.wr_off == end) l.wr_off = c.offset;
    k.core->cbs[cb].received += n;
    wake_core(*k.core);
}

void cb_wait_front(uint32_t cb, uint32_t n) {
    check_abort();
    KernelCtx& k = ctx();
    CBConfig& c = cb_cfg(k, cb, "cb_wait_front");
    if (n > c.num_pages) {
        fault("cb_wait_front" + cbs(cb, n) + ": waits for more pages than the CB holds (" + std::to_string(c.num_pages) + ")");
    }
    std::unique_lock<std::mutex> lk(sched().mu);
    k.wait_kind = WaitKind::Front;
    k.wait_call = "cb_wait_front";
    k.wait_cb = cb;
    k.wait_want = n;
    block_until_locked(lk, k);
    LocalCB& l = k.local[cb];
    if (n > l.waited) l.waited = n;
}

void cb_pop_front(uint32_t cb, uint32_t n) {
    check_abort();
    KernelCtx& k = ctx();
    CBConfig& c = cb_cfg(k, cb, "cb_pop_front");
    LocalCB& l = k.local[cb];
    if (n > l.waited) {
        fault("cb_pop_front" + cbs(cb, n) + ": pops " + std::to_string(n) + " pages but only " + std::to_string(l.waited) +
              " were waited for (cb_wait_front)");
    }
    uint32_t end = c.offset + c.size;
    if (l.rd_off + n * c.page_size > end) {
        fault("cb_pop_front" + cbs(cb, n) + ": the pop straddles the end of the ring (read pointer at page " +
              std::to_string((l.rd_off - c.offset) / c.page_size) + " of " + std::to_string(c.num_pages) +
              "); pops must divide the CB's page count");
    }
    std::unique_lock<std::mutex> lk(sched().mu);
    if (noc_mode() == NocMode::Strict) check_pop_sources_locked(k, c, cb, l.rd_off, n);
    l.waited -= n;
    l.rd_off += n * c.page_size;
    if (l.rd_off == end) l.rd_off = c.offset;
    k.core->cbs[cb].acked += n;
    wake_core(*k.core);
}

bool cb_pages_reservable_at_back(uint32_t cb, uint32_t n) {
    KernelCtx& k = ctx();
    CBConfig& c = cb_cfg(k, cb, "cb_pages_reservable_at_back");
    std::lock_guard<std::mutex> lk(sched().mu);
    const CBShared& s = k.core->cbs[cb];
    bool ok = c.num_pages - static_cast<uint16_t>(s.received - s.acked) >= n;
    if (!ok) yield_locked(k);  // a kernel polling in a loop lets the kernels it waits for run
    return ok;
}

bool cb_pages_available_at_front(uint32_t cb, uint32_t n) {
    KernelCtx& k = ctx();
    cb_cfg(k, cb, "cb_pages_available_at_front");
    std::lock_guard<std::mutex> lk(sched().mu);
    const CBShared& s = k.core->cbs[cb];
    bool ok = static_cast<uint16_t>(s.received - s.acked) >= n;
    if (!ok) yield_locked(k);  // as above
    return ok;
}

uint32_t get_write_ptr(uint32_t cb) {
    KernelCtx& k = ctx();
    cb_cfg(k, cb, "get_write_ptr");
    if (k.local[cb].reserved == 0) {
        fault("get_write_ptr(cb " + std::to_string(cb) +
              "): called outside cb_reserve_back ... cb_push_back (no pages are reserved)");
    }
    return k.core->l1_addr(k.local[cb].wr_off);
}

uint32_t get_read_ptr(uint32_t cb) {
    KernelCtx& k = ctx();
    cb_cfg(k, cb, "get_read_ptr");
    if (k.local[cb].waited == 0) {
        fault("get_read_ptr(cb " + std::to_string(cb) + "): called outside cb_wait_front ... cb_pop_front (no pages are waited for)");
    }
    return k.core->l1_addr(k.local[cb].rd_off);
}

uint32_t get_tile_size(uint32_t cb) { return tile_bytes(cb_cfg(ctx(), cb, "get_tile_size").fmt); }
uint32_t get_dataformat(uint32_t cb) { return cb_cfg(ctx(), cb, "get_dataformat").fmt; }

// ---- NoC ----

uint64_t noc_xy_addr(uint32_t x, uint32_t y, uint64_t addr) {
    return (static_cast<uint64_t>(y & 0x3f) << 42) | (static_cast<uint64_t>(x & 0x3f) << 36) | (addr & ((1ull << 36) - 1));
}

uint64_t noc_local_addr(uint64_t addr) {
    KernelCtx& k = ctx();
    return noc_xy_addr(k.core->x + kWorkerNocX0, k.core->y + kWorkerNocY0, addr);
}

uint64_t noc_mcast_addr(uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1, uint64_t addr) {
    return (static_cast<uint64_t>(y0 & 0x3f) << 54) | (static_cast<uint64_t>(x0 & 0x3f) << 48) |
           (static_cast<uint64_t>(y1 & 0x3f) << 42) | (static_cast<uint64_t>(x1 & 0x3f) << 36) |
           (addr & ((1ull << 36) - 1));
}

uint64_t dram_bank_noc_addr(uint32_t bank, uint64_t offset) {
    if (bank >= arch().num_dram_banks) fault("DRAM bank " + std::to_string(bank) + " does not exist");
    return noc_xy_addr(kDramNocX, bank, offset);
}

// ---- strict NoC: in-flight transfers and their checks ----

namespace {

std::string core_list(const std::vector<Core*>& cores) {
    std::string s;
    for (size_t i = 0; i < cores.size() && i < 8; ++i) s += (i ? " " : "") + cores[i]->name();
    if (cores.size() > 8) s += " ...";
    return (cores.size() == 1 ? "core " : std::to_string(cores.size()) + " cores ") + s;
}

void poison(uint8_t* dst, uint32_t size) { std::memset(dst, kPoison, size); }

// Called with Sched::mu held.
void deliver_writes_locked(KernelCtx& k) {
    for (PendingWrite& w : k.writes) {
        if (w.dram_dst) std::memcpy(w.dram_dst, w.data.data(), w.size);
        for (Core* c : w.cores) {
            std::memcpy(c->l1 + w.dst_off, w.data.data(), w.size);
            c->inbound_writes--;
            wake_core(*c);
        }
    }
    k.writes.clear();
}

void deliver_reads(KernelCtx& k) {
    for (const PendingRead& r : k.reads) std::memmove(r.dst, r.src, r.size);
    k.reads.clear();
}

// A read into [off, off+size) of the issuer's L1 must not clobber the source of its own unflushed write.
void check_read_dst_not_write_src(KernelCtx& k, uint32_t off, uint32_t size, const char* call) {
    for (const PendingWrite& w : k.writes) {
        if (!overlaps(off, size, w.src_off, w.size)) continue;
        fault(std::string(call) + ": overwrites L1 bytes (offset " + std::to_string(off) + ", " + std::to_string(size) +
              " bytes) that are the source of a " + w.call + " (" + std::to_string(w.size) +
              " bytes) not yet flushed: overwrite before noc_async_write_barrier/writes_flushed (the NoC may still be "
              "reading them; " + kEagerHint + ")");
    }
}

// A write from [off, off+size) must not send bytes a read of the same kernel is still filling.
void check_write_src_not_read_dst(KernelCtx& k, uint32_t off, uint32_t size, const char* call) {
    for (const PendingRead& r : k.reads) {
        if (!overlaps(off, size, r.dst_off, r.size)) continue;
        fault(std::string(call) + ": sends L1 bytes (offset " + std::to_string(off) + ", " + std::to_string(size) +
              " bytes) that a noc_async_read (" + std::to_string(r.size) + " bytes) is still filling: write before "
              "noc_async_read_barrier (" + kEagerHint + ")");
    }
}

// A flag (semaphore write) to `dests` must not overtake this kernel's unflushed data writes to them.
// Called with Sched::mu held.
void check_flag_after_data_locked(KernelCtx& k, const std::vector<Core*>& dests, const char* call) {
    uint32_t nwrites = 0;
    uint64_t bytes = 0;
    const char* what = nullptr;
    std::vector<Core*> hit;
    for (const PendingWrite& w : k.writes) {
        bool any = false;
        for (Core* c : w.cores) {
            if (std::find(dests.begin(), dests.end(), c) == dests.end()) continue;
            any = true;
            if (std::find(hit.begin(), hit.end(), c) == hit.end()) hit.push_back(c);
        }
        if (!any) continue;
        nwrites++;
        bytes += w.size;
        what = w.call;
    }
    if (!nwrites) return;
    fault(std::string(call) + " to " + core_list(hit) + " while " + std::to_string(nwrites) + " write" +
          (nwrites == 1 ? "" : "s") + " (" + what + ", " + std::to_string(bytes) + " bytes) to the same core" +
          (hit.size() == 1 ? "" : "s") + (nwrites == 1 ? " is" : " are") + " not flushed: flag before noc_async_writes_flushed (NoC ordering between data and flag is not guaranteed; the "
          "receiver may see the flag before the data; " + kEagerHint + ")");
}

}  // namespace

void drain(KernelCtx& k) {
    deliver_reads(k);
    std::lock_guard<std::mutex> lk(sched().mu);
    deliver_writes_locked(k);
}

void noc_read(uint64_t src, uint32_t dst_l1, uint32_t size) {
    check_abort();
    KernelCtx& k = ctx();
    NocTarget t = decode_noc(src, size, "noc_async_read");
    uint8_t* dst = local_l1(dst_l1, size, "noc_async_read");
    k.counters.noc_read_bytes[t.dram ? "dram" : "l1"] += size;
    if (noc_mode() == NocMode::Eager) {
        std::memmove(dst, t.ptr, size);
        return;
    }
    uint32_t off = static_cast<uint32_t>(dst - k.core->l1);
    if (!k.writes.empty()) check_read_dst_not_write_src(k, off, size, "noc_async_read");
    if (!overlaps(reinterpret_cast<uintptr_t>(dst), size, reinterpret_cast<uintptr_t>(t.ptr), size)) poison(dst, size);
    k.reads.push_back(PendingRead{t.ptr, dst, off, size});
}

namespace {

// Strict: capture the source, poison the L1 destinations, queue until the issuer's flush.
void queue_write(KernelCtx& k, const char* call, const uint8_t* src, uint32_t size, std::vector<Core*> cores,
                 uint64_t dst_off, uint8_t* dram_dst) {
    uint32_t src_off = static_cast<uint32_t>(src - k.core->l1);
    if (!k.reads.empty()) check_write_src_not_read_dst(k, src_off, size, call);
    PendingWrite w{call, src_off, size, std::vector<uint8_t>(src, src + size), {}, dst_off, dram_dst};
    std::lock_guard<std::mutex> lk(sched().mu);
    for (Core* c : cores) {
        if (c == k.core && dst_off == src_off) continue;  // loopback onto its own source: already in place
        poison(c->l1 + dst_off, size);
        c->inbound_writes++;
        w.cores.push_back(c);
    }
    if (w.cores.empty() && !w.dram_dst) return;
    k.writes.push_back(std::move(w));
}

}  // namespace

void noc_write(uint32_t src_l1, uint64_t dst, uint32_t size) {
    check_abort();
    KernelCtx& k = ctx();
    uint8_t* src = local_l1(src_l1, size, "noc_async_write");
    NocTarget t = decode_noc(dst, size, "noc_async_write");
    k.counters.noc_write_bytes[t.dram ? "dram" : "l1"] += size;
    if (noc_mode() == NocMode::Strict) {
        if (t.dram) queue_write(k, "noc_async_write", src, size, {}, 0, t.ptr);
        else queue_write(k, "noc_async_write", src, size, {t.core}, t.offset, nullptr);
        return;
    }
    std::memmove(t.ptr, src, size);
    if (!t.dram) {
        std::lock_guard<std::mutex> lk(sched().mu);
        wake_core(*t.core);
    }
}

namespace {
template <typename F>
void for_each_mcast_core(uint64_t mcast, uint32_t num_dests, bool loopback, const char* call, F&& f) {
    KernelCtx& k = ctx();
    uint32_t x1 = (mcast >> 36) & 0x3f, y1 = (mcast >> 42) & 0x3f, x0 = (mcast >> 48) & 0x3f, y0 = (mcast >> 54) & 0x3f;
    // NOC_0 runs toward larger coordinates and NOC_1 toward smaller ones: a multicast starts at
    // the rectangle's corner its NoC leaves from (tt-metal swaps start and end for NOC_1).
    bool backwards = k.noc == 1 ? (x0 < x1 || y0 < y1) : (x0 > x1 || y0 > y1);
    if (backwards) {
        fault(std::string(call) + " on NOC_" + std::to_string(k.noc) + ": multicast rectangle starts at (" +
              std::to_string(x0) + "," + std::to_string(y0) + ") and ends at (" + std::to_string(x1) + "," +
              std::to_string(y1) + "); on NOC_" + std::to_string(k.noc) + " it must start at its " +
              (k.noc == 1 ? "larger" : "smaller") + " corner (swap start and end)");
    }
    if (x0 > x1) std::swap(x0, x1);
    if (y0 > y1) std::swap(y0, y1);
    uint32_t count = 0;
    for (uint32_t ny = y0; ny <= y1; ++ny) {
        for (uint32_t nx = x0; nx <= x1; ++nx) {
            Core* c = chip().core_by_noc(nx, ny);
            if (!c) {
                fault(std::string(call) + ": multicast rectangle (" + std::to_string(x0) + "," + std::to_string(y0) + ")-(" +
                      std::to_string(x1) + "," + std::to_string(y1) + ") contains NoC node (" + std::to_string(nx) + "," +
                      std::to_string(ny) + "), which is not a worker core");
            }
            if (c == k.core && !loopback) continue;
            count++;
        }
    }
    if (count != num_dests) {
        fault(std::string(call) + ": num_dests is " + std::to_string(num_dests) + " but the rectangle holds " +
              std::to_string(count) + " destination cores" + (loopback ? " (sender included)" : " (sender excluded)"));
    }
    for (uint32_t ny = y0; ny <= y1; ++ny) {
        for (uint32_t nx = x0; nx <= x1; ++nx) {
            Core* c = chip().core_by_noc(nx, ny);
            if (c == k.core && !loopback) continue;
            f(*c);
        }
    }
}

std::vector<Core*> mcast_cores(uint64_t mcast, uint32_t num_dests, bool loopback, const char* call) {
    std::vector<Core*> cores;
    for_each_mcast_core(mcast, num_dests, loopback, call, [&](Core& c) { cores.push_back(&c); });
    return cores;
}
}  // namespace

void noc_write_mcast(uint32_t src_l1, uint64_t dst_mcast, uint32_t size, uint32_t num_dests, bool loopback) {
    check_abort();
    KernelCtx& k = ctx();
    uint8_t* src = local_l1(src_l1, size, "noc_async_write_multicast");
    uint64_t local = dst_mcast & ((1ull << 36) - 1);
    Core* owner = chip().core_of_l1_addr(local);
    uint64_t off = owner ? local - reinterpret_cast<uintptr_t>(owner->l1) : ~0ull;
    if (!owner || off + size > arch().l1_size) fault("noc_async_write_multicast: destination L1 address is outside L1");
    std::vector<Core*> cores = mcast_cores(dst_mcast, num_dests, loopback, "noc_async_write_multicast");
    k.counters.noc_write_bytes["l1_mcast"] += static_cast<uint64_t>(size) * cores.size();
    if (noc_mode() == NocMode::Strict) {
        queue_write(k, "noc_async_write_multicast", src, size, std::move(cores), off, nullptr);
        return;
    }
    for (Core* c : cores) {
        if (c != k.core || src != c->l1 + off) std::memmove(c->l1 + off, src, size);
    }
    std::lock_guard<std::mutex> lk(sched().mu);
    for (Core* c : cores) wake_core(*c);
}

void noc_inline_write(uint64_t dst, uint32_t value) {
    check_abort();
    KernelCtx& k = ctx();
    NocTarget t = decode_noc(dst, 4, "noc_inline_dw_write");
    std::lock_guard<std::mutex> lk(sched().mu);
    if (!t.dram && !k.writes.empty()) check_flag_after_data_locked(k, {t.core}, "noc_inline_dw_write");
    std::memcpy(t.ptr, &value, 4);
    k.counters.noc_write_bytes[t.dram ? "dram" : "l1"] += 4;
    if (!t.dram) wake_core(*t.core);
}

void noc_barrier(const char* which) {
    check_abort();
    if (noc_mode() == NocMode::Eager) return;
    KernelCtx& k = ctx();
    std::string w = which;
    bool reads = w == "noc_async_read_barrier" || w == "noc_async_full_barrier";
    bool writes = w == "noc_async_write_barrier" || w == "noc_async_writes_flushed" ||
                  w == "noc_async_posted_writes_flushed" || w == "noc_async_full_barrier";
    if (reads) deliver_reads(k);
    if (!writes || k.writes.empty()) return;
    std::lock_guard<std::mutex> lk(sched().mu);
    deliver_writes_locked(k);
}

// ---- semaphores ----

uint32_t get_semaphore(uint32_t id) {
    KernelCtx& k = ctx();
    if (id >= k.core->num_sems) {
        fault("get_semaphore(" + std::to_string(id) + "): only " + std::to_string(k.core->num_sems) +
              " semaphores were created on this core (CreateSemaphore)");
    }
    return k.core->l1_addr(k.core->sem_offset + id * 16);
}

void sem_wait(volatile uint32_t* sem, uint32_t val, bool at_least) {
    check_abort();
    KernelCtx& k = ctx();
    local_l1(static_cast<uint32_t>(reinterpret_cast<uintptr_t>(sem)), 4, at_least ? "noc_semaphore_wait_min" : "noc_semaphore_wait");
    std::unique_lock<std::mutex> lk(sched().mu);
    k.wait_kind = at_least ? WaitKind::SemMin : WaitKind::SemEq;
    k.wait_call = at_least ? "noc_semaphore_wait_min" : "noc_semaphore_wait";
    k.wait_sem = sem;
    k.wait_want = val;
    block_until_locked(lk, k);
}

void sem_set(volatile uint32_t* sem, uint32_t val) {
    check_abort();
    KernelCtx& k = ctx();
    local_l1(static_cast<uint32_t>(reinterpret_cast<uintptr_t>(sem)), 4, "noc_semaphore_set");
    std::lock_guard<std::mutex> lk(sched().mu);
    *sem = val;
    wake_core(*k.core);
}

void sem_inc(uint64_t dst, uint32_t incr) {
    check_abort();
    NocTarget t = decode_noc(dst, 4, "noc_semaphore_inc");
    if (t.dram) fault("noc_semaphore_inc: the destination is DRAM; semaphores live in a core's L1");
    KernelCtx& k = ctx();
    std::lock_guard<std::mutex> lk(sched().mu);
    if (!k.writes.empty()) check_flag_after_data_locked(k, {t.core}, "noc_semaphore_inc");
    uint32_t v;
    std::memcpy(&v, t.ptr, 4);
    v += incr;
    std::memcpy(t.ptr, &v, 4);
    ctx().counters.noc_write_bytes["l1"] += 4;
    wake_core(*t.core);
}

void sem_set_remote(uint32_t src_l1, uint64_t dst) {
    check_abort();
    uint8_t* src = local_l1(src_l1, 4, "noc_semaphore_set_remote");
    NocTarget t = decode_noc(dst, 4, "noc_semaphore_set_remote");
    KernelCtx& k = ctx();
    std::lock_guard<std::mutex> lk(sched().mu);
    if (!t.dram && !k.writes.empty()) check_flag_after_data_locked(k, {t.core}, "noc_semaphore_set_remote");
    std::memcpy(t.ptr, src, 4);
    ctx().counters.noc_write_bytes[t.dram ? "dram" : "l1"] += 4;
    if (!t.dram) wake_core(*t.core);
}

void sem_set_mcast(uint32_t src_l1, uint64_t dst_mcast, uint32_t num_dests, bool loopback) {
    check_abort();
    KernelCtx& k = ctx();
    uint8_t* src = local_l1(src_l1, 4, "noc_semaphore_set_multicast");
    uint64_t local = dst_mcast & ((1ull << 36) - 1);
    Core* owner = chip().core_of_l1_addr(local);
    if (!owner) fault("noc_semaphore_set_multicast: destination L1 address is outside L1");
    uint64_t off = local - reinterpret_cast<uintptr_t>(owner->l1);
    uint32_t v;
    std::memcpy(&v, src, 4);
    std::vector<Core*> cores = mcast_cores(dst_mcast, num_dests, loopback, "noc_semaphore_set_multicast");
    std::lock_guard<std::mutex> lk(sched().mu);
    if (!k.writes.empty()) check_flag_after_data_locked(k, cores, "noc_semaphore_set_multicast");
    for_each_mcast_core(dst_mcast, num_dests, loopback, "noc_semaphore_set_multicast", [&](Core& c) {
        std::memcpy(c.l1 + off, &v, 4);
        k.counters.noc_write_bytes["l1_mcast"] += 4;
        wake_core(c);
    });
}

}  // namespace tt_emu::k

namespace tt_emu {

NocMode noc_mode() {
    static NocMode m = [] {
        const char* v = std::getenv("TT_EMU_NOC");
        std::string s = v ? v : "";
        if (s.empty() || s == "strict") return NocMode::Strict;
        if (s == "eager") return NocMode::Eager;
        fatal("usage", "TT_EMU_NOC=" + s + ": unknown NoC mode (valid: strict, eager)");
    }();
    return m;
}

void noc_drain(KernelCtx& k) { k::drain(k); }

}  // namespace tt_emu
