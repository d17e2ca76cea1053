"""tt_passes: the TVM pass pipeline from TileLang TIR to Tenstorrent TT TIR.

    import tt_passes
    tt_mod = tt_passes.lower(mod, arch="wormhole_b0", cb_depth="num_stages")
    seq = tt_passes.pipeline(tt_passes.Options(arch="blackhole"))   # one TVM pass
    one = tt_passes.infer_tt_layout()                                # each pass alone

`lower` returns an IRModule with `reader`, `compute`, `writer` PrimFuncs and the
`tt.plan` module attribute (docs/contracts.md §2-3). `REGISTRY` maps every pass
name to its class; `pass_list(options)` is the ordered list. Instruments: `DumpIR`
(also `dump_ir=DIR` or env `TT_DUMP_IR`) and `PassTimer` (`time_passes=True`).
"""

from tt_passes._instruments import DumpIR, PassTimer
from tt_passes._options import Options
from tt_passes._registry import REGISTRY, pass_list, pipeline
from tt_passes._runner import lower
from tt_passes._version import __version__
from tt_passes.attach_tensor_accessor import attach_tensor_accessor
from tt_passes.build_tile_dfg import build_tile_dfg
from tt_passes.canonicalize_tile_program import canonicalize_tile_program
from tt_passes.configure_tensor_accessor import configure_tensor_accessor
from tt_passes.finalize_persistent_signature import finalize_persistent_signature
from tt_passes.grid_to_core_grid import grid_to_core_grid
from tt_passes.infer_tt_layout import infer_tt_layout
from tt_passes.insert_compute_init import insert_compute_init
from tt_passes.insert_dst_management import insert_dst_management
from tt_passes.layout_aware_work_partition import layout_aware_work_partition
from tt_passes.lower_cb_intrinsics import lower_cb_intrinsics
from tt_passes.lower_shared_to_cb import lower_shared_to_cb
from tt_passes.lower_tt_tile_intrinsics import lower_tt_tile_intrinsics
from tt_passes.propagate_tt_layout import propagate_tt_layout
from tt_passes.split_device_kernel import split_device_kernel
from tt_passes.verify_tt_ir import verify_tt_ir

for _name, _cls in REGISTRY.items():  # help(tt_passes.<pass>) shows the pass's contract
    _factory = globals()[_name]
    _factory.__doc__ = f"{_factory.__doc__}\n\n{_cls.__doc__}"

__all__ = [
    "REGISTRY",
    "DumpIR",
    "Options",
    "PassTimer",
    "__version__",
    "attach_tensor_accessor",
    "build_tile_dfg",
    "canonicalize_tile_program",
    "configure_tensor_accessor",
    "finalize_persistent_signature",
    "grid_to_core_grid",
    "infer_tt_layout",
    "insert_compute_init",
    "insert_dst_management",
    "layout_aware_work_partition",
    "lower",
    "lower_cb_intrinsics",
    "lower_shared_to_cb",
    "lower_tt_tile_intrinsics",
    "pass_list",
    "pipeline",
    "propagate_tt_layout",
    "split_device_kernel",
    "verify_tt_ir",
]
