"""The `tt` command, driven with click's runner and as a subprocess."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tt_cli.cli import cli, main

GOLDEN = Path(__file__).resolve().parents[2] / "tt-runtime" / "tests" / "golden" / "eltwise_add"
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def run_main(args, capsys):
    """Runs the real entry point (which maps TTError to exit 2) and returns (code, out, err)."""
    with pytest.raises(SystemExit) as exit_info:
        main(args)
        raise SystemExit(0)
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


def test_inspect_prints_cores_cbs_l1_and_args():
    result = CliRunner().invoke(cli, ["inspect", str(GOLDEN)])
    assert result.exit_code == 0, result.output
    assert "kernel eltwise_add on wormhole_b0 (core grid 8x8)" in result.output
    assert "logical grid 2x4x1 = 8 blocks on 8 cores" in result.output
    lines = result.output.splitlines()
    cb_row = next(line for line in lines if line.lstrip().startswith("16  C_local"))
    assert cb_row.split()[2:8] == ["output", "Float16_b", "2048", "16", "32768", "compute"]
    assert "L1 per core: 98304 B of CBs from base 102400 = 200704 / 1499136 B (13.4% of L1)" in result.output
    assert "runtime args [0:A_addr, 1:B_addr, 2:block_start, 3:block_count]" in result.output


def test_inspect_without_plan(tmp_path, capsys):
    """A directory without a plan and a missing directory: each says which, exit 2."""
    code, _, err = run_main(["inspect", str(tmp_path)], capsys)
    assert code == 2
    assert err.strip() == (f"error: '{tmp_path}' has no tt.plan.json, so it is not an artifact directory; "
                           f"make one with `tt compile FILE.py -o {tmp_path}`")
    code, _, err = run_main(["inspect", str(tmp_path / "nope")], capsys)
    assert code == 2
    assert err.strip() == (f"error: artifact directory '{tmp_path / 'nope'}' does not exist; "
                           f"make one with `tt compile FILE.py -o {tmp_path / 'nope'}`")


def _corrupt_copy(tmp_path, edit):
    out = tmp_path / "bad"
    shutil.copytree(GOLDEN, out)
    plan = out / "tt.plan.json"
    plan.write_text(edit(plan.read_text()))
    return out, plan


def _drop_buffers(text):
    doc = json.loads(text)
    del doc["buffers"]
    return json.dumps(doc)


def _negative_shape(text):
    doc = json.loads(text)
    doc["buffers"][0]["shape"][0] = -64
    return json.dumps(doc)


@pytest.mark.parametrize(("edit", "what"), [
    (lambda t: t[:-20], "invalid JSON: Expecting "),
    (_drop_buffers, "Plan: missing field 'buffers'; fields are schema_version, "),
    (_negative_shape, "Buffer.shape[0]: -64 must be >= 1"),
])
@pytest.mark.parametrize("command", ["run", "inspect"])
def test_a_corrupted_plan_is_a_clear_error_naming_the_file_and_field(command, edit, what, tmp_path, capsys):
    """Before: JSONDecodeError / KeyError / numpy's 'negative dimensions' as an internal error, exit 3."""
    out, plan = _corrupt_copy(tmp_path, edit)
    code, _, err = run_main([command, str(out)], capsys)
    assert code == 2, err
    assert err.startswith(f"error: {plan} is not a valid plan: {what}")
    assert f"recompile them with `tt compile FILE.py -o {out}`" in err
    assert "internal error" not in err


