"""The one registry of passes and the one pipeline list."""

from __future__ import annotations

from typing import Any

from tt_ir import tir
from tt_passes._options import Options
from tt_passes.attach_tensor_accessor import AttachTensorAccessor
from tt_passes.build_tile_dfg import BuildTileDFG
from tt_passes.canonicalize_tile_program import CanonicalizeTileProgram
from tt_passes.configure_tensor_accessor import ConfigureTensorAccessor
from tt_passes.finalize_persistent_signature import FinalizePersistentSignature
from tt_passes.grid_to_core_grid import GridToCoreGrid
from tt_passes.infer_tt_layout import InferTTLayout
from tt_passes.insert_compute_init import InsertComputeInit
from tt_passes.insert_dst_management import InsertDstManagement
from tt_passes.layout_aware_work_partition import LayoutAwareWorkPartition
from tt_passes.lower_cb_intrinsics import LowerCBIntrinsics
from tt_passes.lower_shared_to_cb import LowerSharedToCB
from tt_passes.lower_tt_tile_intrinsics import LowerTTTileIntrinsics
from tt_passes.propagate_tt_layout import PropagateTTLayout
from tt_passes.split_device_kernel import SplitDeviceKernel
from tt_passes.verify_tt_ir import VerifyTTIR

REGISTRY: dict = {cls.name: cls for cls in (
    CanonicalizeTileProgram, InferTTLayout, PropagateTTLayout, AttachTensorAccessor, LayoutAwareWorkPartition,
    GridToCoreGrid, LowerSharedToCB, LowerTTTileIntrinsics, BuildTileDFG, SplitDeviceKernel,
    ConfigureTensorAccessor, LowerCBIntrinsics, InsertDstManagement, InsertComputeInit,
    FinalizePersistentSignature, VerifyTTIR)}


def pass_list(options: Options) -> list:
    """The pipeline, in order, as pass objects (options inline next to their pass)."""
    o = options
    passes = [
        # A: canonical form and metadata
        CanonicalizeTileProgram(),
        InferTTLayout(),
        PropagateTTLayout(arch=o.arch, cb_depth=o.cb_depth, fp32_acc=o.fp32_acc,
                          math_fidelity=o.math_fidelity, full_sync=o.full_sync),
        AttachTensorAccessor(),
        # B: partition
        LayoutAwareWorkPartition(arch=o.arch, grid=o.grid, reuse=o.reuse, order=o.order),
        GridToCoreGrid(),
        # C: protocol-less tile program
        LowerSharedToCB(arch=o.arch, spill=o.spill),
        LowerTTTileIntrinsics(),
        BuildTileDFG(),
        # D: split and protocol
        SplitDeviceKernel(),
        ConfigureTensorAccessor(),
        LowerCBIntrinsics(arch=o.arch),
        InsertDstManagement(),   # before the inits: they must see the ops it creates
        InsertComputeInit(),
        # E: finalize and verify
        FinalizePersistentSignature(arch=o.arch, grid=o.grid),
        VerifyTTIR(arch=o.arch, grid=o.grid),
    ]
    return passes if o.verify else passes[:-1]


def pipeline(options: Options | None = None, **kwargs: Any) -> Any:
    """The whole pipeline as one TVM pass (a `Sequential` named "tt_pipeline")."""
    opts = options if options is not None else Options.make(**kwargs)
    return tir.Sequential([p.as_tvm_pass() for p in pass_list(opts)], name="tt_pipeline")
