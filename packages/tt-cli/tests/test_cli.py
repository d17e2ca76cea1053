"""The `tt` command, driven with click's runner and as a subprocess."""

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


def test_inspect_without_plan(tmp_path):
    result = CliRunner().invoke(cli, ["inspect", str(tmp_path)])
    assert result.exit_code == 2
    assert "has no tt.plan.json" in result.output


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
