// compute_kernel_api/compute_kernel_hw_startup.h -- older (pre-2026) include path, kept as an alias (emulator version).
// Owns nothing: it forwards to api/compute/compute_kernel_hw_startup.h.
#pragma once

#include "api/compute/compute_kernel_hw_startup.h"
