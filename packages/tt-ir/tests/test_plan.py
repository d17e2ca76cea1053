"""tt.plan.json: the golden plan, the plan rules, the JSON Schema, load and dump."""

import copy
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tt_ir import (
    Plan,
    SchemaError,
    dump_plan,
    get_arch,
    load_plan,
    plan_schema,
    validate_plan,
)
from tt_ir._schema import plan_io

GOLDEN_PATH = (
    Path(__file__).resolve().parents[2]
    / "tt-runtime/tests/golden/eltwise_add/tt.plan.json"
)
GOLDEN_TEXT = GOLDEN_PATH.read_text()


def golden():
    """A fresh copy of the golden plan document."""
    return json.loads(GOLDEN_TEXT)


def test_golden_plan_validates_and_dumps_byte_identical():
    """The contract example reads, validates and writes back to the same bytes."""
    plan = load_plan(GOLDEN_PATH)
    assert isinstance(plan, Plan)
    assert plan.to_json() == golden()
    assert dump_plan(plan) == GOLDEN_TEXT
    assert dump_plan(golden()) == GOLDEN_TEXT


def test_golden_plan_passes_the_json_schema_alone():
    """The shipped JSON Schema (draft 2020-12) accepts the golden plan."""
    schema = plan_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema_version"] == {"const": 1}
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(golden())) == []


def test_golden_plan_contents():
    """Spot checks of the typed view: lookups, arch, work cores."""
    plan = Plan.from_json(golden())
    assert plan.kernel("reader").value_arg_names == ("block_start", "block_count")
    assert plan.buffer("C").role == "output"
    assert plan.circular_buffer("C_local").index == 16
    assert plan.get_arch() == get_arch("wormhole_b0")
    assert [tuple(core) for core in plan.work_cores] == [(x, 0) for x in range(8)]
    assert hash(plan) == hash(Plan.from_json(golden()))


def test_plan_lookups_list_valid_names():
    """Unknown kernel, buffer and CB names list the valid ones."""
    plan = Plan.from_json(golden())
    with pytest.raises(
        SchemaError,
        match=r"^plan has no 'mover' kernel; kernels: reader, compute, writer$",
    ):
        plan.kernel("mover")
    with pytest.raises(
        SchemaError, match=r"^plan has no buffer 'D'; buffers: A, B, C$"
    ):
        plan.buffer("D")
    with pytest.raises(
        SchemaError,
        match=r"^plan has no circular buffer 'X'; circular buffers: A_shared, B_shared, C_local$",
    ):
        plan.circular_buffer("X")


def test_plan_built_from_parts_equals_the_document():
    """Constructing a Plan from its objects gives the same plan as reading the JSON."""
    plan = Plan.from_json(golden())
    rebuilt = Plan(
        schema_version=1,
        kernel_name=plan.kernel_name,
        arch=plan.arch,
        core_grid=[8, 8],
        compute_config=plan.compute_config,
        buffers=list(plan.buffers),
        circular_buffers=list(plan.circular_buffers),
        kernels=list(plan.kernels),
        work=plan.work,
        l1=plan.l1,
    )
    assert rebuilt == plan
    assert dump_plan(rebuilt) == GOLDEN_TEXT


def test_plan_built_from_parts_reports_paths():
    """Rule errors from direct construction still carry the JSON path."""
    plan = Plan.from_json(golden())
    with pytest.raises(SchemaError) as info:
        Plan(1, "k", "wormhole_b0", (8, 8), plan.compute_config, plan.buffers[::-1],
             plan.circular_buffers, plan.kernels, plan.work, plan.l1)  # fmt: skip
    assert info.value.path == "$.buffers[0].index"


def set_at(data, path, value):
    """Replace the value at ``path`` (keys and list indices) in ``data``."""
    *parents, last = path
    for key in parents:
        data = data[key]
    data[last] = value


def overflow(data):
    """Grow C_local to 1600 pages and keep the l1 section consistent with it."""
    set_at(data, ["circular_buffers", 2, "num_pages"], 1600)
    set_at(data, ["l1", "cbs", 2, "bytes"], 1600 * 2048)
    set_at(data, ["l1", "per_core_bytes"], 2 * 32768 + 1600 * 2048)


