// compute_kernel_api/cb_api.h -- older (pre-2026) include path, kept as an alias (emulator version).
// Owns nothing: it forwards to api/compute/cb_api.h.
#pragma once

#include "api/compute/cb_api.h"
