// compile_time_args.h -- older (pre-2026) include path, kept as an alias (emulator version).
// Owns nothing: it forwards to api/compile_time_args.h.
#pragma once

#include "api/compile_time_args.h"