def move_core_7_to(x, y):
    """Move the last work core (and its kernel entries) to ``(x, y)``."""

    def mutate(data):
        set_at(data, ["work", "cores", 7, "core"], [x, y])
        for kernel in data["kernels"]:
            set_at(kernel, ["core_args", 7, "core"], [x, y])

    return mutate


def add_idle_core(data):
    """Give the reader an entry for a core without work."""
    data["kernels"][0]["core_args"].append({"core": [0, 1], "values": [0, 1]})


def too_many_args(data):
    """342 runtime args on the compute kernel."""
    compute = data["kernels"][1]
    compute["runtime_args"] = [{"name": f"a{i}", "kind": "value"} for i in range(342)]


MUTATIONS = [
    (
        "cb index past the arch's CB count",
        lambda d: set_at(d, ["circular_buffers", 2, "index"], 40),
        "$.circular_buffers[2].index",
        "CircularBuffer.index: 40 is out of range for wormhole_b0 (0..31)",
    ),
    (
        "cb indices unique",
        lambda d: set_at(d, ["circular_buffers", 1, "index"], 0),
        "$.circular_buffers[1].index",
        "Plan.circular_buffers[1].index: 0 repeats circular_buffers[0]; must be unique",
    ),
    (
        "cb names unique",
        lambda d: set_at(d, ["circular_buffers", 1, "name"], "A_shared"),
        "$.circular_buffers[1].name",
        (
            "Plan.circular_buffers[1].name: 'A_shared' repeats circular_buffers[0]; must be "
            "unique"
        ),
    ),
    (
        "producer differs from consumer",
        lambda d: set_at(d, ["circular_buffers", 0, "consumer"], "reader"),
        "$.circular_buffers[0].consumer",
        "CircularBuffer.consumer: 'reader' is also the producer; a CB connects two kernels "
        "(only an intermediate CB may loop compute -> compute, for spilled partial sums, "
        "and a scratch CB reader -> reader)",
    ),
    (
        "math fidelity",
        lambda d: set_at(d, ["compute_config", "math_fidelity"], "HiFi5"),
        "$.compute_config.math_fidelity",
        "ComputeConfig.math_fidelity: 'HiFi5' is not one of LoFi, HiFi2, HiFi3, HiFi4",
    ),
    (
        "per_core_bytes is the CB sum",
        lambda d: set_at(d, ["l1", "per_core_bytes"], 98000),
        "$.l1.per_core_bytes",
        "L1Usage.per_core_bytes: 98000 is not the sum of cbs[].bytes (98304)",
    ),
    (
        "l1.cbs match the circular buffers",
        lambda d: set_at(d, ["circular_buffers", 2, "num_pages"], 8),
        "$.l1.cbs",
        (
            "L1Usage.cbs: [0: 32768, 1: 32768, 16: 32768] does not match circular_buffers "
            "(index, page_size * num_pages): [0: 32768, 1: 32768, 16: 16384]"
        ),
    ),
    (
        "capacity is the arch's L1",
        lambda d: set_at(d, ["l1", "capacity"], 1572864),
        "$.l1.capacity",
        "L1Usage.capacity: 1572864 is not the L1 size of wormhole_b0 (1499136)",
    ),
    (
        "base is not below the first free byte",
        lambda d: set_at(d, ["l1", "base"], 4096),
        "$.l1.base",
        "L1Usage.base: 4096 is below the first free L1 byte of wormhole_b0 (102400)",
    ),
    (
        "core_args length",
        lambda d: set_at(d, ["kernels", 0, "core_args", 3, "values"], [3]),
        "$.kernels[0].core_args[3].values",
        (
            "Kernel.core_args[3].values: core (3, 0) has 1 values; the runtime_args schema "
            "has 2 per-core entries (block_start, block_count)"
        ),
    ),
    (
        "runtime args limit",
        too_many_args,
        "$.kernels[1].runtime_args",
        "Kernel.runtime_args: 342 entries; at most 341 per core",
    ),
    (
        "work core inside the grid",
        move_core_7_to(8, 0),
        "$.work.cores[7].core",
        "CoreWork.core: (8, 0) is outside the 8x8 core grid",
    ),
    (
        "work cover",
        lambda d: set_at(d, ["work", "cores", 7, "count"], 2),
        "$.work.cores[7]",
        "WorkPartition.cores[7]: blocks 7..8 run past num_blocks 8",
    ),
    (
        "num_blocks is the grid product",
        lambda d: set_at(d, ["work", "grid"], [2, 4, 2]),
        "$.work.num_blocks",
        "WorkPartition.num_blocks: 8 is not the product of grid [2, 4, 2] (16)",
    ),
    (
        "idle cores get no kernels",
        add_idle_core,
        "$.kernels[0].core_args[8].core",
        "CoreArgs.core: (0, 1) has no work; only cores in work.cores get kernels",
    ),
    (
        "every work core gets kernels",
        lambda d: d["kernels"][2]["core_args"].pop(),
        "$.kernels[2].core_args",
        "Kernel.core_args: no entry for work core (7, 0); every core in work.cores needs one",
    ),
    (
        "accessor names a plan buffer",
        lambda d: set_at(d, ["kernels", 0, "accessors", 1, "buffer"], "Z"),
        "$.kernels[0].accessors[1].buffer",
        "Accessor.buffer: 'Z' is not a plan buffer; buffers: A, B, C",
    ),
    (
        "buffer address names a plan buffer",
        lambda d: set_at(d, ["kernels", 2, "runtime_args", 0, "buffer"], "Z"),
        "$.kernels[2].runtime_args[0].buffer",
        "RuntimeArg.buffer: 'Z' is not a plan buffer; buffers: A, B, C",
    ),
    (
        "three kernels",
        lambda d: d["kernels"].pop(),
        "$.kernels",
        "Plan.kernels: no 'writer' kernel; a plan has one each of reader, compute, writer",
    ),
    (
        "data movement kernels on different RISC-Vs",
        lambda d: set_at(d, ["kernels", 2, "processor"], "RISCV_1"),
        "$.kernels[2].processor",
        "Kernel.processor: 'RISCV_1' is already running the reader kernel",
    ),
    (
        "buffers in signature order",
        lambda d: set_at(d, ["buffers", 1, "index"], 2),
        "$.buffers[1].index",
        "Buffer.index: 2 at position 1; buffers are listed in signature order",
    ),
    (
        "schema version",
        lambda d: set_at(d, ["schema_version"], 2),
        "$.schema_version",
        "Plan.schema_version: 2 is not supported; allowed: 1",
    ),
    (
        "arch name",
        lambda d: set_at(d, ["arch"], "grayskull"),
        "$.arch",
        "Plan.arch: 'grayskull' is not one of wormhole_b0, blackhole",
    ),
    (
        "core grid fits the die",
        lambda d: set_at(d, ["core_grid"], [9, 8]),
        "$.core_grid",
        (
            "Plan.core_grid: (9, 8) does not fit wormhole_b0; allowed: x in 1..8, y in 1..8 "
            "(full grids: 8x8)"
        ),
    ),
    (
        "semaphore ids within the arch",
        lambda d: set_at(d, ["semaphores"], [{"id": 8, "initial_value": 0}]),
        "$.semaphores[0].id",
        "Semaphore.id: 8 is out of range for wormhole_b0 (0..7)",
    ),
    (
        "CB formats of two exponent families",
        lambda d: set_at(d, ["circular_buffers", 1, "data_format"], "Float16"),
        "$.circular_buffers[1].data_format",
        (
            "CircularBuffer.data_format: 'B_shared' is Float16 (exponent family A) but 'A_shared' "
            "is Float16_b (family B); tt-metal builds a program only when its CBs share one "
            "exponent family (Float32, Int32 and UInt8 belong to none)"
        ),
    ),
    (
        "unknown top-level field",
        lambda d: set_at(d, ["grid"], [8, 8]),
        "$.grid",
        (
            "Plan: unknown field 'grid'; fields are schema_version, kernel_name, arch, "
            "core_grid, compute_config, buffers, circular_buffers, kernels, work, l1, "
            "semaphores"
        ),
    ),
]