def test_compile_missing_file_exits_2_without_traceback(capsys, tmp_path):
    code, out, err = run_main(["compile", str(tmp_path / "missing.py"), "-o", str(tmp_path / "out")], capsys)
    assert code == 2
    assert err.strip() == f"error: kernel file '{tmp_path / 'missing.py'}' does not exist"
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_compile_syntax_error(capsys, tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import tt_ir.language as T\n\ndef f(:\n")
    code, _, err = run_main(["compile", str(bad), "-o", str(tmp_path / "out")], capsys)
    assert code == 2
    assert f"{bad}:3: syntax error" in err
    assert not (tmp_path / "out").exists()


def test_compile_unknown_kernel(capsys, tmp_path):
    code, _, err = run_main(["compile", str(EXAMPLES / "gemm.py"), "--kernel", "nope", "-o", str(tmp_path / "o")], capsys)
    assert code == 2
    assert "has no kernel 'nope'; kernels in it: gemm" in err


def test_help_lists_every_subcommand():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ("compile", "run", "inspect", "ir", "passes", "doctor"):
        assert f"  {name} " in result.output


@pytest.mark.parametrize("command", ["tt", "tilelang-tt"])
def test_installed_entry_points(command):
    exe = shutil.which(command) or str(Path(sys.executable).parent / command)
    proc = subprocess.run([exe, "inspect", str(GOLDEN)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "kernel eltwise_add" in proc.stdout


@pytest.mark.parametrize(("param", "message"), [
    ("M=abc", "error: --param M='abc': factory 'matmul' takes an integer for M (its default is 1024); "
              "e.g. --param M=1024"),
    ("block_K=2.5", "error: --param block_K=2.5: factory 'matmul' takes an integer for block_K (its default is 32); "
                    "e.g. --param block_K=32"),
])
def test_compile_a_param_of_the_wrong_type_exits_2(param, message, tmp_path, capsys):
    """Before: 'internal error: AssertionError ... please report it', exit 3."""
    code, _, err = run_main(["compile", str(EXAMPLES / "quickstart.py"), "--param", param, "-o", str(tmp_path / "o")],
                            capsys)
    assert code == 2
    assert err.strip() == message


def test_a_factory_that_raises_names_its_parameters_and_line(tmp_path, capsys):
    """Any exception inside the factory is a KernelFileError with the file line and the parameters, exit 2."""
    src = tmp_path / "k.py"
    src.write_text("def make(n=4):\n    return [0] * 2 / n\n")
    code, _, err = run_main(["compile", str(src), "--kernel", "make", "--param", "n=2", "-o", str(tmp_path / "o")],
                            capsys)
    assert code == 2
    assert err.strip() == (f"error: {src}:2: factory 'make' failed with n=2: TypeError: unsupported operand type(s) "
                           "for /: 'list' and 'int'; check the --param values")


QS_SMALL = [str(EXAMPLES / "quickstart.py"), "--param", "M=128", "--param", "N=128", "--param", "K=64",
            "--param", "block_M=64", "--param", "block_N=64"]


def _a_shared_pages(out):
    plan = json.loads((out / "tt.plan.json").read_text())
    return next(cb["num_pages"] for cb in plan["circular_buffers"] if cb["name"] == "A_shared")


def test_option_passes_a_compiler_option_a_hint_names(tmp_path, capsys):
    """--option cb_depth=1 (what the L1-overflow hint suggests) reaches the passes: 1 block per input CB, not 3."""
    assert run_main(["compile", *QS_SMALL, "-o", str(tmp_path / "default")], capsys)[0] == 0
    assert run_main(["compile", *QS_SMALL, "--option", "cb_depth=1", "-o", str(tmp_path / "d1")], capsys)[0] == 0
    assert _a_shared_pages(tmp_path / "default") == 3 * 2  # num_stages=3 blocks of 64x32 = 2 tiles
    assert _a_shared_pages(tmp_path / "d1") == 1 * 2


@pytest.mark.parametrize(("option", "message"), [
    ("cb_dept=1", "error: unknown option(s) cb_dept; valid: arch, cb_depth, dump_ir, fp32_acc, full_sync, grid, "
                  "math_fidelity, order, reuse, spill, time_passes, verify"),
    ("cb_depth", "error: --option 'cb_depth' is not KEY=VALUE (e.g. --option cb_depth=1)"),
    ("arch=blackhole", "error: --option arch=...: the target is chosen with --arch (wormhole_b0 or blackhole)"),
])
def test_a_bad_option_exits_2_naming_it(option, message, tmp_path, capsys):
    code, _, err = run_main(["compile", *QS_SMALL, "--option", option, "-o", str(tmp_path / "o")], capsys)
    assert code == 2
    assert err.strip().splitlines()[-1] == message


EAGER_FILE = '''import numpy as np
import tt_cli
import tt_ir.language as T


@tt_cli.jit
def scale(X, factor=2.0, block=32):
    M, N = T.const("M, N")
    X: T.Tensor((M, N), T.float32)
    Y = T.empty((M, N), T.float32)
    with T.Kernel(T.ceildiv(N, block), T.ceildiv(M, block)) as (bx, by):
        X_s = T.alloc_shared((block, block), T.float32)
        Y_l = T.alloc_fragment((block, block), T.float32)
        T.copy(X[by * block, bx * block], X_s)
        for i, j in T.Parallel(block, block):
            Y_l[i, j] = X_s[i, j] * factor
        T.copy(Y_l, Y[by * block, bx * block])
    return Y


def reference(X, factor=2.0):
    return X * factor
'''


def test_run_an_eager_kernel_file(capsys, tmp_path):
    """`tt run` on an eager kernel: its T.const sizes and plain parameters are --params."""
    path = tmp_path / "eager_scale.py"
    path.write_text(EAGER_FILE)
    code, out, _ = run_main(["run", str(path), "--param", "M=64", "--param", "N=96"], capsys)
    assert code == 0 and "PASS" in out
    code, _, err = run_main(["compile", str(path), "-o", str(tmp_path / "o")], capsys)
    assert code == 2 and "factory 'scale' needs --param for M, N" in err


TWO_KERNELS_FILE = '''import numpy as np
import tt_cli
import tt_ir.language as T


def _scale(M, N, factor):
    @T.prim_func
    def scale(X: T.Tensor((M, N), T.float32), Y: T.Tensor((M, N), T.float32)):
        with T.Kernel(T.ceildiv(M, 32)) as bx:
            x = T.alloc_fragment((32, N), T.float32)
            T.copy(X[bx * 32, 0], x)
            for i, j in T.Parallel(32, N):
                x[i, j] = x[i, j] * factor
            T.copy(x, Y[bx * 32, 0])
    return scale


@tt_cli.jit(out_idx=[-1])
def double(M=64, N=64):
    return _scale(M, N, 2.0)


@tt_cli.jit(out_idx=[-1])
def triple(M=64, N=64):
    return _scale(M, N, 3.0)


def triple_inputs(seed, M=64, N=64):
    return [np.full((M, N), 0.5, np.float32)]


def triple_reference(X):
    return X * 3


def reference(X):
    return X * 2
'''


def test_a_file_of_several_kernels_names_its_helpers_per_kernel(capsys, tmp_path):
    """`<kernel>_reference` / `_inputs` are that kernel's; plain `reference` serves the rest."""
    path = tmp_path / "two.py"
    path.write_text(TWO_KERNELS_FILE)
    code, out, _ = run_main(["run", str(path), "--kernel", "triple", "--param", "M=32"], capsys)
    assert code == 0 and "PASS" in out and "max abs error 0.000e+00" in out
    code, out, _ = run_main(["run", str(path), "--kernel", "double"], capsys)
    assert code == 0 and "PASS" in out
    path.write_text(TWO_KERNELS_FILE.replace("return X * 3", "return X * 4"))
    code, out, _ = run_main(["run", str(path), "--kernel", "triple"], capsys)
    assert "FAIL" in out


TUNE_FILE = '''import tt_cli
import tt_ir.language as T


@tt_cli.autotune(configs=[dict(block=32), dict(block=64)])
@tt_cli.jit(out_idx=[-1])
def scale(M=128, N=128, block=32):
    @T.prim_func
    def main(X: T.Tensor((M, N), T.float32), Y: T.Tensor((M, N), T.float32)):
        with T.Kernel(T.ceildiv(M, block)) as bx:
            x = T.alloc_fragment((block, N), T.float32)
            T.copy(X[bx * block, 0], x)
            for i, j in T.Parallel(block, N):
                x[i, j] = x[i, j] * 2.0
            T.copy(x, Y[bx * block, 0])
    return main
'''


def test_tune_ranks_candidates_lists_refusals_and_caches(capsys, tmp_path, monkeypatch):
    """`tt tune`: the --try candidates ranked by the model, a refused one listed with its
    reason, the best printed and written with -o; a second run reads the scores back from the
    cache (keyed by the generated artifacts); with no --try, the kernel's autotune configs."""
    monkeypatch.setenv("TT_RUNTIME_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "tune_me.py"
    path.write_text(TUNE_FILE)
    args = ["tune", str(path), "--try", "block=32,64,40", "-j", "1"]
    code, out, _ = run_main([*args, "-o", str(tmp_path / "best")], capsys)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].split() == ["rank", "model", "time", "bound", "config"]
    ranked = [line for line in lines[1:3]]
    assert {line.split()[-1] for line in ranked} == {"block=32", "block=64"}
    assert all(line.split()[0] in ("1", "2") and line.split()[2] == "us" for line in ranked)
    assert "refused" in lines[3] and "block=40" in lines[3] and "multiple of 32" in lines[3]
    best = lines[4]
    assert best.startswith("best: --param block=") and best.split("=")[-1] == ranked[0].split("=")[-1]
    assert (tmp_path / "best" / "tt.plan.json").is_file()
    code, out, _ = run_main(args, capsys)
    assert code == 0 and out.count("(cached)") == 2
    code, out, _ = run_main(["tune", str(path), "-j", "1"], capsys)  # the autotune configs
    assert code == 0 and out.count("(cached)") == 2 and "refused" not in out
    # another performance model (here: its sources read differently) scores again
    monkeypatch.setattr("tt_cli._tuner.MODEL_SOURCES", ("_perf.py",))
    code, out, _ = run_main(["tune", str(path), "-j", "1"], capsys)
    assert code == 0 and "(cached)" not in out


def test_tune_without_candidates_says_how_to_give_them(capsys, tmp_path):
    path = tmp_path / "plain.py"
    path.write_text(TUNE_FILE.replace("@tt_cli.autotune(configs=[dict(block=32), dict(block=64)])\n", ""))
    code, _, err = run_main(["tune", str(path)], capsys)
    assert code == 2
    assert "nothing to tune: give candidate values with --try K=V1,V2" in err


def test_run_and_inspect_print_json_for_scripts(capsys, tmp_path):
    """`tt run --json`: one JSON object on stdout (outputs with their checks, the model's
    estimate, the verdict); `tt inspect --json`: the validated plan."""
    import json

    path = tmp_path / "two.py"
    path.write_text(TWO_KERNELS_FILE)
    code, out, _ = run_main(["run", str(path), "--kernel", "triple", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["kernel"] == "scale" and data["passed"] is True and data["device"] == "emulator"
    assert data["outputs"]["Y"]["check"]["max_abs_error"] == 0.0 and data["outputs"]["Y"]["shape"] == [64, 64]
    assert data["estimate"]["time_us"] > 0 and data["estimate"]["bound"] in ("dram", "compute", "noc")
    code, out, _ = run_main(["inspect", str(GOLDEN), "--json"], capsys)
    assert code == 0 and json.loads(out)["kernel_name"] == "eltwise_add"
