"""GEMM fixtures (K loop, subblocked DST, spill/reload through an intermediate CB, relu) vs goldens."""

import json

import pytest
from fixtures import gemm
from fixtures._common import OWN_GOLDEN_ROOT

import tt_codegen
from tt_ir import validate_plan

NAMES = sorted(gemm.CONFIGS)
FILES = ["reader.cpp", "compute.cpp", "writer.cpp", "main.cpp", "tt.plan.json"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("file", FILES)
def test_matches_reviewed_golden(name, file):
    """Each GEMM variant renders byte-identically to its reviewed golden file."""
    assert gemm.artifacts(name).files[file] == (OWN_GOLDEN_ROOT / name / file).read_text()


@pytest.mark.parametrize("name", NAMES)
def test_compute_structure(name):
    """Compute: hw startup, matmul_init, 5-arg matmul_tiles, spill/reload via the partial CB."""
    text = gemm.artifacts(name).files["compute.cpp"]
    lines = [line.strip() for line in text.splitlines()]
    body = lines[lines.index("void kernel_main() {") + 1 :]
    assert body[1] == "compute_kernel_hw_startup(cb_A_shared, cb_B_shared, cb_C_local);"
    assert body[2] == "matmul_init(cb_A_shared, cb_B_shared, 0);"
    matmuls = [line for line in body if line.startswith("matmul_tiles(")]
    assert matmuls and all(line.count(",") == 4 for line in matmuls)
    assert "copy_tile(cb_C_partial, t, t);" in body and "pack_tile(t, cb_C_partial);" in body
    assert ("relu_tile(t);" in body) == gemm.CONFIGS[name].relu
    acquires = [i for i, line in enumerate(body) if line == "tile_regs_acquire();"]
    releases = [i for i, line in enumerate(body) if line == "tile_regs_release();"]
    assert len(acquires) == 1 and len(releases) == 2 and acquires[0] < min(releases)


@pytest.mark.parametrize("name", NAMES)
def test_reader_batches_one_barrier_per_k_block(name):
    """All tile reads of a K block share one noc_async_read_barrier (not one per tile)."""
    reader = gemm.artifacts(name).files["reader.cpp"]
    assert reader.count("noc_async_read_barrier();") == 1
    assert reader.count("noc_async_read_page(") == 2


def test_plan_file_round_trips():
    """tt.plan.json is the module's plan, two-space indented with a trailing newline."""
    mod = gemm.module("quickstart_gemm_relu")
    text = gemm.artifacts("quickstart_gemm_relu").files["tt.plan.json"]
    assert json.loads(text) == json.loads(str(mod.attrs["tt.plan"]))
    assert text.endswith("}\n") and text.startswith('{\n  "schema_version": 1,')


@pytest.mark.parametrize("name", NAMES)
def test_gemm_plan_passes_the_schema(name):
    """emit() validates the plan first; GEMM plans carry a compute->compute spill CB."""
    plan = validate_plan(gemm.plan(gemm.CONFIGS[name]))
    assert [cb.name for cb in plan.circular_buffers if cb.is_spill] == ["C_partial"]
    assert tt_codegen.emit(gemm.module(name)).files == gemm.artifacts(name).files
