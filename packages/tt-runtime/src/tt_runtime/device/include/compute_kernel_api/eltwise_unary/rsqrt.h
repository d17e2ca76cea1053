// compute_kernel_api/eltwise_unary/rsqrt.h -- older (pre-2026) include path, kept as an alias (emulator version).
// Owns nothing: it forwards to api/compute/eltwise_unary/rsqrt.h.
#pragma once

#include "api/compute/eltwise_unary/rsqrt.h"
