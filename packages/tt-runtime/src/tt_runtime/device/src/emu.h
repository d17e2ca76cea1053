// emu.h -- internal state of the emulated chip (libtt_metal_emu.so only; never included by kernels).
//
// Owns: the data model shared by the library's .cpp files: arch parameters, the chip (per-core
// L1 slots at 32-bit host addresses, DRAM banks, the DRAM allocator), CBs (shared counters per
// core, per-thread pointers per kernel), the per-kernel context, the scheduler state (one global
// lock, blocked-thread count for deadlock detection), faults and counters.
// Does not own: the host API objects (host_api.cpp) or the kernel-facing names (api/ headers).
//
// Thread model: the host thread builds programs and launches them (launch.cpp). Each kernel
// instance is a fiber (its own stack, switched with swapcontext) and the fibers run on a few
// worker threads (one per host CPU, or TT_EMU_WORKERS); all kernels of one core share a worker
// and a fiber never moves to another. A fiber runs until it must wait: a hand-off between
// kernels is a switch of stacks, not a futex round trip through the OS scheduler. All CB
// counters, semaphore waits and wakeups go through Sched::mu. A kernel that must wait registers
// what it waits for in its KernelCtx and gives its worker back; whoever changes CB/semaphore
// state re-evaluates the waiters of that core and queues those that can proceed on their worker
// (decrementing Sched::blocked). When a kernel is about to block and every live kernel is
// blocked, nothing can ever move: that is a deadlock, detected at once, and reported with every
// blocked kernel's story. With TT_EMU_WORKERS=1 the run is one thread and its interleaving is
// the same every time.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <ucontext.h>
#include <string>
#include <vector>

namespace tt_emu {

struct ArchDesc {
    std::string name = "wormhole_b0";
    uint32_t grid_x = 8, grid_y = 8;
    uint32_t l1_size = 1499136;
    uint32_t l1_base = 102400;
    uint32_t num_dram_banks = 12;
    uint64_t dram_bank_size = 1ull << 30;
    uint32_t num_cbs = 32;
    uint32_t max_runtime_args = 341;
    uint32_t noc_max_burst = 8192;
    uint32_t dram_alignment = 32;
    uint32_t l1_alignment = 16;
    uint32_t num_semaphores = 8;
};
const ArchDesc& arch();

constexpr uint32_t kMaxCBs = 64;
constexpr uint64_t kL1Slot = 2ull << 20;  // each core's L1 lives in a 2 MiB slot below 2 GiB
constexpr uint32_t kWorkerNocX0 = 18, kWorkerNocY0 = 18;  // translated Tensix coordinates start here
constexpr uint32_t kDramNocX = 0;                           // DRAM bank b sits at NoC (0, b)

// DataFormat codes (tensix_types.h)
enum Fmt : uint32_t { F32 = 0, F16 = 1, BF16 = 5, BFP8 = 6, BFP4 = 7, I32 = 8, U16 = 9, I8 = 14, U32 = 24, U8 = 30 };
uint32_t tile_bytes(uint32_t fmt);
const char* fmt_name(uint32_t fmt);
inline bool is_integer_format(uint32_t fmt) { return fmt == I32 || fmt == U32 || fmt == I8 || fmt == U8; }
float round_to_bf16(float x);  // x rounded to the nearest bfloat16 (ties to even), as a float

// ---- faults ----
struct Fault : std::runtime_error {  // a protocol error at the faulting call
    using std::runtime_error::runtime_error;
};
struct Abort {};  // unwinds a kernel thread when the run is being stopped

struct Counters {  // per core in reports; each kernel thread counts into its own copy
    std::map<std::string, uint64_t> tile_ops;
    std::map<std::string, uint64_t> noc_read_bytes;   // by source: "dram", "l1"
    std::map<std::string, uint64_t> noc_write_bytes;  // by destination: "dram", "l1", "l1_mcast"
    std::map<uint32_t, uint64_t> cb_wait_stalls;      // blocking reserve/wait calls per CB
    std::map<std::string, uint64_t> setup;            // engine set-up calls: hw_startup, fpu_init, sfpu_init, unpack/pack_reconfig
    uint64_t l1_high_water = 0;
    bool used = false;
    void merge(const Counters& o);
};

struct CBConfig {
    bool used = false;
    uint32_t offset = 0;  // L1 offset of the ring
    uint32_t size = 0;
    uint32_t page_size = 0;
    uint32_t num_pages = 0;
    uint32_t fmt = BF16;
};

struct CBShared {  // the counters both sides see (under Sched::mu)
    uint32_t received = 0;
    uint32_t acked = 0;
};

struct LocalCB {  // each kernel's private view (the hardware's LocalCBInterface)
    uint32_t wr_off = 0, rd_off = 0;  // L1 offsets
    uint32_t reserved = 0;            // pages reserved and not yet pushed
    uint32_t waited = 0;              // pages waited for and not yet popped
    uint32_t packed = 0;              // pack_tile's sequential position in the reserved region
};

struct KernelCtx;
struct Core;

// ---- asynchronous NoC (TT_EMU_NOC) ----
// strict (default): a read lands at its issuer's read barrier, its destination poisoned (0xFF
// bytes: NaN in every float format) until then; a write captures its source at issue and lands
// at its issuer's write barrier / writes_flushed (L1 destinations poisoned until then);
// semaphore writes land at issue. eager: every transfer completes at issue (the old model).
enum class NocMode : uint8_t { Strict, Eager };
NocMode noc_mode();  // from TT_EMU_NOC, read once

struct PendingRead {  // issuer-private
    const uint8_t* src;
    uint8_t* dst;
    uint32_t dst_off;  // offset in the issuer's L1
    uint32_t size;
};

struct PendingWrite {  // in the issuer's list, read by other threads under Sched::mu
    const char* call;
    uint32_t src_off;            // source region in the issuer's L1
    uint32_t size;
    std::vector<uint8_t> data;   // the source bytes, captured at issue
    std::vector<Core*> cores;    // L1 destinations (empty for DRAM)
    uint64_t dst_off = 0;        // L1 offset on every destination core
    uint8_t* dram_dst = nullptr; // DRAM destination
};

struct Core {
    uint32_t x = 0, y = 0;  // logical
    uint8_t* l1 = nullptr;
    CBConfig cb[kMaxCBs];
    CBShared cbs[kMaxCBs];
    uint32_t sem_offset = 0;
    uint32_t num_sems = 0;
    std::vector<KernelCtx*> kernels;  // the kernels running on this core in the current launch
    Counters counters;
    uint32_t inbound_writes = 0;  // undelivered L1 writes aimed at this core (under Sched::mu)
    uint32_t l1_addr(uint32_t offset) const { return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(l1) + offset); }
    std::string name() const { return "(" + std::to_string(x) + "," + std::to_string(y) + ")"; }
};

