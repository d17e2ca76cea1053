// compute_kernel_api/matmul.h -- older (pre-2026) include path, kept as an alias (emulator version).
// Owns nothing: it forwards to api/compute/matmul.h.
#pragma once

#include "api/compute/matmul.h"