@pytest.mark.parametrize(
    ("mutate", "path", "message"),
    [case[1:] for case in MUTATIONS],
    ids=[case[0] for case in MUTATIONS],
)
def test_mutated_plan_fails_at_the_path(mutate, path, message):
    """Each broken rule is a SchemaError naming the rule, located at the field."""
    data = golden()
    mutate(data)
    with pytest.raises(SchemaError) as info:
        validate_plan(data)
    assert info.value.message == message
    assert info.value.path == path
    assert str(info.value) == f"{message}\n  at {path}"


def test_l1_overflow_prints_a_per_cb_table():
    """base + per_core_bytes > capacity: the message lists every CB's bytes."""
    data = golden()
    overflow(data)
    with pytest.raises(SchemaError) as info:
        validate_plan(data)
    assert info.value.path == "$.l1.per_core_bytes"
    assert str(info.value) == (
        "L1Usage.per_core_bytes: the circular buffers need 3342336 B but wormhole_b0 has "
        "1396736 B of L1 from base 102400 (base + per_core_bytes = 3444736 > capacity "
        "1499136)\n"
        "  index  name                     page_size x num_pages     bytes\n"
        "      0  A_shared                      2048 x 16            32768\n"
        "      1  B_shared                      2048 x 16            32768\n"
        "     16  C_local                       2048 x 1600        3276800\n"
        "  total                                                   3342336\n"
        "  at $.l1.per_core_bytes"
    )


