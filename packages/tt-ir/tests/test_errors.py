"""The TTError family: fields and the rendered messages."""

import pytest

from tt_ir.errors import (
    CodegenError,
    EmulatorError,
    KernelBuildError,
    SchemaError,
    TTCompileError,
    TTError,
)


@pytest.mark.parametrize(
    "cls", [SchemaError, TTCompileError, CodegenError, KernelBuildError, EmulatorError]
)
def test_every_error_is_a_tterror(cls):
    """The CLI catches TTError once, so every kind must derive from it."""
    assert issubclass(cls, TTError)


def test_schema_error_without_path_is_the_message():
    """A schema error outside a document prints just its message."""
    error = SchemaError("ComputeConfig.math_fidelity: 'HiFi5' is not one of LoFi")
    assert str(error) == "ComputeConfig.math_fidelity: 'HiFi5' is not one of LoFi"
    assert error.path is None


def test_schema_error_with_path_adds_an_at_line():
    """A schema error inside a document names the JSON path on a second line."""
    error = SchemaError("X.y: bad", field="a[1].y", path="$.a[1].y")
    assert str(error) == "X.y: bad\n  at $.a[1].y"
    assert error.field == "a[1].y"


def test_compile_error_renders_every_field_on_its_own_line():
    """pass, object, numbers, source line and hint all appear, in that order."""
    error = TTCompileError(
        "needs 1605632 B of L1, 1396736 B usable",
        pass_name="verify_tt_ir",
        obj="CB 'C_local'",
        numbers={"need": 1605632, "usable": 1396736},
        source_line="kernel.py:14",
        hint="reduce block_K from 256 to 64",
    )
    assert str(error) == (
        "[tt-passes:verify_tt_ir] CB 'C_local': needs 1605632 B of L1, 1396736 B usable\n"
        "  numbers: need=1605632, usable=1396736\n"
        "  at kernel.py:14\n"
        "  hint: reduce block_K from 256 to 64"
    )
    assert error.pass_name == "verify_tt_ir"
    assert error.numbers == {"need": 1605632, "usable": 1396736}


def test_compile_error_omits_absent_fields():
    """Only the first line is printed when no optional field is given."""
    error = TTCompileError("no blockIdx launch", pass_name="grid_to_core_grid")
    assert str(error) == "[tt-passes:grid_to_core_grid] no blockIdx launch"
    assert error.source_line is None and error.hint is None and error.numbers == {}


def test_compile_error_keeps_a_qualified_pass_name():
    """A pass name that already names its package is printed as given."""
    error = TTCompileError("bad region", pass_name="tt-ir:importer")
    assert str(error) == "[tt-ir:importer] bad region"


def test_codegen_error_names_node_type_and_hint():
    """The code generator says which node it cannot print and what to do."""
    error = CodegenError(
        "no C++ form", node_type="BufferLoad", hint="run lower_tt_tile_intrinsics first"
    )
    assert str(error) == (
        "[tt-codegen] BufferLoad: no C++ form\n  hint: run lower_tt_tile_intrinsics first"
    )


def test_kernel_build_error_shows_the_repro_and_names_the_signal():
    """Command, status with signal name, kept source and stderr are all shown."""
    error = KernelBuildError(
        "building reader.cpp failed",
        command=["g++", "-O2", "-c", "my file.cpp"],
        returncode=-11,
        stderr="internal compiler error\nplease report\n",
        source_path="/tmp/k/reader.cpp",
    )
    assert str(error) == (
        "building reader.cpp failed\n"
        "  command: g++ -O2 -c 'my file.cpp'\n"
        "  exit status: -11 (SIGSEGV)\n"
        "  source: /tmp/k/reader.cpp\n"
        "  stderr:\n"
        "    internal compiler error\n"
        "    please report"
    )
    assert error.command == ["g++", "-O2", "-c", "my file.cpp"]
    assert error.returncode == -11


def test_kernel_build_error_plain_exit_status_and_empty_stderr():
    """A normal failure prints the number; an empty stderr says so."""
    error = KernelBuildError(command=["g++"], returncode=1)
    text = str(error)
    assert "  exit status: 1\n" in text
    assert "  source: (not kept)" in text
    assert text.endswith("  stderr: (empty)")


def test_kernel_build_error_unknown_signal_number():
    """A signal number Python does not know is still shown as a signal."""
    error = KernelBuildError(command=["cc"], returncode=-200, stderr="x")
    assert "exit status: -200 (signal 200)" in str(error)


def test_emulator_error_prints_the_report():
    """The report's keys are printed one per line after the verdict."""
    error = EmulatorError(
        "no thread can make progress",
        kind="deadlock",
        report={"core": "(0, 0)", "kernel": "compute", "cb": "cb_in0 (0)"},
    )
    assert str(error) == (
        "[emulator:deadlock] no thread can make progress\n"
        "  core: (0, 0)\n  kernel: compute\n  cb: cb_in0 (0)"
    )
    assert error.kind == "deadlock"
    assert error.report["kernel"] == "compute"
