// report.cpp -- the JSON report the emulator leaves for tt_runtime.
//
// Owns: write_report (status, kind, message, per-core counters, extra fields) to the path in
// $TT_EMU_REPORT, and fatal(): print the message on stderr, write the report, exit with
// status 3 (fault, deadlock, host API misuse) or 4 (kernel build failure).
// Called from: the host thread (after a run, or at a fault).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "emu.h"

namespace tt_emu {

std::string json_escape(const std::string& s) {
    std::string o;
    for (unsigned char c : s) {
        switch (c) {
            case '"': o += "\\\""; break;
            case '\\': o += "\\\\"; break;
            case '\n': o += "\\n"; break;
            case '\t': o += "\\t"; break;
            case '\r': o += "\\r"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof(buf), "\\u%04x", c);
                    o += buf;
                } else {
                    o += static_cast<char>(c);
                }
        }
    }
    return o;
}

void Counters::merge(const Counters& o) {
    for (const auto& [k, v] : o.tile_ops) tile_ops[k] += v;
    for (const auto& [k, v] : o.noc_read_bytes) noc_read_bytes[k] += v;
    for (const auto& [k, v] : o.noc_write_bytes) noc_write_bytes[k] += v;
    for (const auto& [k, v] : o.cb_wait_stalls) cb_wait_stalls[k] += v;
    for (const auto& [k, v] : o.setup) setup[k] += v;
}

namespace {
template <typename M>
std::string map_json(const M& m) {
    std::ostringstream o;
    o << "{";
    bool first = true;
    for (const auto& [k, v] : m) {
        o << (first ? "" : ", ") << "\"" << k << "\": " << v;
        first = false;
    }
    o << "}";
    return o.str();
}
}  // namespace

void write_report(const std::string& status, const std::string& kind, const std::string& message,
                  const std::string& extra_json) {
    const char* path = std::getenv("TT_EMU_REPORT");
    if (!path || !*path) return;
    std::ostringstream o;
    o << "{\"status\": \"" << status << "\", \"kind\": \"" << kind << "\", \"message\": \"" << json_escape(message) << "\"";
    if (!extra_json.empty()) o << ", " << extra_json;
    o << ", \"arch\": \"" << arch().name << "\", \"cores\": [";
    bool first = true;
    for (const Core& c : chip().cores) {
        if (!c.counters.used) continue;
        const Counters& k = c.counters;
        o << (first ? "" : ", ") << "\n  {\"core\": [" << c.x << ", " << c.y << "], \"tile_ops\": " << map_json(k.tile_ops)
          << ", \"noc_read_bytes\": " << map_json(k.noc_read_bytes) << ", \"noc_write_bytes\": " << map_json(k.noc_write_bytes)
          << ", \"cb_wait_stalls\": " << map_json(k.cb_wait_stalls) << ", \"setup\": " << map_json(k.setup)
          << ", \"l1_high_water\": " << k.l1_high_water << "}";
        first = false;
    }
    o << "]}\n";
    std::string tmp = std::string(path) + ".tmp";
    {
        std::ofstream out(tmp);
        out << o.str();
    }
    std::rename(tmp.c_str(), path);
}

void fatal(const std::string& kind, const std::string& message, const std::string& extra_json) {
    std::fprintf(stderr, "tt-emulator %s error: %s\n", kind.c_str(), message.c_str());
    std::fflush(stderr);
    write_report("error", kind, message, extra_json);
    _exit(kind == "kernel_build" ? 4 : 3);
}

}  // namespace tt_emu