enum class WaitKind : uint8_t { None, Reserve, Front, SemEq, SemMin };

struct Dst {
    float tile[16][1024];  // row-major 32x32 per slot
    uint32_t capacity = 8;
    std::string capacity_why;
    enum State : uint8_t { Released, Acquired, Committed, Waited } state = Released;
    bool legacy = false;  // acquire_dst: pack allowed while Acquired
    bool fp32 = false;    // ComputeConfig fp32_dest_acc_en: 32-bit slots (int32 needs them)
    bool integer[16] = {};  // the slot holds int32 values (unpacked from an Int32 CB or typecast)
};

struct KernelCtx {
    Core* core = nullptr;
    std::string kernel;  // file name, e.g. "reader.cpp"
    std::string role;    // "reader" | "writer" | "compute" (by processor)
    uint8_t noc = 0;
    bool is_compute = false;
    std::vector<uint32_t> args, common_args;
    LocalCB local[kMaxCBs];
    std::unique_ptr<Dst> dst;
    bool hw_started = false;
    uint32_t matmul_transpose = 0;
    std::string last_init;          // the FPU op the unpackers and math are set up for ("matmul_init")
    std::string sfpu_init;          // the SFPU op the SFPU is set up for ("exp_tile_init")
    bool reduce_active = false;     // reduce_init's packer edge masks still set (until reduce_uninit)
    int fmt_a = -1, fmt_b = -1, fmt_pack = -1;  // data formats srcA / srcB unpack and the packer expect
    bool l1_acc = false;            // pack_reconfig_l1_acc(1): pack_tile adds to what the L1 page holds
    std::atomic<uint64_t> calls{0};  // API calls so far (the watchdog's progress measure)
    std::atomic<const char*> last_call{""};
    Counters counters;  // this thread's own; merged into its core's after the run
    std::vector<PendingRead> reads;    // strict NoC: issued, not yet at a read barrier
    std::vector<PendingWrite> writes;  // strict NoC: issued, not yet flushed (appended/removed under Sched::mu)
    // scheduling (under Sched::mu; sched.cpp)
    void (*entry)() = nullptr;  // the kernel's kernel_main
    ucontext_t fiber{};         // the kernel's registers while another fiber runs
    uint8_t* stack = nullptr;   // its stack (from a pool kept across runs)
    int worker = 0;             // the worker thread that runs it, always the same one
    bool started = false;
    bool queued = false;        // on its worker's ready queue
    bool waiting = false;
    bool finished = false;
    WaitKind wait_kind = WaitKind::None;
    std::string wait_call;
    uint32_t wait_cb = 0;
    uint32_t wait_want = 0;
    volatile uint32_t* wait_sem = nullptr;
    std::string where() const;  // "core (x,y) reader.cpp"
};

