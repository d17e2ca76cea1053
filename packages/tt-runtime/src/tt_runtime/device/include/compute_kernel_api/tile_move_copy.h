// compute_kernel_api/tile_move_copy.h -- older (pre-2026) include path, kept as an alias (emulator version).
// Owns nothing: it forwards to api/compute/tile_move_copy.h.
#pragma once

#include "api/compute/tile_move_copy.h"
