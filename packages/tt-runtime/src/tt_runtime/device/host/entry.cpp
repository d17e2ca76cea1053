// entry.cpp -- main() of every emulator build of a host program.
//
// The build compiles main.cpp with -Dmain=tt_emu_host_main and links this file with it, so the
// host program's own main becomes tt_emu_host_main and the emulator library decides how to run
// it: once (as the command line asks, the default) or, with --serve, once per request in a
// warm process (serve.cpp).
#undef main

namespace tt_emu {
int host_entry(int argc, char** argv, int (*host_main)(int, char**));
}

int tt_emu_host_main(int argc, char** argv);

int main(int argc, char** argv) { return tt_emu::host_entry(argc, argv, tt_emu_host_main); }