struct Sched {
    std::mutex mu;
    int live = 0;
    int blocked = 0;
    std::atomic<bool> aborting{false};
    std::string fault_kind;  // "" | "protocol" | "deadlock" | "crash"
    std::string fault_message;
    std::vector<KernelCtx*> all;
    std::condition_variable all_done;  // notified when live drops to 0 (the host's watch loop waits on it)
};
Sched& sched();

// Called with sched().mu held.
bool wait_satisfied(const KernelCtx& k);
void wake_core(Core& c);                          // re-evaluate and wake the waiters of one core
void block_until_locked(std::unique_lock<std::mutex>& lk, KernelCtx& k);  // k.wait_* filled in
void yield_locked(KernelCtx& k);  // a poll that found nothing: let the worker's other kernels run first

// Run every context's `body` as a fiber on the worker threads (returns at once; the host then
// watches, see launch.cpp), and wait for all of them to finish.
void start_fibers(const std::vector<KernelCtx*>& ks, void (*body)(KernelCtx*));
void join_fibers();
KernelCtx* current_ctx();  // the running kernel on this thread (null on the host thread)
void record_fault_locked(const std::string& kind, const std::string& msg);
std::string deadlock_report_locked();

// The calling kernel's context (faults if called from a non-kernel thread); each call counts as
// progress for the watchdog and is remembered as the kernel's last API call.
KernelCtx& ctx(const char* call = __builtin_FUNCTION());
[[noreturn]] void fault(const std::string& msg);  // throws Fault, prefixed with core and kernel

// ---- the chip ----
struct DramBuffer {
    uint64_t addr = 0;
    uint64_t bank_bytes = 0;
    uint32_t page_size = 0;
    uint32_t aligned_page = 0;
    uint64_t num_pages = 0;
    uint64_t size = 0;
    bool fill_pending = false;  // TT_EMU_DRAM_FILL not yet applied (fill_dram_buffer)
};
// Fill a buffer as TT_EMU_DRAM_FILL asks (NaN bytes, or seeded noise), if not done yet. A buffer
// is filled lazily: before a kernel or a read can see it, and not at all when the host's first
// write covers all of it (the fill would be overwritten unseen).
void fill_dram_buffer(DramBuffer& d);
void fill_pending_dram_buffers();

struct Chip {
    ArchDesc a;
    uint8_t* l1_pool = nullptr;
    std::vector<Core> cores;  // y-major: index = y * grid_x + x
    std::vector<uint8_t*> dram;
    std::vector<DramBuffer> dram_buffers;
    uint64_t dram_top = 1u << 20;
    Core& core(uint32_t x, uint32_t y) { return cores[y * a.grid_x + x]; }
    Core* core_by_noc(uint32_t nx, uint32_t ny);
    Core* core_of_l1_addr(uint64_t addr);  // which core's slot holds this host address (or null)
};
Chip& chip();
// Between two runs of a serving host process (serve.cpp): zero the L1 the last run used, drop
// its counters and DRAM buffers, so the next run sees what a fresh process would.
void reset_chip_for_run();
int host_entry(int argc, char** argv, int (*host_main)(int, char**));  // serve.cpp

// Decoded NoC endpoint: either DRAM (bank, offset) or a worker's L1 (core, offset).
struct NocTarget {
    bool dram = false;
    uint32_t bank = 0;
    Core* core = nullptr;
    uint64_t offset = 0;
    uint8_t* ptr = nullptr;
};
NocTarget decode_noc(uint64_t noc_addr, uint32_t size, const char* call);
uint8_t* local_l1(uint32_t addr, uint32_t size, const char* call);  // checked pointer in the caller's own L1

// Strict NoC: land every transfer the calling kernel still has in flight (kernel exit).
void noc_drain(KernelCtx& k);

// ---- numerics ----
void unpack_tile(const uint8_t* src, uint32_t fmt, float* out_rowmajor);
void pack_tile_to(const float* in_rowmajor, uint32_t fmt, uint8_t* dst);
void tile_matmul_acc(const float* a, const float* b, float* c, bool transpose_b);

// ---- report ----
void write_report(const std::string& status, const std::string& kind, const std::string& message,
                  const std::string& extra_json = "");
[[noreturn]] void fatal(const std::string& kind, const std::string& message, const std::string& extra_json = "");
std::string json_escape(const std::string& s);

}  // namespace tt_emu
