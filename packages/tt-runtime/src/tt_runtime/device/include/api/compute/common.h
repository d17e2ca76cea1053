// api/compute/common.h -- what compute API headers share (emulator version).
//
// Owns: get_arg_val / get_common_arg_val for compute kernels (declared here, as in the SDK),
// get_compile_time_arg_val, and the includes of reg_api, pack, cb_api, hw_startup.
// Called from: the compute kernel thread.
#pragma once

#include "api/compute/cb_api.h"
#include "api/compute/common_globals.h"
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/pack.h"
#include "api/compute/reconfig_data_format.h"
#include "api/compute/reg_api.h"
#include "api/debug/dprint.h"
#include "tt_emu/kernel_args.h"

