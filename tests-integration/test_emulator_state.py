"""The emulator keeps the engine state silicon keeps: each init or data-format reconfig deleted
from a generated compute kernel is a fault at the call that needed it, naming what the engine
was set up for and what to call; a kernel that ends with DST held is a fault; a kernel that
spins without calling the API is stopped by the watchdog with its core, kernel and last call."""

import re
import time
from pathlib import Path

import numpy as np
import pytest
from corpus import load_example

import tt_cli
import tt_runtime
from tt_ir import EmulatorError


def _factory(example: str, kernel: str, **params):
    return getattr(load_example(f"{example}.py"), kernel).factory(**params)


@pytest.fixture(scope="module")
def kernels(tmp_path_factory):
    """Artifacts of three generated kernels: a GEMM whose fp32 partial sums live in a CB (the
    packer's L1 accumulation, a copy back on the last K trip, srcA and pack reconfigs), a row softmax (reductions, SFPU ops, broadcasts) and an
    elementwise add of one tile (one DST section per core)."""
    root = tmp_path_factory.mktemp("state")
    out = {}
    for name, func, out_idx in [
        ("gemm", _factory("gemm", "gemm", M=128, N=128, K=256), [2]),
        ("softmax", _factory("softmax", "softmax", M=64, N=128), [1]),
        ("add", _factory("elementwise_add", "elementwise_add", M=32, N=32, block_M=32, block_N=32), [2]),
    ]:
        out[name] = tt_cli.compile(func, out_idx=out_idx).save(root / name)
    return out


def _inputs(art: Path) -> list:
    import json

    plan = json.loads((art / "tt.plan.json").read_text())
    rng = np.random.default_rng(0)
    return [rng.uniform(-1, 1, b["shape"]).astype(np.float32) for b in sorted(plan["buffers"], key=lambda b: b["index"])
            if b["role"] == "input"]


def _mutant(art: Path, tmp_path: Path, kernel: str, pattern: str, replace: str = "") -> Path:
    """A copy of `art` whose `kernel` source has the first line matching `pattern` replaced (the
    last one when the pattern ends with `$last`)."""
    copy = tmp_path / f"{art.name}-mutant"
    copy.mkdir()
    for f in art.iterdir():
        (copy / f.name).write_text(f.read_text())
    text = (copy / kernel).read_text()
    lines = text.splitlines(keepends=True)
    last = pattern.endswith("$last")
    pattern = pattern.removesuffix("$last")
    hits = [i for i, line in enumerate(lines) if re.search(pattern, line)]
    hit = hits[-1] if last else hits[0]
    lines[hit] = replace
    (copy / kernel).write_text("".join(lines))
    return copy


def test_the_unmutated_kernels_run(kernels):
    for art in kernels.values():
        tt_runtime.run(art, _inputs(art))


DELETIONS = [
    ("gemm", r"^\s*matmul_init\(",
     "matmul_tiles: the unpackers and math are set up for nothing; call matmul_init(...) first"),
    ("gemm", r"^\s*copy_init\(cb_C_local_partials",
     "copy_tile: the unpackers and math are set up for matmul_init; call copy_init(...) first"),
    ("gemm", r"^\s*reconfig_data_format_srca\(cb_C_local_partials",
     "copy_tile: cb 24 holds Float32 tiles but the srca unpacker is set up for Float16_b; call "
     "reconfig_data_format_srca(24) (or reconfig_data_format) first"),
    # the first K trip's pack of the partial sums (the middle trips' L1-accumulating packs
    # follow a pack into the same CB, so their reconfig is redundant, on silicon as here)
    ("gemm", r"^\s*pack_reconfig_data_format\(cb_C_local_partials$last",
     "cb 24 holds Float32 tiles but the packer is set up for Float16_b; call pack_reconfig_data_format(24) first"),
    ("add", r"^\s*add_init\(",
     "add_tiles: the unpackers and math are set up for nothing; call add_init(...) first"),
    ("softmax", r"^\s*exp2_tile_init\(",
     "sfpu op: the SFPU is set up for sub_binary_tile_init; call exp2_tile_init() first"),
    ("softmax", r"^\s*reduce_uninit\(",
     "copy_init: the packer still masks reduce_init's output (its edge masks); call reduce_uninit() first"),
    ("softmax", r"^\s*reconfig_data_format_srca\(cb_x\);",
     "reduce_tile: cb 24 holds Float32 tiles but the srca unpacker is set up for Float16_b; call "
     "reconfig_data_format_srca(24) (or reconfig_data_format) first"),
]


@pytest.mark.parametrize("kernel, pattern, message", DELETIONS, ids=[f"{k}:{p}" for k, p, _ in DELETIONS])
def test_a_deleted_init_or_reconfig_is_a_fault_at_the_call(kernels, tmp_path, kernel, pattern, message):
    art = _mutant(kernels[kernel], tmp_path, "compute.cpp", pattern)
    with pytest.raises(EmulatorError) as err:
        tt_runtime.run(art, _inputs(art))
    assert err.value.kind == "protocol"
    assert re.match(r"core \(\d+,\d+\) compute\.cpp: ", err.value.message), err.value.message
    assert message in err.value.message


def test_a_kernel_ending_with_dst_held_is_a_fault(kernels, tmp_path):
    art = _mutant(kernels["add"], tmp_path, "compute.cpp", r"^\s*tile_regs_release\(\);")
    with pytest.raises(EmulatorError) as err:
        tt_runtime.run(art, _inputs(art))
    assert err.value.message == ("core (0,0) compute.cpp: kernel returned with DST waited (every tile_regs_acquire "
                                 "needs its tile_regs_commit, tile_regs_wait and tile_regs_release)")


def test_a_spinning_kernel_is_stopped_by_the_watchdog(kernels, tmp_path, monkeypatch):
    """The reader polls L1 by hand for a value that never comes; compute and writer wait on
    their CBs, so no deadlock is seen: the watchdog (1 s here) ends the run with a report."""
    spin = ("void kernel_main() {\n"
            "    cb_reserve_back(0, 1);\n"
            "    volatile uint32_t* flag = reinterpret_cast<volatile uint32_t*>(get_write_ptr(0));\n"
            "    while (flag[0] != 0xdeadbeefu) {\n    }\n")
    art = _mutant(kernels["add"], tmp_path, "reader.cpp", r"^void kernel_main\(\) \{", spin)
    monkeypatch.setenv("TT_EMU_WATCHDOG", "1")
    started = time.perf_counter()
    with pytest.raises(EmulatorError) as err:
        tt_runtime.run(art, _inputs(art))
    assert time.perf_counter() - started < 30
    assert err.value.kind == "watchdog"
    assert err.value.message.startswith("watchdog: no kernel made an API call for 1 s (TT_EMU_WATCHDOG); still running:\n"
                                        "  core (0,0) reader.cpp, last API call get_write_ptr")
