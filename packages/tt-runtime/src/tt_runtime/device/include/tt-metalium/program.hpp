// tt-metalium/program.hpp -- programs (tt-runtime emulator version of the TT-Metalium host API).
//
// Owns: Program (a movable handle to the emulator's program description) and CreateProgram.
// Called from: the host program (main.cpp), on the host thread.
#pragma once

#include <memory>

namespace tt_emu {
struct ProgramImpl;
}

namespace tt::tt_metal {
class Program {
public:
    Program();
    Program(Program&&) noexcept = default;
    Program& operator=(Program&&) noexcept = default;
    Program(const Program&) = delete;
    Program& operator=(const Program&) = delete;
    ~Program();
    tt_emu::ProgramImpl& impl() const { return *impl_; }

private:
    std::shared_ptr<tt_emu::ProgramImpl> impl_;
};
Program CreateProgram();
}  // namespace tt::tt_metal
