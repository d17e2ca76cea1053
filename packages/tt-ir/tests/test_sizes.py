"""tt_ir.sizes: monomials, binding a runtime-size plan template, and its refusals."""

import json

import pytest

from tt_ir import SchemaError, TTError, sizes, validate_plan


def test_monomials_parse_print_and_evaluate():
    assert sizes.parse_monomial("2*m_div64*n_div32") == (2, ("m_div64", "n_div32"))
    assert sizes.parse_monomial(96) == (96, ())
    assert sizes.monomial(1, ["n_div32", "m_div64"]) == "m_div64*n_div32"
    assert sizes.monomial(4, []) == 4
    assert sizes.evaluate("2*m_div64*n_div32", {"m_div64": 3, "n_div32": 5}) == 30
    with pytest.raises(TTError, match="factor '2m'"):
        sizes.parse_monomial("2m*x")
    with pytest.raises(TTError, match="needs n_div32"):
        sizes.evaluate("n_div32", {})


def test_split_blocks_gives_the_first_cores_one_more():
    cores = sizes.split_blocks(10, (4, 2))
    assert [c["count"] for c in cores] == [2, 2, 1, 1, 1, 1, 1, 1]
    assert [c["start"] for c in cores] == [0, 2, 4, 5, 6, 7, 8, 9]
    assert cores[4]["core"] == [0, 1]
    assert len(sizes.split_blocks(3, (8, 8))) == 3


def _template():
    """A one-tensor-in, one-out template of `Y = f(X)` over (rows, 64) in 32-row blocks."""
    from tt_ir._schema import plan as _plan  # noqa: F401  (the schema package loads)

    buf = {"data_format": "Float32", "dtype": "float32", "page_size": 4096,
           "layout": {"memory": "dram", "kind": "interleaved", "tile": [32, 32], "shard": None}}
    kernel = {"defines": {}}
    return {
        "schema_version": 1, "kernel_name": "f", "arch": "wormhole_b0", "core_grid": [8, 8],
        "compute_config": {"math_fidelity": "HiFi4", "fp32_dest_acc_en": True,
                           "dst_full_sync_en": False, "math_approx_mode": False},
        "buffers": [{**buf, "name": "X", "index": 0, "role": "input", "shape": ["32*r_div32", 64],
                     "num_pages": "2*r_div32", "tiles": ["r_div32", 2]},
                    {**buf, "name": "Y", "index": 1, "role": "output", "shape": ["32*r_div32", 64],
                     "num_pages": "2*r_div32", "tiles": ["r_div32", 2]}],
        "circular_buffers": [
            {"index": 0, "name": "x", "role": "input", "data_format": "Float32", "page_size": 4096,
             "num_pages": 4, "producer": "reader", "consumer": "compute", "block_pages": 2},
            {"index": 16, "name": "y", "role": "output", "data_format": "Float32", "page_size": 4096,
             "num_pages": 4, "producer": "compute", "consumer": "writer", "block_pages": 2}],
        "kernels": [
            {**kernel, "role": "reader", "file": "reader.cpp", "processor": "RISCV_1", "noc": "NOC_1",
             "accessors": [{"buffer": "X", "cta_offset": 0}], "core_args": [], "compile_args": [1, 0],
             "runtime_args": [{"name": "X_addr", "kind": "buffer_address", "buffer": "X"},
                              {"name": "block_start", "kind": "value"},
                              {"name": "block_count", "kind": "value"}]},
            {**kernel, "role": "compute", "file": "compute.cpp", "processor": "TRISC", "noc": None,
             "accessors": [], "core_args": [], "compile_args": [],
             "runtime_args": [{"name": "block_count", "kind": "value"}]},
            {**kernel, "role": "writer", "file": "writer.cpp", "processor": "RISCV_0", "noc": "NOC_0",
             "accessors": [{"buffer": "Y", "cta_offset": 0}], "core_args": [], "compile_args": [1, 0],
             "runtime_args": [{"name": "Y_addr", "kind": "buffer_address", "buffer": "Y"},
                              {"name": "block_start", "kind": "value"},
                              {"name": "block_count", "kind": "value"},
                              {"name": "r_div32", "kind": "size"}]}],
        "work": {"grid": ["r_div32", 1, 1], "num_blocks": "r_div32", "order": "row_major", "cores": []},
        "l1": {"capacity": 1499136, "base": 102400, "per_core_bytes": 32768,
               "cbs": [{"index": 0, "bytes": 16384}, {"index": 16, "bytes": 16384}]},
        "semaphores": [],
        "sizes": [{"name": "r", "granule": 32, "unit": "r_div32", "source": {"buffer": "X", "dim": 0}}],
    }


def test_bind_plan_fills_shapes_work_and_per_core_values():
    plan = _template()
    bound = sizes.bind_plan(plan, sizes.sizes_from_shapes(plan, {"X": (65 * 32, 64)}))
    assert "sizes" not in bound and "sizes" in plan  # the template is left alone
    assert bound["buffers"][0]["shape"] == [2080, 64] and bound["buffers"][1]["num_pages"] == 130
    assert bound["work"]["grid"] == [65, 1, 1] and bound["work"]["num_blocks"] == 65
    writer = bound["kernels"][2]
    assert writer["runtime_args"][3] == {"name": "r_div32", "kind": "value"}
    assert writer["core_args"][0] == {"core": [0, 0], "values": [0, 2, 65]}
    assert writer["core_args"][1] == {"core": [1, 0], "values": [2, 1, 65]}
    validate_plan(bound)       # the bound plan is an ordinary plan
    validate_plan(plan)        # a template is checked through its binding at one granule


def test_bad_sizes_and_templates_are_refused():
    plan = _template()
    with pytest.raises(sizes.SizeError, match=r"size 'r' = 48 is not a positive multiple of 32"):
        sizes.bind_plan(plan, {"r": 48})
    with pytest.raises(sizes.SizeError, match="no value for size 'r'"):
        sizes.bind_plan(plan, {})
    with pytest.raises(sizes.SizeError, match="tensor 'X' has shape \\(64,\\); size 'r' is its dim 1"):
        sizes.sizes_from_shapes({**plan, "sizes": [{**plan["sizes"][0], "source": {"buffer": "X", "dim": 1}}]},
                                {"X": (64,)})
    bad = json.loads(json.dumps(plan))
    bad["sizes"][0]["granule"] = 0
    with pytest.raises(SchemaError, match=r"Plan.sizes\[0\]"):
        validate_plan(bad)
