// jit.cpp -- building kernels with the system C++ compiler, cached by content hash.
//
// Owns: the kernel build: a wrapper TU (like the SDK JIT's kernel_includes.hpp) that includes
// the kernel's text (behind a #line naming its path, so that diagnostics point at it) and exports tt_emu_kernel_entry(), compiled with
//   $TT_RUNTIME_CXX -std=c++20 -O2 -fPIC -shared -I<include> -DKERNEL_COMPILE_TIME_ARGS=a,b,
//   [-DNOC_INDEX=n | compute config defines] [user defines]
// into <cache>/kernels/<hash>/kernel.so (<cache>: $TT_RUNTIME_CACHE, else $XDG_CACHE_HOME/tilelang-tt, else ~/.cache/tilelang-tt), where <hash> covers the source text, the
// command and the emulator build (TT_EMU_BUILD_ID), not the path. Builds run two at a time; a failure exits
// through fatal("kernel_build") with the command, exit status, compiler output and kept source.
// Does not own: running the kernel (launch.cpp).
// Called from: the host thread, when a workload is enqueued.
#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "host.h"

extern char** environ;

#ifndef TT_EMU_BUILD_ID
#define TT_EMU_BUILD_ID "dev"
#endif
#ifndef TT_EMU_INCLUDE_DIR
#define TT_EMU_INCLUDE_DIR ""
#endif

namespace tt_emu {

namespace {

uint64_t fnv1a(const std::string& s, uint64_t h = 1469598103934665603ull) {
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}

// Same rule as tt_runtime._build.cache_root (which also passes TT_RUNTIME_CACHE when it runs us).
std::string cache_dir() {
    std::string xdg = env_or("XDG_CACHE_HOME", "");
    std::string base = !xdg.empty() && xdg[0] == '/' ? xdg : env_or("HOME", "/tmp") + "/.cache";
    return env_or("TT_RUNTIME_CACHE", base + "/tilelang-tt");
}

void mkdirs(const std::string& path) {
    for (size_t i = 1; i <= path.size(); ++i) {
        if (i == path.size() || path[i] == '/') mkdir(path.substr(0, i).c_str(), 0755);
    }
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct Build {
    std::vector<std::string> cmd;
    std::string dir, so, src, log, kernel_path, text;
    pid_t pid = -1;
};

Build plan_build(const KernelSpec& k) {
    Build b;
    b.kernel_path = k.path;
    std::string include = env_or("TT_RUNTIME_INCLUDE", TT_EMU_INCLUDE_DIR);
    std::string cxx = env_or("TT_RUNTIME_CXX", "g++");
    std::string ctas;
    const std::vector<uint32_t>& ca = k.is_compute ? k.cc.compile_args : k.dm.compile_args;
    for (uint32_t v : ca) ctas += std::to_string(v) + ",";
    b.cmd = {cxx, "-std=c++20", "-O2", "-fPIC", "-shared", "-Wno-deprecated-declarations", "-I" + include,
             "-DKERNEL_COMPILE_TIME_ARGS=" + ctas, "-DTENSIX_FIRMWARE", "-DKERNEL_BUILD"};
    b.cmd.push_back(arch().name == "blackhole" ? "-DARCH_BLACKHOLE" : "-DARCH_WORMHOLE");
    const std::map<std::string, std::string>& defines = k.is_compute ? k.cc.defines : k.dm.defines;
    if (k.is_compute) {
        b.cmd.push_back(std::string("-DTT_EMU_DST_ACCUM_MODE=") + (k.cc.fp32_dest_acc_en ? "true" : "false"));
        b.cmd.push_back("-DTT_EMU_MATH_FIDELITY=" + std::to_string(static_cast<int>(k.cc.math_fidelity)));
        b.cmd.push_back(std::string("-DTT_EMU_APPROX=") + (k.cc.math_approx_mode ? "true" : "false"));
        b.cmd.push_back("-DCOMPILE_FOR_TRISC");
    } else {
        b.cmd.push_back("-DNOC_INDEX=" + std::to_string(static_cast<int>(k.dm.noc)));
        b.cmd.push_back(k.dm.processor == tt::tt_metal::DataMovementProcessor::RISCV_0 ? "-DCOMPILE_FOR_BRISC"
                                                                                          : "-DCOMPILE_FOR_NCRISC");
    }
    for (const auto& [name, value] : defines) b.cmd.push_back("-D" + name + "=" + value);
    std::string text = read_file(k.path);
    std::string key = text + "\n";
    for (const std::string& a : b.cmd) key += a + "\x1f";
    key += TT_EMU_BUILD_ID;  // not the path: the same kernel text from another directory reuses the build
    char hex[17];
    std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(fnv1a(key)));
    b.dir = cache_dir() + "/kernels/" + hex;
    b.so = b.dir + "/kernel.so";
    b.src = b.dir + "/kernel_wrapper.cpp";
    b.text = text;
    size_t slash = k.path.find_last_of('/');
    if (slash != std::string::npos) b.cmd.push_back("-I" + k.path.substr(0, slash));
    b.log = b.dir + "/build.log";
    b.cmd.push_back(b.src);
    b.cmd.push_back("-o");
    b.cmd.push_back(b.so + ".tmp." + std::to_string(getpid()));
    return b;
}

void write_wrapper(const Build& b) {
    mkdirs(b.dir);
    std::ofstream out(b.src);
    out << "// Generated by the tt-runtime emulator: wraps one kernel for dlopen.\n"
        << "void kernel_main() __attribute__((weak));\n"
        << "namespace tt_emu_legacy { void kernel_main() __attribute__((weak)); }\n"
        << "#line 1 \"" << b.kernel_path << "\"\n"
        << b.text << "\n"
        << "#line 1 \"tt_emu_kernel_wrapper\"\n"
        << "extern \"C\" void tt_emu_kernel_entry() {\n"
        << "    if (&::kernel_main) { ::kernel_main(); return; }\n"
        << "    if (&::tt_emu_legacy::kernel_main) { ::tt_emu_legacy::kernel_main(); return; }\n"
        << "    extern void tt_emu_no_entry_point();\n"
        << "    tt_emu_no_entry_point();\n"
        << "}\n";
}

void start_build(Build& b) {
    write_wrapper(b);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, b.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    std::vector<char*> argv;
    for (std::string& a : b.cmd) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawnp(&b.pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fatal("kernel_build", "cannot start the C++ compiler '" + b.cmd[0] + "': " + std::strerror(rc) +
                                  " (set TT_RUNTIME_CXX)");
    }
}

std::string status_str(int status) {
    if (WIFSIGNALED(status)) {
        const char* name = sigabbrev_np(WTERMSIG(status));
        return std::string("killed by SIG") + (name ? name : std::to_string(WTERMSIG(status)).c_str());
    }
    return "exit status " + std::to_string(WEXITSTATUS(status));
}

void finish_build(Build& b) {
    int status = 0;
    waitpid(b.pid, &status, 0);
    std::string tmp = b.cmd.back();
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        std::rename(tmp.c_str(), b.so.c_str());
        return;
    }
    std::string out = read_file(b.log);
    std::ostringstream cmd_json, cmd_text;
    cmd_json << "[";
    for (size_t i = 0; i < b.cmd.size(); ++i) {
        cmd_json << (i ? ", " : "") << "\"" << json_escape(b.cmd[i]) << "\"";
        cmd_text << (i ? " " : "") << b.cmd[i];
    }
    cmd_json << "]";
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    std::string extra = "\"command\": " + cmd_json.str() + ", \"returncode\": " + std::to_string(rc) +
                        ", \"stderr\": \"" + json_escape(out) + "\", \"source_path\": \"" + json_escape(b.kernel_path) +
                        "\", \"wrapper_path\": \"" + json_escape(b.src) + "\"";
    fatal("kernel_build",
          "kernel build failed (" + status_str(status) + "): " + b.kernel_path + "\n  command: " + cmd_text.str() +
              "\n  source kept at: " + b.kernel_path + " (wrapper " + b.src + ")\n" + out,
          extra);
}

std::map<std::string, KernelEntry>& loaded() {
    static std::map<std::string, KernelEntry> m;
    return m;
}

}  // namespace

