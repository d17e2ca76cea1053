// compute_kernel_api/common.h -- older (pre-2026) include path, kept as an alias (emulator version).
// Owns nothing: it forwards to api/compute/common.h.
#pragma once

#include "api/compute/common.h"