def blackhole(data):
    """The golden plan retargeted to Blackhole with an 11x10 grid."""
    data["arch"] = "blackhole"
    data["core_grid"] = [11, 10]
    data["l1"]["capacity"] = 1572864
    return data


def test_blackhole_plan_allows_cb_40_and_semaphores():
    """Blackhole has 64 CBs; the same CB index fails on Wormhole."""
    data = blackhole(golden())
    set_at(data, ["circular_buffers", 2, "index"], 40)
    set_at(data, ["l1", "cbs", 2, "index"], 40)
    data["semaphores"] = [{"id": 0, "initial_value": 1}, {"id": 7, "initial_value": 0}]
    plan = validate_plan(data)
    assert plan.get_arch().grid == (11, 10)
    assert plan.to_json() == data


def test_validate_plan_against_a_target():
    """arch= checks the plan against a given target: name and grid."""
    plan = validate_plan(golden(), arch="wormhole_b0")
    assert validate_plan(plan, arch=get_arch("wormhole_b0")) is plan
    with pytest.raises(SchemaError) as info:
        validate_plan(plan, arch="blackhole")
    assert (
        str(info.value)
        == "Plan.arch: the plan is for wormhole_b0, not blackhole\n  at $.arch"
    )
    with pytest.raises(SchemaError) as info:
        validate_plan(plan, arch=get_arch("wormhole_b0", grid=(4, 4)))
    assert str(info.value) == (
        "CoreWork.core: (4, 0) is outside the 4x4 core grid\n  at $.work.cores[4].core"
    )
    with pytest.raises(
        SchemaError, match="unknown arch 'p150'; valid: wormhole_b0, blackhole"
    ):
        validate_plan(plan, arch="p150")


def test_validate_plan_checks_work_cores_against_a_smaller_target():
    """A 13x10 Blackhole plan runs on an 11x10 card only if its work cores fit."""
    data = blackhole(golden())
    data["core_grid"] = [13, 10]
    small_card = get_arch("blackhole", grid=(11, 10))
    assert validate_plan(data, arch=small_card).core_grid == (13, 10)
    move_core_7_to(12, 0)(data)
    plan = validate_plan(data)
    with pytest.raises(SchemaError) as info:
        validate_plan(plan, arch=small_card)
    assert info.value.message == "CoreWork.core: (12, 0) is outside the 11x10 core grid"
    assert info.value.path == "$.work.cores[7].core"


def test_validate_plan_applies_the_json_schema(monkeypatch):
    """validate_plan runs the shipped JSON Schema too, reporting its path."""
    schema = plan_schema()
    schema["properties"]["kernel_name"] = {"type": "string", "maxLength": 3}
    monkeypatch.setattr(plan_io, "_schema", lambda: schema)
    plan_io._validator.cache_clear()
    try:
        with pytest.raises(SchemaError) as info:
            validate_plan(golden())
    finally:
        plan_io._validator.cache_clear()
    assert (
        str(info.value)
        == "plan.schema.json: 'eltwise_add' is too long\n  at $.kernel_name"
    )


