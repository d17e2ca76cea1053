// compute_kernel_api/reg_api.h -- older (pre-2026) include path, kept as an alias (emulator version).
// Owns nothing: it forwards to api/compute/reg_api.h.
#pragma once

#include "api/compute/reg_api.h"
