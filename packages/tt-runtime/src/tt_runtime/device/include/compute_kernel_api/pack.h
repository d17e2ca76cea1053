// compute_kernel_api/pack.h -- older (pre-2026) include path, kept as an alias (emulator version).
// Owns nothing: it forwards to api/compute/pack.h.
#pragma once

#include "api/compute/pack.h"
