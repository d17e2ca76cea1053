// compute.cpp -- the compute half of tt_emu::k: DST, unpack -> math -> pack.
//
// Owns: the DST register file of each compute kernel (16 float tiles, usable capacity by
// sync and accumulation mode: 8/4 half sync, 16/8 full sync), its protocol
//   Released -acquire-> Acquired -commit-> Committed -wait-> Waited -release-> Released
// (math ops need Acquired; pack needs Waited), and the tile ops: matmul (fp32 accumulate),
// binary add/sub/mul, copy, SFPU unary ops, the where select, reduce (row/col/scalar; sum/avg/max),
// pack_tile (sequential by default).
// Does not own: CB counters (kernel_api.cpp), format conversion (formats.cpp).
// Called from: the compute kernel thread (one host thread runs unpack, math and pack).
#include <cmath>
#include <cstring>

#include "emu.h"
#include "tt_emu/kernel_abi.h"

namespace tt_emu::k {

namespace {

const char* state_name(Dst::State s) {
    switch (s) {
        case Dst::Released: return "released";
        case Dst::Acquired: return "acquired";
        case Dst::Committed: return "committed";
        default: return "waited";
    }
}

KernelCtx& compute_ctx(const char* call) {
    if (sched().aborting.load(std::memory_order_relaxed)) throw Abort{};
    KernelCtx& k = ctx(call);
    if (!k.is_compute) fault(std::string(call) + ": compute API called from a data-movement kernel");
    return k;
}

Dst& math_dst(KernelCtx& k, const char* call, uint32_t idst) {
    Dst& d = *k.dst;
    if (!k.hw_started) fault(std::string(call) + ": called before compute_kernel_hw_startup");
    if (d.state != Dst::Acquired) {
        fault(std::string(call) + ": DST is " + state_name(d.state) + "; math needs tile_regs_acquire() first");
    }
    if (idst >= d.capacity) {
        fault(std::string(call) + ": DST index " + std::to_string(idst) + " is over capacity (" + std::to_string(d.capacity) +
              " tiles: " + d.capacity_why + "; knobs: ComputeConfig fp32_dest_acc_en / dst_full_sync_en)");
    }
    return d;
}

std::string fmt_or_nothing(int fmt) { return fmt < 0 ? std::string("nothing") : std::string(fmt_name(fmt)); }

// The front-relative tile `itile` of input CB `cb`, unpacked to row-major floats through source
// register `reg` ('A' or 'B'), whose unpacker must be set up for the CB's data format.
void unpack_input(KernelCtx& k, uint32_t cb, uint32_t itile, float* out, const char* call, char reg) {
    if (cb >= arch().num_cbs || !k.core->cb[cb].used) {
        fault(std::string(call) + "(cb " + std::to_string(cb) + "): no circular buffer with this index on this core");
    }
    const CBConfig& c = k.core->cb[cb];
    const int want = reg == 'A' ? k.fmt_a : k.fmt_b;
    if (want != static_cast<int>(c.fmt)) {
        const std::string src = reg == 'A' ? "srca" : "srcb";
        fault(std::string(call) + ": cb " + std::to_string(cb) + " holds " + fmt_name(c.fmt) + " tiles but the " + src +
              " unpacker is set up for " + fmt_or_nothing(want) + "; call reconfig_data_format_" + src + "(" +
              std::to_string(cb) + ") (or reconfig_data_format) first");
    }
    const LocalCB& l = k.local[cb];
    if (itile >= l.waited) {
        fault(std::string(call) + ": reads tile " + std::to_string(itile) + " of cb " + std::to_string(cb) + " but only " +
              std::to_string(l.waited) + " pages are waited for (cb_wait_front)");
    }
    uint32_t off = l.rd_off + itile * c.page_size;
    if (off + c.page_size > c.offset + c.size) off -= c.size;  // indexing wraps around the ring
    unpack_tile(k.core->l1 + off, c.fmt, out);
}

void count(KernelCtx& k, const char* kind, uint64_t n = 1) { k.counters.tile_ops[kind] += n; }


int cb_format(KernelCtx& k, uint32_t cb, const char* call) {
    if (cb >= arch().num_cbs || !k.core->cb[cb].used) {
        fault(std::string(call) + "(cb " + std::to_string(cb) + "): no circular buffer with this index on this core");
    }
    return static_cast<int>(k.core->cb[cb].fmt);
}

// SFPU inits set up the SFPU only; FPU inits (copy, binary, matmul, bcast, reduce, transpose)
// set up the unpackers and the math engine and leave the SFPU as it was.
bool is_sfpu_init(const std::string& what) {
    const std::string tail = "_tile_init";
    return what.size() > tail.size() && what.compare(what.size() - tail.size(), tail.size(), tail) == 0;
}

void need_init(KernelCtx& k, const char* call, const std::string& needed, bool prefix = false) {
    bool ok = prefix ? k.last_init.compare(0, needed.size(), needed) == 0 : k.last_init == needed;
    if (!ok) {
        fault(std::string(call) + ": the unpackers and math are set up for " +
              (k.last_init.empty() ? std::string("nothing") : k.last_init) + "; call " + needed + "(...) first");
    }
}

void need_sfpu_init(KernelCtx& k, const char* call, const char* needed) {
    if (k.sfpu_init != needed) {
        fault(std::string(call) + ": the SFPU is set up for " + (k.sfpu_init.empty() ? std::string("nothing") : k.sfpu_init) +
              "; call " + needed + "() first");
    }
}

}  // namespace

void hw_startup(uint32_t icb0, uint32_t icb1, uint32_t ocb) {
    KernelCtx& k = compute_ctx("compute_kernel_hw_startup");
    k.hw_started = true;
    k.counters.setup["hw_startup"]++;
    k.fmt_a = cb_format(k, icb0, "compute_kernel_hw_startup");
    k.fmt_b = cb_format(k, icb1, "compute_kernel_hw_startup");
    k.fmt_pack = cb_format(k, ocb, "compute_kernel_hw_startup");
}

void reconfig_unpack(char which, uint32_t cb_a, uint32_t cb_b) {
    KernelCtx& k = compute_ctx("reconfig_data_format");
    if (!k.hw_started) fault("reconfig_data_format: called before compute_kernel_hw_startup");
    if (which != 'B') k.fmt_a = cb_format(k, cb_a, "reconfig_data_format");
    if (which != 'A') k.fmt_b = cb_format(k, cb_b, "reconfig_data_format");
    k.counters.setup["unpack_reconfig"]++;
}

void reconfig_pack(uint32_t cb) {
    KernelCtx& k = compute_ctx("pack_reconfig_data_format");
    if (!k.hw_started) fault("pack_reconfig_data_format: called before compute_kernel_hw_startup");
    k.fmt_pack = cb_format(k, cb, "pack_reconfig_data_format");
    k.counters.setup["pack_reconfig"]++;
}

void pack_l1_acc(uint32_t enable) {
    KernelCtx& k = compute_ctx("pack_reconfig_l1_acc");
    if (!k.hw_started) fault("pack_reconfig_l1_acc: called before compute_kernel_hw_startup");
    k.l1_acc = enable != 0;
    k.counters.setup["pack_reconfig"]++;
}

void op_init(const char* what, uint32_t, uint32_t, uint32_t transpose) {
    KernelCtx& k = compute_ctx(what);
    if (!k.hw_started) fault(std::string(what) + ": called before compute_kernel_hw_startup");
    const std::string name = what;
    if (name == "reduce_uninit" || name == "pack_init") {  // the packer's edge masks / its set-up
        if (name == "reduce_uninit") k.reduce_active = false;
        k.counters.setup["pack_reconfig"]++;
        return;
    }
    if (is_sfpu_init(name)) {
        k.sfpu_init = name;
        k.counters.setup["sfpu_init"]++;
        return;
    }
    k.counters.setup["fpu_init"]++;
    if (k.reduce_active && name != "reduce_init") {
        fault(name + ": the packer still masks reduce_init's output (its edge masks); call reduce_uninit() first");
    }
    k.last_init = name;
    if (name == "reduce_init") k.reduce_active = true;
    if (std::strncmp(what, "matmul", 6) == 0) k.matmul_transpose = transpose;
}

namespace {

const char* sfpu_init_of(Unop op) {
    static const char* inits[] = {
#define TT_EMU_UNOP(name, counter, init, expr) init,
#include "tt_emu/unops.h"
#undef TT_EMU_UNOP
    };
    return inits[static_cast<int>(op)];
}

const char* sfpu_init_of(Binop op) {
    static const char* names[] = {"add_binary_tile_init", "sub_binary_tile_init", "mul_binary_tile_init",
                                  "div_binary_tile_init", "rsub_binary_tile_init", "binary_max_tile_init",
                                  "binary_min_tile_init"};
    return names[static_cast<int>(op)];
}

}  // namespace

void tile_regs_acquire() {
    KernelCtx& k = compute_ctx("tile_regs_acquire");
    Dst& d = *k.dst;
    if (d.state != Dst::Released) fault(std::string("tile_regs_acquire: DST is ") + state_name(d.state) + ", not released");
    std::memset(d.tile, 0, sizeof(float) * 1024 * d.capacity);
    std::memset(d.integer, 0, sizeof d.integer);
    d.state = Dst::Acquired;
}

void tile_regs_commit() {
    KernelCtx& k = compute_ctx("tile_regs_commit");
    Dst& d = *k.dst;
    if (d.state != Dst::Acquired) fault(std::string("tile_regs_commit: DST is ") + state_name(d.state) + ", not acquired");
    d.state = Dst::Committed;
}

void tile_regs_wait() {
    KernelCtx& k = compute_ctx("tile_regs_wait");
    Dst& d = *k.dst;
    if (d.state != Dst::Committed) fault(std::string("tile_regs_wait: DST is ") + state_name(d.state) + ", not committed");
    d.state = Dst::Waited;
}

void tile_regs_release() {
    KernelCtx& k = compute_ctx("tile_regs_release");
    Dst& d = *k.dst;
    if (d.state != Dst::Waited) fault(std::string("tile_regs_release: DST is ") + state_name(d.state) + ", not waited");
    d.state = Dst::Released;
}

void acquire_dst() {
    tile_regs_acquire();
    ctx().dst->legacy = true;
}

void release_dst() {
    KernelCtx& k = compute_ctx("release_dst");
    if (!k.dst->legacy) fault("release_dst: DST was not acquired with acquire_dst()");
    k.dst->legacy = false;
    k.dst->state = Dst::Released;
}

void matmul_tiles(uint32_t in0, uint32_t in1, uint32_t t0, uint32_t t1, uint32_t idst, uint32_t transpose) {
    KernelCtx& k = compute_ctx("matmul_tiles");
    Dst& d = math_dst(k, "matmul_tiles", idst);
    need_init(k, "matmul_tiles", "matmul_init", true);
    alignas(64) float a[1024], b[1024];
    unpack_input(k, in0, t0, a, "matmul_tiles", 'B');  // matmul: in0 is unpacked to srcB, in1 to srcA
    unpack_input(k, in1, t1, b, "matmul_tiles", 'A');
    bool tr = transpose == 0xFFFFFFFFu ? k.matmul_transpose != 0 : transpose != 0;
    tile_matmul_acc(a, b, d.tile[idst], tr);
    count(k, "matmul");
}

void matmul_block(uint32_t in0, uint32_t in1, uint32_t t0, uint32_t t1, uint32_t idst, uint32_t transpose,
                  uint32_t ct_dim, uint32_t rt_dim, uint32_t kt_dim) {
    KernelCtx& k = compute_ctx("matmul_block");
    math_dst(k, "matmul_block", idst + rt_dim * ct_dim - 1);
    need_init(k, "matmul_block", "matmul_block_init");
    Dst& d = *k.dst;
    alignas(64) float a[1024], b[1024];
    for (uint32_t r = 0; r < rt_dim; ++r) {
        unpack_input(k, in0, t0 + r * kt_dim, a, "matmul_block", 'B');
        for (uint32_t c = 0; c < ct_dim; ++c) {
            unpack_input(k, in1, t1 + c, b, "matmul_block", 'A');
            tile_matmul_acc(a, b, d.tile[idst + r * ct_dim + c], transpose != 0);
            count(k, "matmul");
        }
    }
}

void binary_tiles(Binop op, uint32_t in0, uint32_t in1, uint32_t t0, uint32_t t1, uint32_t idst, bool acc_to_dest) {
    static const char* names[] = {"add_tiles", "sub_tiles", "mul_tiles"};
    const char* name = names[static_cast<int>(op)];
    KernelCtx& k = compute_ctx(name);
    Dst& d = math_dst(k, name, idst);
    static const char* inits[] = {"add_init", "sub_init", "mul_init"};
    need_init(k, name, inits[static_cast<int>(op)], true);
    alignas(64) float a[1024], b[1024];
    unpack_input(k, in0, t0, a, name, 'A');
    unpack_input(k, in1, t1, b, name, 'B');
    float* o = d.tile[idst];
    bool acc = acc_to_dest || k.last_init.find("acc_to_dest") != std::string::npos;
    for (int i = 0; i < 1024; ++i) {
        float v = op == Binop::Add ? a[i] + b[i] : op == Binop::Sub ? a[i] - b[i] : a[i] * b[i];
        o[i] = acc ? o[i] + v : v;
    }
    count(k, op == Binop::Add ? "add" : op == Binop::Sub ? "sub" : "mul");
}

void bcast_tiles(Binop op, uint32_t dim, uint32_t in0, uint32_t in1, uint32_t t0, uint32_t t1, uint32_t idst,
                 uint32_t bcast_row_idx) {
    static const char* ops[] = {"add", "sub", "mul"};
    static const char* dims[] = {"none", "rows", "cols", "scalar"};
    if (static_cast<int>(op) > 2 || dim > 3) fault("bcast: unsupported op or BroadcastType");
    const std::string name = std::string(ops[static_cast<int>(op)]) + "_tiles_bcast_" + dims[dim];
    const std::string init = std::string(ops[static_cast<int>(op)]) + "_bcast_" + dims[dim] + "_init";
    KernelCtx& k = compute_ctx(name.c_str());
    Dst& d = math_dst(k, name.c_str(), idst);
    if (k.last_init != init) {
        fault(name + ": the engines are set up for " + (k.last_init.empty() ? std::string("nothing") : k.last_init) +
              "; call " + init + "(icb0, icb1) first");
    }
    if (bcast_row_idx >= 32) fault(name + ": bcast_row_idx " + std::to_string(bcast_row_idx) + " is not a tile row");
    alignas(64) float a[1024], b[1024];
    unpack_input(k, in0, t0, a, name.c_str(), 'A');
    unpack_input(k, in1, t1, b, name.c_str(), 'B');
    float* o = d.tile[idst];
    for (int r = 0; r < 32; ++r) {
        for (int c = 0; c < 32; ++c) {
            float y = dim == 1 ? b[bcast_row_idx * 32 + c] : dim == 2 ? b[r * 32] : dim == 3 ? b[0] : b[r * 32 + c];
            float x = a[r * 32 + c];
            o[r * 32 + c] = op == Binop::Add ? x + y : op == Binop::Sub ? x - y : x * y;
        }
    }
    count(k, (std::string("bcast_") + dims[dim] + "_" + ops[static_cast<int>(op)]).c_str());
}

void transpose_tile(uint32_t cb, uint32_t itile, uint32_t idst) {
    KernelCtx& k = compute_ctx("transpose_tile");
    Dst& d = math_dst(k, "transpose_tile", idst);
    if (k.last_init != "transpose_init") {
        fault("transpose_tile: the engines are set up for " +
              (k.last_init.empty() ? std::string("nothing") : k.last_init) + "; call transpose_init(icb) first");
    }
    alignas(64) float t[1024];
    unpack_input(k, cb, itile, t, "transpose_tile", 'A');
    for (int r = 0; r < 32; ++r) {
        for (int c = 0; c < 32; ++c) d.tile[idst][r * 32 + c] = t[c * 32 + r];
    }
    count(k, "transpose");
}

const char* unary_bcast_init_name(uint32_t dim) {
    static const char* names[] = {"unary_bcast_none_init", "unary_bcast_rows_init", "unary_bcast_cols_init",
                                  "unary_bcast_scalar_init"};
    if (dim > 3) fault("unary_bcast_init: unsupported BroadcastType");
    return names[dim];
}

void unary_bcast(uint32_t dim, uint32_t cb, uint32_t itile, uint32_t idst) {
    static const char* dims[] = {"none", "rows", "cols", "scalar"};
    if (dim > 3) fault("unary_bcast: unsupported BroadcastType");
    const std::string name = std::string("unary_bcast<") + dims[dim] + ">";
    KernelCtx& k = compute_ctx(name.c_str());
    Dst& d = math_dst(k, name.c_str(), idst);
    const std::string init = unary_bcast_init_name(dim);
    if (k.last_init != init) {
        fault(name + ": the engines are set up for " + (k.last_init.empty() ? std::string("nothing") : k.last_init) +
              "; call " + init + "(icb) first");
    }
    alignas(64) float b[1024];
    // a broadcast unpacks to srcB, except 32-bit data, which goes to DST through unpacker A
    const uint32_t f = cb < arch().num_cbs ? k.core->cb[cb].fmt : 0;
    const bool wide = f == F32 || f == I32 || f == U32;
    unpack_input(k, cb, itile, b, name.c_str(), dim == 0 || wide ? 'A' : 'B');
    float* o = d.tile[idst];
    for (int r = 0; r < 32; ++r) {
        for (int c = 0; c < 32; ++c) {
            o[r * 32 + c] = dim == 1 ? b[c] : dim == 2 ? b[r * 32] : dim == 3 ? b[0] : b[r * 32 + c];
        }
    }
    count(k, (std::string("unary_bcast_") + dims[dim]).c_str());
}

void binary_dst(Binop op, uint32_t i0, uint32_t i1, uint32_t od) {
    KernelCtx& k = compute_ctx("binary_dst");
    Dst& d = math_dst(k, "binary sfpu op", i0);
    need_sfpu_init(k, "binary sfpu op", sfpu_init_of(op));
    math_dst(k, "binary sfpu op", i1);
    math_dst(k, "binary sfpu op", od);
    for (int i = 0; i < 1024; ++i) {
        float a = d.tile[i0][i], b = d.tile[i1][i];
        float r = 0.f;
        switch (op) {
            case Binop::Add: r = a + b; break;
            case Binop::Sub: r = a - b; break;
            case Binop::Mul: r = a * b; break;
            case Binop::Div: r = a / b; break;
            case Binop::Rsub: r = b - a; break;
            case Binop::Max: r = a > b ? a : b; break;
            case Binop::Min: r = a < b ? a : b; break;
        }
        d.tile[od][i] = r;
    }
    static const char* names[] = {"add", "sub", "mul", "div", "rsub", "max", "min"};
    k.counters.tile_ops[std::string("sfpu_binary_") + names[static_cast<int>(op)]]++;
}

void where_dst(uint32_t ic, uint32_t it, uint32_t iff, uint32_t od) {
    KernelCtx& k = compute_ctx("where_tile");
    Dst& d = math_dst(k, "where_tile", ic);
    need_sfpu_init(k, "where_tile", "where_tile_init");
    math_dst(k, "where_tile", it);
    math_dst(k, "where_tile", iff);
    math_dst(k, "where_tile", od);
    for (int i = 0; i < 1024; ++i) {
        d.tile[od][i] = d.tile[ic][i] != 0.f ? d.tile[it][i] : d.tile[iff][i];
    }
    k.counters.tile_ops["sfpu_where"]++;
}

void copy_tile(uint32_t cb, uint32_t itile, uint32_t idst) {
    KernelCtx& k = compute_ctx("copy_tile");
    Dst& d = math_dst(k, "copy_tile", idst);
    need_init(k, "copy_tile", "copy_init");
    unpack_input(k, cb, itile, d.tile[idst], "copy_tile", 'A');
    d.integer[idst] = is_integer_format(k.core->cb[cb].fmt);
    count(k, "copy");
}

void unary_tile(Unop op, uint32_t idst, uint32_t param) {
    KernelCtx& k = compute_ctx("sfpu op");
    Dst& d = math_dst(k, "sfpu op", idst);
    need_sfpu_init(k, "sfpu op", sfpu_init_of(op));
    if (d.integer[idst]) {
        fault("sfpu op on DST[" + std::to_string(idst) + "]: the slot holds int32 values and the op reads floats; "
              "typecast_tile<Int32, Float32> first");
    }
    float p;
    std::memcpy(&p, &param, 4);
    float* t = d.tile[idst];
    for (int i = 0; i < 1024; ++i) {
        float x = t[i];
        switch (op) {
#define TT_EMU_UNOP(name, counter, init, expr) \
    case Unop::name: x = (expr); break;
#include "tt_emu/unops.h"
#undef TT_EMU_UNOP
        }
        t[i] = x;
    }
    static const char* names[] = {
#define TT_EMU_UNOP(name, counter, init, expr) counter,
#include "tt_emu/unops.h"
#undef TT_EMU_UNOP
    };
    k.counters.tile_ops[std::string("sfpu_") + names[static_cast<int>(op)]]++;
}

void typecast_tile(uint32_t in_fmt, uint32_t out_fmt, uint32_t idst) {
    KernelCtx& k = compute_ctx("typecast_tile");
    Dst& d = math_dst(k, "typecast_tile", idst);
    need_sfpu_init(k, "typecast_tile", "typecast_tile_init");
    const std::string what = std::string("typecast_tile<") + fmt_name(in_fmt) + ", " + fmt_name(out_fmt) + ">";
    const bool float_in = in_fmt == F32 || in_fmt == BF16, float_out = out_fmt == F32 || out_fmt == BF16;
    if (!(float_in || is_integer_format(in_fmt)) || !(float_out || is_integer_format(out_fmt))) {
        fault(what + ": only Float32, Float16_b, Int32, UInt32, Int8 and UInt8 are emulated");
    }
    if ((in_fmt == F32 || is_integer_format(in_fmt) || out_fmt == F32 || is_integer_format(out_fmt)) && !d.fp32) {
        fault(what + ": 32-bit values need DST in 32-bit mode (ComputeConfig fp32_dest_acc_en = true)");
    }
    if (d.integer[idst] == float_in) {
        fault(what + " on DST[" + std::to_string(idst) + "], which holds " + (d.integer[idst] ? "int32" : "float") +
              " values");
    }
    float* t = d.tile[idst];
    for (int i = 0; i < 1024; ++i) {
        float x = t[i];
        if (float_in && out_fmt == I32) {
            x = std::isnan(x) ? 0.f : std::trunc(std::fmin(std::fmax(x, -2147483648.f), 2147483520.f));
        } else if (float_in && out_fmt == U32) {
            x = std::isnan(x) ? 0.f : std::trunc(std::fmin(std::fmax(x, 0.f), 4294967040.f));
        } else if (float_in && out_fmt == I8) {
            x = std::isnan(x) ? 0.f : std::trunc(std::fmin(std::fmax(x, -128.f), 127.f));
        } else if (float_in && out_fmt == U8) {
            x = std::isnan(x) ? 0.f : std::trunc(std::fmin(std::fmax(x, 0.f), 255.f));
        } else if (out_fmt == BF16) {
            x = round_to_bf16(x);
        }
        t[i] = x;
    }
    d.integer[idst] = is_integer_format(out_fmt);
    count(k, "sfpu_typecast");
}

void reduce_tile(uint32_t pool, uint32_t dim, uint32_t icb, uint32_t icb_scaler, uint32_t itile,
                 uint32_t itile_scaler, uint32_t idst) {
    KernelCtx& k = compute_ctx("reduce_tile");
    Dst& d = math_dst(k, "reduce_tile", idst);
    if (pool > 2 || dim > 2) fault("reduce_tile: unsupported PoolType/ReduceDim (MIN has no FPU pool)");
    if (k.last_init != "reduce_init") {
        fault("reduce_tile: the engines are set up for " + (k.last_init.empty() ? std::string("nothing") : k.last_init) +
              "; call reduce_init<...>(icb, icb_scaler, ocb) first");
    }
    alignas(64) float x[1024], sc[1024];
    unpack_input(k, icb, itile, x, "reduce_tile", 'A');
    unpack_input(k, icb_scaler, itile_scaler, sc, "reduce_tile", 'B');
    const bool is_max = pool == 2;
    float* o = d.tile[idst];
    float out[32];
    int n = dim == 2 ? 1 : 32;
    for (int a = 0; a < n; ++a) {
        float acc = is_max ? -INFINITY : 0.f;
        for (int b = 0; b < (dim == 2 ? 1024 : 32); ++b) {
            float v;
            if (dim == 0) v = x[a * 32 + b] * sc[b];          // row a, column b
            else if (dim == 1) v = x[b * 32 + a] * sc[b];     // column a, row b
            else v = x[b] * (is_max ? sc[0] : sc[0] * sc[0]);
            acc = is_max ? (v > acc ? v : acc) : acc + v;
        }
        out[a] = acc;
    }
    float prev[32];
    for (int a = 0; a < n; ++a) prev[a] = dim == 1 ? o[a] : o[a * 32];
    std::memset(o, 0, sizeof(float) * 1024);
    for (int a = 0; a < n; ++a) {
        float r = is_max ? (out[a] > prev[a] ? out[a] : prev[a]) : prev[a] + out[a];
        if (dim == 1) o[a] = r;
        else o[a * 32] = r;
    }
    count(k, is_max ? "reduce_max" : "reduce_sum");
}

void pack_tile(uint32_t idst, uint32_t cb, uint32_t out_index, bool out_of_order) {
    KernelCtx& k = compute_ctx("pack_tile");
    Dst& d = *k.dst;
    if (d.state != Dst::Waited && !(d.legacy && d.state == Dst::Acquired)) {
        fault(std::string("pack_tile: DST is ") + state_name(d.state) + "; pack needs tile_regs_commit() and tile_regs_wait() first");
    }
    if (idst >= d.capacity) {
        fault("pack_tile: DST index " + std::to_string(idst) + " is over capacity (" + std::to_string(d.capacity) +
              " tiles: " + d.capacity_why + "; knobs: ComputeConfig fp32_dest_acc_en / dst_full_sync_en)");
    }
    if (cb >= arch().num_cbs || !k.core->cb[cb].used) {
        fault("pack_tile(cb " + std::to_string(cb) + "): no circular buffer with this index on this core");
    }
    const CBConfig& c = k.core->cb[cb];
    if (k.fmt_pack != static_cast<int>(c.fmt)) {
        fault("pack_tile(" + std::to_string(idst) + ", cb " + std::to_string(cb) + "): cb " + std::to_string(cb) + " holds " +
              fmt_name(c.fmt) + " tiles but the packer is set up for " + fmt_or_nothing(k.fmt_pack) +
              "; call pack_reconfig_data_format(" + std::to_string(cb) + ") first");
    }
    LocalCB& l = k.local[cb];
    uint32_t slot = out_of_order ? out_index : l.packed;
    if (slot >= l.reserved) {
        fault("pack_tile(" + std::to_string(idst) + ", cb " + std::to_string(cb) + "): writes page " + std::to_string(slot) +
              " of the back but only " + std::to_string(l.reserved) + " pages are reserved (cb_reserve_back)");
    }
    uint32_t off = l.wr_off + slot * c.page_size;
    if (off + c.page_size > c.offset + c.size) {
        fault("pack_tile(cb " + std::to_string(cb) + "): page " + std::to_string(slot) +
              " of the reserved region straddles the end of the ring");
    }
    if (c.page_size < tile_bytes(c.fmt)) {
        fault("pack_tile(cb " + std::to_string(cb) + "): page size " + std::to_string(c.page_size) + " is smaller than a " +
              fmt_name(c.fmt) + " tile (" + std::to_string(tile_bytes(c.fmt)) + " bytes)");
    }
    if (d.integer[idst] != is_integer_format(c.fmt)) {
        fault("pack_tile(" + std::to_string(idst) + ", cb " + std::to_string(cb) + "): DST[" + std::to_string(idst) +
              "] holds " + (d.integer[idst] ? "int32" : "float") + " values but the CB is " + fmt_name(c.fmt) +
              "; the packer does not convert between the two: typecast_tile<" +
              (d.integer[idst] ? "Int32, Float32" : "Float32, Int32") + "> first");
    }
    if (k.l1_acc) {  // the packer adds DST to the page's values (fp32 sum, rounded to the format)
        if (is_integer_format(c.fmt)) {
            fault("pack_tile(" + std::to_string(idst) + ", cb " + std::to_string(cb) + "): L1 accumulation into " +
                  fmt_name(c.fmt) + " tiles is not emulated; call pack_reconfig_l1_acc(0) first");
        }
        float sum[1024];
        unpack_tile(k.core->l1 + off, c.fmt, sum);
        for (int i = 0; i < 1024; ++i) sum[i] += d.tile[idst][i];
        pack_tile_to(sum, c.fmt, k.core->l1 + off);
    } else {
        pack_tile_to(d.tile[idst], c.fmt, k.core->l1 + off);
    }
    if (!out_of_order) l.packed++;
    count(k, "pack");
}

}  // namespace tt_emu::k
