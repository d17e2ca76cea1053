// serve.cpp -- the host program's entry point, and its warm (serving) mode.
//
// Owns: host_entry(), which the emulator build of every main.cpp calls from its real main()
// (main.cpp is compiled with -Dmain=tt_emu_host_main; device/host/entry.cpp supplies main).
// Without --serve it runs the host program once, as before. With --serve the process stays up
// and runs the host program once per request, keeping what a fresh process pays for again every
// time: the mapped and faulted-in L1 and DRAM pages, the loaded kernels, the freed host buffers.
// After each run (once its status is sent) reset_chip_for_run() gives the next run the state a
// fresh process would have.
//
// Protocol (tt_runtime._serve is the other end): one request per line on stdin, fields
// separated by \x1f:
//   cwd, stdout path, stderr path, env count N, N x "KEY=VALUE", then argv[1..]
// The replies go to the stdout the process started with: "run\n" once the request is taken,
// then "<exit status>\n" when the host program returns. The host program's own stdout and
// stderr go to the request's files. A fault, deadlock, watchdog or crash ends the process as
// in a one-shot run (fatal(), the crash handler: report, _exit), so the client reads the
// status from the process and starts a new server for the next run. The server also exits at
// EOF on stdin and after TT_EMU_SERVE_IDLE seconds (default 300) without a request.
// Called from: device/host/entry.cpp (the host executable's main).
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "emu.h"

namespace tt_emu {

namespace {

std::vector<std::string> split(const std::string& line, char sep) {
    std::vector<std::string> out(1);
    for (char ch : line) {
        if (ch == sep) {
            out.emplace_back();
        } else {
            out.back() += ch;
        }
    }
    return out;
}

int idle_limit_ms() {
    const char* v = std::getenv("TT_EMU_SERVE_IDLE");
    double s = v && *v ? std::strtod(v, nullptr) : 300.0;
    return s > 0 ? static_cast<int>(s * 1000) : -1;
}

bool read_request(std::string& line, int idle_ms) {
    pollfd p{0, POLLIN, 0};
    int ready = poll(&p, 1, idle_ms);
    if (ready <= 0) return false;  // idle too long (or poll failed): end quietly
    line.clear();
    for (char c;;) {
        ssize_t n = read(0, &c, 1);  // byte by byte: the line is short and nothing after it is ours
        if (n <= 0) return false;
        if (c == '\n') return true;
        line += c;
    }
}

// Point fd at a fresh file (truncated), returning false if it cannot be opened.
bool redirect(int fd, const std::string& path) {
    int f = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (f < 0) return false;
    dup2(f, fd);
    close(f);
    return true;
}

int serve(const char* argv0, int (*host_main)(int, char**)) {
    // Keep freed host buffers (the .npy words, the tiled copies: MBs per tensor) in the heap
    // instead of returning them to the kernel, which would zero fresh pages for the next run.
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    const int reply = dup(1), saved_out = dup(1), saved_err = dup(2);
    const int idle_ms = idle_limit_ms();
    std::string line;
    while (read_request(line, idle_ms)) {
        std::vector<std::string> f = split(line, '\x1f');
        int rc = 70;  // EX_SOFTWARE: a request the server could not carry out
        size_t nenv = f.size() >= 4 ? std::strtoul(f[3].c_str(), nullptr, 10) : 0;
        if (f.size() >= 4 + nenv && chdir(f[0].c_str()) == 0) {
            for (size_t i = 0; i < nenv; ++i) {
                const std::string& kv = f[4 + i];
                size_t eq = kv.find('=');
                if (eq != std::string::npos) setenv(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);
            }
            if (write(reply, "run\n", 4) != 4) return 0;  // the client is gone
            std::vector<std::string> args(f.begin() + 4 + nenv, f.end());
            std::vector<char*> argv{const_cast<char*>(argv0)};
            for (std::string& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            std::fflush(stdout);
            std::fflush(stderr);
            if (redirect(1, f[1]) && redirect(2, f[2])) {
                try {
                    rc = host_main(static_cast<int>(argv.size() - 1), argv.data());
                } catch (const std::exception& e) {
                    std::fprintf(stderr, "tt-emulator: the host program threw: %s\n", e.what());
                } catch (...) {
                    std::fprintf(stderr, "tt-emulator: the host program threw a non-standard exception\n");
                }
            }
            std::fflush(stdout);
            std::fflush(stderr);
            dup2(saved_out, 1);
            dup2(saved_err, 2);
        }
        std::string r = std::to_string(rc) + "\n";
        if (write(reply, r.data(), r.size()) != static_cast<ssize_t>(r.size())) return 0;  // the client is gone
        // Reset after the reply, not before the next run: the client reads the outputs meanwhile.
        reset_chip_for_run();
    }
    return 0;
}

}  // namespace

int host_entry(int argc, char** argv, int (*host_main)(int, char**)) {
    if (argc == 2 && std::strcmp(argv[1], "--serve") == 0) return serve(argv[0], host_main);
    return host_main(argc, argv);
}

}  // namespace tt_emu
