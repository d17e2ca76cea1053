// tt-metalium/mesh_workload.hpp -- mesh API piece (tt-runtime emulator version of the TT-Metalium host API).
//
// Owns: nothing of its own; the mesh API lives in distributed.hpp.
// Called from: the host program (main.cpp), on the host thread.
#pragma once

#include <tt-metalium/distributed.hpp>
