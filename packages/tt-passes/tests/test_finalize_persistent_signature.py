"""finalize_persistent_signature: get_arg_val indices per kernel and the tt.plan document."""

import json
import pathlib

from conftest import apply, body_text, plan

GOLDEN = pathlib.Path(__file__).parents[2] / "tt-runtime/tests/golden/eltwise_add/tt.plan.json"


def test_runtime_args_become_get_arg_val(add_kernel):
    """Reader: A_addr 0, B_addr 1, block_start 2, block_count 3; compute: block_count 0."""
    _, after = apply(add_kernel, "finalize_persistent_signature")
    reader = body_text(after, "reader")
    assert 'block_start: T.let[T.uint32] = T.call_extern("uint32", "get_arg_val<uint32_t>", 2)' in reader
    assert 'block_count: T.let[T.uint32] = T.call_extern("uint32", "get_arg_val<uint32_t>", 0)' \
        in body_text(after, "compute")
    assert "tt.runtime_arg" not in reader


def test_plan_equals_golden(add_kernel):
    """The plan of the 256x256 add with 64x128 blocks is the golden tt.plan.json."""
    _, after = apply(add_kernel, "finalize_persistent_signature")
    assert plan(after) == json.loads(GOLDEN.read_text())


def test_internal_attributes_removed(add_kernel):
    """Only tt.plan and the CBs' kernel lines (for diagnostics) remain as module attributes."""
    _, after = apply(add_kernel, "finalize_persistent_signature")
    assert sorted(str(k) for k in after.attrs.keys()) == ["tt.plan", "tt.source_lines"]  # noqa: SIM118 - an FFI Map
    lines = json.loads(str(after.attrs["tt.source_lines"]))
    assert sorted(lines) == ["A_shared", "B_shared", "C_local"]
    assert all(v.startswith("kernels.py:") for v in lines.values())


def test_idle_cores_get_no_args(gemm_kernel):
    """16 blocks on 64 cores: work, and every kernel's core_args, list 16 cores only."""
    _, after = apply(gemm_kernel, "finalize_persistent_signature")
    p = plan(after)
    assert len(p["work"]["cores"]) == 16
    assert all(len(k["core_args"]) == 16 for k in p["kernels"])
    assert p["kernels"][1]["runtime_args"] == [{"name": "block_count", "kind": "value"}]
