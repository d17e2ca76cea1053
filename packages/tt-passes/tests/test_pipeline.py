"""The pipeline as a whole: registry, options, lowering of every supported kernel class on
both arches, refusals surfacing as TTCompileError, and the runner instruments."""


import pytest
from conftest import kernels, plan

import tt_ir.language as T
import tt_passes
from tt_ir import tir
from tt_ir.errors import SchemaError, TTCompileError
from tt_passes._options import Options

PASS_ORDER = [
    "canonicalize_tile_program", "infer_tt_layout", "propagate_tt_layout", "attach_tensor_accessor",
    "layout_aware_work_partition", "grid_to_core_grid", "lower_shared_to_cb",
    "lower_tt_tile_intrinsics", "build_tile_dfg", "split_device_kernel",
    "configure_tensor_accessor", "lower_cb_intrinsics", "insert_dst_management",
    "insert_compute_init", "finalize_persistent_signature", "verify_tt_ir"]


def test_registry_keys_are_pass_names():
    """Each registry key is its pass's own name, and every pass has a module-level factory."""
    assert sorted(tt_passes.REGISTRY) == sorted(PASS_ORDER)
    for name, cls in tt_passes.REGISTRY.items():
        assert cls.name == name
        assert "Requires:" in __import__(cls.__module__, fromlist=["_"]).__doc__
        assert callable(getattr(tt_passes, name))
        assert getattr(tt_passes, name)().info.name == name


def test_pipeline_order():
    """pass_list is the one ordered list; verify is dropped only when asked."""
    assert [p.name for p in tt_passes.pass_list(Options())] == PASS_ORDER
    assert [p.name for p in tt_passes.pass_list(Options(verify=False))] == PASS_ORDER[:-1]


def test_public_surface():
    """__all__ snapshot."""
    assert sorted(tt_passes.__all__) == sorted(
        ["DumpIR", "Options", "PassTimer", "REGISTRY", "__version__", "lower", "pass_list",
         "pipeline"] + PASS_ORDER)


def test_unknown_option_lists_valid_ones():
    """An unknown option or arch is a SchemaError naming the valid values."""
    with pytest.raises(SchemaError, match="unknown option"):
        Options.make(stages=3)
    with pytest.raises(SchemaError, match="wormhole_b0"):
        Options(arch="grayskull")


CASES = {
    "add": lambda: kernels.eltwise("add"),
    "sub_fp16": lambda: kernels.eltwise("sub", dtype=T.float16),
    "mul_fp32": lambda: kernels.eltwise("mul", dtype=T.float32),
    "quickstart": lambda: kernels.matmul(1024, 1024, 1024, 128, 128, 32, stages=3),
    "gemm_tb": lambda: kernels.matmul(256, 256, 256, 64, 64, 64, tb=True, relu=False),
    "gemm_partial": lambda: kernels.matmul(96, 160, 96, 64, 64, 64, stages=1),
    "gemm_fp32": lambda: kernels.matmul(128, 128, 128, 64, 64, 32, dtype=T.float32),
    "gemm_fp16_s4": lambda: kernels.matmul(256, 256, 256, 64, 128, 64, dtype=T.float16, stages=4),
}


