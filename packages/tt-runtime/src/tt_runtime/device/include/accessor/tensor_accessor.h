// accessor/tensor_accessor.h -- older (pre-2026) include path, kept as an alias (emulator version).
// Owns nothing: it forwards to api/tensor/tensor_accessor.h.
#pragma once

#include "api/tensor/tensor_accessor.h"
