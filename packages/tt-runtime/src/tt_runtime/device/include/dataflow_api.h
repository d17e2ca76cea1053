// dataflow_api.h -- older (pre-2026) include path, kept as an alias (emulator version).
// Owns nothing: it forwards to api/dataflow/dataflow_api.h.
#pragma once

#include "api/dataflow/dataflow_api.h"