@pytest.mark.parametrize("arch", ["wormhole_b0", "blackhole"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_lowers_and_verifies(case, arch):
    """Each kernel class lowers to reader/compute/writer that verify_tt_ir accepts."""
    mod = tt_passes.lower(CASES[case](), arch=arch)
    assert sorted(str(g.name_hint) for g in mod.functions) == ["compute", "reader", "writer"]
    p = plan(mod)
    assert p["arch"] == arch
    assert sum(c["count"] for c in p["work"]["cores"]) == p["work"]["num_blocks"]


def test_quickstart_uses_the_whole_grid():
    """1024^3 with 128x128 blocks: 64 blocks, one per Wormhole core; 130 Blackhole cores: 64 busy."""
    wh = plan(tt_passes.lower(CASES["quickstart"]()))
    bh = plan(tt_passes.lower(CASES["quickstart"](), arch="blackhole"))
    assert len(wh["work"]["cores"]) == 64 and len(bh["work"]["cores"]) == 64
    assert wh["compute_config"]["fp32_dest_acc_en"] is True


def test_refusal_is_a_tt_compile_error():
    """lower() raises the pass's own TTCompileError object, not a TVM RuntimeError."""
    with pytest.raises(TTCompileError) as err:
        tt_passes.lower(kernels.attention(seq=80, bm=40, bn=40, heads=1))
    assert err.value.pass_name == "infer_tt_layout" and err.value.numbers["shape"] == [1, 1, 80, 64]


def test_dump_ir_and_timing(tmp_path):
    """dump_ir=DIR writes one file per pass; timings lists each pass once."""
    timings = []
    tt_passes.lower(kernels.eltwise(), dump_ir=str(tmp_path), timings=timings)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files[0] == "01_canonicalize_tile_program.py" and files[-1] == "16_verify_tt_ir.py"
    assert [name for name, _ in timings] == PASS_ORDER
    assert tir.parse((tmp_path / "16_verify_tt_ir.py").read_text()) is not None


def test_dump_env_variable(tmp_path, monkeypatch):
    """TT_DUMP_IR=DIR turns the dump on without an option."""
    monkeypatch.setenv("TT_DUMP_IR", str(tmp_path))
    tt_passes.lower(kernels.eltwise())
    assert len(list(tmp_path.iterdir())) == 16


def test_pass_timer_report():
    """PassTimer is an ordinary TVM instrument with a text report."""
    timer = tt_passes.PassTimer()
    tt_passes.lower(kernels.eltwise(), instruments=[timer])
    assert "infer_tt_layout" in timer.report() and "total" in timer.report()


def test_readme_pass_index_matches_the_registry():
    """The README's pass table lists exactly the pipeline's passes, in pipeline order."""
    import pathlib
    import re

    import tt_passes

    readme = (pathlib.Path(__file__).parents[1] / "README.md").read_text()
    section = readme.split("## Passes", 1)[1].split("\n## ", 1)[0]
    listed = [n for n in re.findall(r"^\| ([a-z_]+) \|", section, re.MULTILINE) if n != "pass"]
    pipeline = [type(p).name for p in tt_passes.pass_list(tt_passes.Options())]
    assert listed == pipeline
    assert sorted(listed) == sorted(tt_passes.REGISTRY)


@pytest.mark.parametrize("name", PASS_ORDER)
def test_help_shows_the_pass_contract(name):
    """help(tt_passes.<pass>) and help of its class show Requires/Guarantees, not a signature."""
    import pydoc
    for obj in (getattr(tt_passes, name), tt_passes.REGISTRY[name]):
        text = pydoc.render_doc(obj, renderer=pydoc.plaintext)
        assert "Requires:" in text and name in text


@pytest.mark.parametrize(("name", "first_missing"), [
    ("propagate_tt_layout", "infer_tt_layout"),
    ("lower_shared_to_cb", "grid_to_core_grid"),
    ("lower_cb_intrinsics", "configure_tensor_accessor"),
    ("finalize_persistent_signature", "insert_compute_init"),
])
def test_a_pass_run_out_of_order_names_the_pass_it_needs(name, first_missing):
    """A pass run on a module its predecessors have not seen says which must run first; it
    used to fail with an 'internal error' (KeyError) or, for some, silently return a module."""
    mod = tir.IRModule({"main": kernels.matmul(128, 128, 128, 64, 64, 32)})
    with pytest.raises(TTCompileError) as err:
        getattr(tt_passes, name)()(mod)
    text = str(err.value)
    assert f"[tt-passes:{name}] runs after {first_missing}, which has not run on this module" in text
    assert "run so far: none" in text and "hint: run the passes in tt_passes.REGISTRY order" in text


def test_passes_in_order_one_at_a_time_match_the_pipeline():
    """Running each pass of the registry by hand, in order, gives the pipeline's plan; the
    record of the passes run is gone from the final module."""
    kernel = kernels.matmul(128, 128, 128, 64, 64, 32)
    mod = tir.IRModule({"main": kernel})
    for name in PASS_ORDER:
        mod = getattr(tt_passes, name)()(mod)
    whole = tt_passes.lower(kernel)
    assert plan(mod) == plan(whole)
    assert "tt.passes_run" not in [str(k) for k in mod.attrs.keys()]  # noqa: SIM118 - an FFI Map