void jit_prepare(const std::vector<KernelSpec>& ks) {
    std::vector<Build> todo;
    std::map<std::string, bool> seen;
    for (const KernelSpec& k : ks) {
        Build b = plan_build(k);
        if (seen[b.so] || access(b.so.c_str(), R_OK) == 0) continue;
        seen[b.so] = true;
        todo.push_back(std::move(b));
    }
    size_t jobs = 2, next = 0, done = 0;
    std::vector<Build*> running;
    while (done < todo.size()) {
        while (running.size() < jobs && next < todo.size()) {
            start_build(todo[next]);
            running.push_back(&todo[next++]);
        }
        Build* b = running.front();
        running.erase(running.begin());
        finish_build(*b);
        done++;
    }
}

KernelEntry jit_load(const KernelSpec& k) {
    Build b = plan_build(k);
    auto it = loaded().find(b.so);
    if (it != loaded().end()) return it->second;
    if (access(b.so.c_str(), R_OK) != 0) {
        start_build(b);
        finish_build(b);
    }
    void* h = dlopen(b.so.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) fatal("kernel_build", std::string("cannot load the built kernel ") + b.so + ": " + dlerror());
    auto entry = reinterpret_cast<KernelEntry>(dlsym(h, "tt_emu_kernel_entry"));
    if (!entry) fatal("kernel_build", "the built kernel " + b.so + " has no tt_emu_kernel_entry");
    loaded()[b.so] = entry;
    return entry;
}

}  // namespace tt_emu

void tt_emu_no_entry_point() {
    tt_emu::fault("the kernel defines neither void kernel_main() nor namespace NAMESPACE { void MAIN }");
}
