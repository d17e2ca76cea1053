"""main.cpp decisions: core ranges, the per-core work table, formats."""

import copy
import json

import pytest
from fixtures._common import GOLDEN_ROOT

from tt_codegen import CodegenError
from tt_codegen._host import core_ranges, render_main, work_table

PLAN = json.loads((GOLDEN_ROOT / "eltwise_add" / "tt.plan.json").read_text())


def test_core_ranges_merge_rows_then_stack_rows():
    """Runs of x merge into a range; identical runs in consecutive rows stack."""
    cores = [[x, y] for y in range(2) for x in range(8)] + [[0, 2], [1, 2], [3, 2]]
    assert core_ranges(cores) == [((0, 0), (7, 1)), ((0, 2), (1, 2)), ((3, 2), (3, 2))]


def test_shared_value_columns_and_conflicts():
    """Same-named value args with equal values share a column; differing values get their own."""
    columns, column_of, rows = work_table(PLAN)
    assert columns == ["x", "y", "block_start", "block_count"] and rows[1] == [1, 0, 1, 1]
    plan = copy.deepcopy(PLAN)
    for ca in plan["kernels"][1]["core_args"]:
        ca["values"] = [7]
    columns, column_of, rows = work_table(plan)
    assert columns[-1] == "compute_block_count" and column_of[("compute", "block_count")] == 4


def test_multiple_ranges_print_one_per_line():
    """Several core ranges are listed one per line in the CoreRangeSet."""
    plan = copy.deepcopy(PLAN)
    plan["work"]["cores"][7]["core"] = [0, 3]
    for k in plan["kernels"]:
        k["core_args"][7]["core"] = [0, 3]
    text = render_main(plan)
    assert "    CoreRangeSet cores(std::vector<CoreRange>{\n        CoreRange(CoreCoord(0, 0), CoreCoord(6, 0)),\n" in text


def test_unconvertible_host_format_is_an_error():
    """main.cpp converts float32/float16/bfloat16/int32 only."""
    plan = copy.deepcopy(PLAN)
    plan["buffers"][0]["data_format"] = "Bfp8_b"
    with pytest.raises(CodegenError, match="Bfp8_b"):
        render_main(plan)


def test_missing_core_args_is_an_error():
    """Every work core needs runtime values for every kernel."""
    plan = copy.deepcopy(PLAN)
    del plan["kernels"][2]["core_args"][3]
    with pytest.raises(CodegenError, match=r"writer: no core_args for work core \[3, 0\]"):
        work_table(plan)


def test_noc_coordinate_args_and_semaphores():
    """noc_x / noc_y args pass the logical coordinate through worker_core_from_logical_core;
    semaphores are created in id order."""
    plan = copy.deepcopy(PLAN)
    reader = plan["kernels"][0]
    reader["runtime_args"] += [{"name": "A_sender_x", "kind": "noc_x"}, {"name": "A_noc_y", "kind": "noc_y"}]
    for ca in reader["core_args"]:
        ca["values"] = [*ca["values"], 0, ca["core"][1]]
    plan["semaphores"] = [{"id": 1, "initial_value": 0}, {"id": 0, "initial_value": 0}]
    text = render_main(plan)
    assert "worker_core_from_logical_core(CoreCoord(x, 0)).x" in text
    assert "worker_core_from_logical_core(CoreCoord(0, y)).y" in text
    assert "noc_x(w[4]), noc_y(w[5])}" in text
    assert "CreateSemaphore(program, cores, 0);  // semaphore 0\n    CreateSemaphore(program, cores, 0);  // semaphore 1" in text
    plan["semaphores"] = [{"id": 2, "initial_value": 0}]
    with pytest.raises(CodegenError, match=r"semaphore ids \[2\] are not 0..0"):
        render_main(plan)


def test_no_noc_helpers_without_noc_args():
    """Plans without noc_* args render main.cpp without the lambdas (goldens unchanged)."""
    assert "worker_core_from_logical_core" not in render_main(PLAN)