def all_paths(value, path=()):
    """Every path in a JSON document, containers included, root excluded.

    Lists contribute their first two entries only: the rest repeat the same shape.
    """
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))[:2]
    else:
        return
    for key, child in items:
        yield (*path, key)
        yield from all_paths(child, (*path, key))


ALL_PATHS = list(all_paths(golden()))


@pytest.mark.parametrize("bad", [{"bad": 1}, -1, "?", 1.5])
def test_any_wrong_value_is_rejected_by_both_checkers(bad):
    """Replacing any field with a wrong value fails the typed reader and the JSON Schema."""
    validator = jsonschema.Draft202012Validator(plan_schema())
    schema_accepted = []
    for path in ALL_PATHS:
        data = golden()
        set_at(data, path, bad)
        with pytest.raises(SchemaError):
            Plan.from_json(data)
        if validator.is_valid(data):
            schema_accepted.append(path)
    assert schema_accepted == []
    assert len(ALL_PATHS) > 100


def test_load_plan_from_text_and_str_path():
    """load_plan takes JSON text, a str path or a Path."""
    assert (
        load_plan(GOLDEN_TEXT) == load_plan(str(GOLDEN_PATH)) == load_plan(GOLDEN_PATH)
    )


def test_load_plan_reports_bad_json_and_missing_files(tmp_path):
    """Unreadable files and invalid JSON are SchemaErrors that say which."""
    with pytest.raises(SchemaError) as info:
        load_plan('{"schema_version": 1,}')
    assert str(info.value) == (
        "tt.plan.json: invalid JSON: Expecting property name enclosed in double quotes "
        "at line 1 column 22"
    )
    missing = tmp_path / "nope.json"
    with pytest.raises(SchemaError) as info:
        load_plan(missing)
    assert (
        str(info.value)
        == f"load_plan: cannot read {missing}: No such file or directory"
    )


def test_load_plan_rejects_a_document_that_is_not_an_object():
    """A JSON list is not a plan."""
    with pytest.raises(SchemaError) as info:
        validate_plan([1, 2])
    assert str(info.value) == "Plan: expected a JSON object, got [1, 2]\n  at $"


def test_dump_plan_is_deterministic_and_in_contract_order(tmp_path):
    """Same plan, same bytes; keys in contract order, 2-space indent, final newline."""
    plan = load_plan(GOLDEN_PATH)
    first = dump_plan(plan)
    assert first == dump_plan(Plan.from_json(json.loads(first)))
    assert first.endswith("}\n") and not first.endswith("\n\n")
    assert list(json.loads(first)) == [
        "schema_version", "kernel_name", "arch", "core_grid", "compute_config", "buffers",
        "circular_buffers", "kernels", "work", "l1", "semaphores",
    ]  # fmt: skip
    assert first.splitlines()[1] == '  "schema_version": 1,'


def test_dump_plan_validates_a_dict():
    """dump_plan refuses an invalid document."""
    data = golden()
    overflow(data)
    with pytest.raises(SchemaError, match="L1Usage.per_core_bytes"):
        dump_plan(data)


def test_validate_plan_does_not_modify_its_input():
    """The caller's document is left as it was."""
    data = golden()
    before = copy.deepcopy(data)
    validate_plan(data)
    assert data == before


def test_import_does_not_load_tvm():
    """tt_ir, its schema and plan validation work without importing TVM."""
    code = (
        "import sys\n"
        "import tt_ir\n"
        "from tt_ir import load_plan, dump_plan, plan_schema\n"
        "import tt_ir.arch, tt_ir.dtypes, tt_ir.errors\n"
        f"plan = load_plan({str(GOLDEN_PATH)!r})\n"
        "assert dump_plan(plan).startswith('{')\n"
        "assert plan_schema()['properties']['schema_version'] == {'const': 1}\n"
        "print(sorted(m for m in sys.modules if m == 'tvm' or m.startswith('tvm.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_typed_checks_alone_still_enforce_the_rules():
    """validate_plan(json_schema=False) skips only the JSON Schema, not the plan rules."""
    bad = json.loads(GOLDEN_TEXT)
    bad["circular_buffers"][0]["index"] = 1
    with pytest.raises(SchemaError, match=r"repeats circular_buffers\[1\]|must be unique"):
        validate_plan(bad, json_schema=False)
