"""sdk-check: generated kernels against the ttnn 0.81.1 device headers (skips without the SDK cache)."""

import re
import shutil
from pathlib import Path

import pytest
from fixtures import eltwise_add, gemm

import tt_codegen
from tt_codegen import _compute_headers
from tt_codegen.sdk_check import find_sdk
from tt_codegen.sdk_check.__main__ import main as sdk_check_main
from tt_codegen.sdk_check._compile import classify
from tt_codegen.sdk_check._headers import scan

SDK = find_sdk()
needs_sdk = pytest.mark.skipif(
    SDK is None or shutil.which("clang++-19") is None,
    reason="no SDK cache or clang-19: run `python -m tt_codegen.sdk_check --setup`",
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    tt_codegen.emit(eltwise_add.module()).write(root / "eltwise_add")
    for name in sorted(gemm.CONFIGS):
        gemm.artifacts(name).write(root / name)
    return root


@needs_sdk
def test_every_fixture_kernel_compiles_on_both_arches(corpus, capsys):
    """Readers/writers build to rv32 objects, compute parses for all TRISCs, on WH and BH."""
    assert sdk_check_main([str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "sdk-check: 24/24 kernel builds ok (ttnn 0.81.1, wormhole_b0, blackhole)" in out


@needs_sdk
def test_wrong_kernel_fails_at_the_kernel_line(corpus, tmp_path, capsys):
    """Bad arity and an unknown call fail as our bug, with clang's message at the kernel line."""
    bad = tmp_path / "bad"
    shutil.copytree(corpus / "eltwise_add", bad)
    src = (bad / "compute.cpp").read_text()
    src = src.replace("add_tiles(cb_A_shared, cb_B_shared, t, t, t);",
                      "add_tiles(cb_A_shared, cb_B_shared, t, t);\n            frobnicate_tile(t);")
    (bad / "compute.cpp").write_text(src)
    lines = src.splitlines()
    arity_line = next(i for i, line in enumerate(lines, 1) if "add_tiles(" in line)
    assert sdk_check_main(["--arch", "wormhole_b0", str(bad)]) == 1
    out = capsys.readouterr().out
    kernel = str((bad / "compute.cpp").resolve())
    assert f"{kernel}:{arity_line}:13: error: no matching function for call to 'add_tiles'" in out
    assert f"{kernel}:{arity_line + 1}:13: error: use of undeclared identifier 'frobnicate_tile'" in out
    assert "generated kernel does not compile" in out and "SDK drift" not in out


def test_diagnostics_outside_the_kernel_are_sdk_drift(tmp_path):
    """A diagnostic in a header (SDK or stand-in) is classified apart from the kernel's own."""
    kernel = tmp_path / "compute.cpp"
    kernel.write_text("")
    output = (
        f"{kernel}:3:5: error: use of undeclared identifier 'x'\n"
        "/sdk/ckernel_sfpu_relu.h:33:92: error: no member named 'U16' in 'sfpi::DataLayout'\n"
        "/sdk/other.h:1:1: note: candidate function not viable\n"
    )
    ours, theirs = classify(output, kernel)
    assert [str(d) for d in ours] == [f"{kernel}:3:5: error: use of undeclared identifier 'x'"]
    assert [d.path for d in theirs] == ["/sdk/ckernel_sfpu_relu.h"]


@needs_sdk
def test_header_table_matches_the_wheel():
    """_compute_headers.py is what the wheel declares (regenerate with --write-header-table)."""
    decls, common_parts, with_common = scan(SDK.hw_inc)
    assert _compute_headers.SDK_VERSION == SDK.version
    assert _compute_headers.DECLARED_IN == decls
    assert _compute_headers.COMMON_PARTS == frozenset(common_parts)
    assert _compute_headers.INCLUDES_COMMON == frozenset(with_common)


def test_standin_headers_are_package_data():
    """The SFPI stand-in and libstdc++ shims ship inside the package."""
    root = Path(tt_codegen.__file__).parent / "sdk_check" / "standin"
    for rel in ("sfpi/sfpi.h", "sfpi/lltt.h", "stdcxx/bits/c++config.h", "stdcxx/bits/os_defines.h",
                "stdcxx/bits/gthr-default.h"):
        assert (root / rel).is_file(), rel
    assert re.search(r"#define v_if\(cond\)", (root / "sfpi" / "sfpi.h").read_text())


SFPU_OPS = ("exp", "recip", "gelu", "sqrt", "sigmoid", "tanh", "relu")


@needs_sdk
def test_sfpu_ops_parse_against_the_standin(corpus, tmp_path, capsys):
    """The SFPU ops codegen may emit (init + tile call) parse for all TRISCs on both arches."""
    case = tmp_path / "sfpu"
    shutil.copytree(corpus / "eltwise_add", case)
    src = (case / "compute.cpp").read_text()
    headers = "".join(f'#include "api/compute/eltwise_unary/{op}.h"\n' for op in ("exp", "recip", "gelu", "sqrt", "relu"))
    src = src.replace('#include "api/compute/eltwise_binary.h"\n',
                      '#include "api/compute/eltwise_binary.h"\n#include "api/compute/compute_kernel_api.h"\n' + headers)
    calls = "".join(f"            {op}_tile_init();\n            {op}_tile(t);\n" for op in SFPU_OPS)
    src = src.replace("            add_tiles(cb_A_shared, cb_B_shared, t, t, t);\n",
                      "            add_tiles(cb_A_shared, cb_B_shared, t, t, t);\n" + calls)
    (case / "compute.cpp").write_text(src)
    assert sdk_check_main([str(case)]) == 0, capsys.readouterr().out


def test_sfpi_version_is_read_from_the_shell_file(tmp_path):
    """The wheel's tt_metal/sfpi-version is a shell fragment; the version is its sfpi_version= value."""
    from tt_codegen.sdk_check._sdk import Sdk

    (tmp_path / "tt_metal").mkdir()
    (tmp_path / "tt_metal" / "sfpi-version").write_text(
        "# sfpi release 7.89.0\n\nsfpi_repo='https://example.invalid/sfpi'\nsfpi_version='7.89.0'\n")
    assert Sdk(root=tmp_path, version="0.81.1").sfpi_version == "7.89.0"


# --- host calls against libtt_metal.so -------------------------------------------------
def test_host_calls_of_a_main_cpp_are_found():
    """The golden host program's calls into the host API, as the check reads them."""
    from tt_codegen.sdk_check._host_symbols import host_calls

    main = tt_codegen.emit(eltwise_add.module()).files["main.cpp"]
    assert host_calls(main) == {
        "distributed::MeshDevice::create_unit_mesh", "mesh_command_queue", "distributed::MeshBuffer::create",
        "CreateProgram", "CoreRangeSet", "CoreRange", "CircularBufferConfig", "set_page_size",
        "CreateCircularBuffer", "TensorAccessorArgs", "append_to", "CreateKernel", "address", "SetRuntimeArgs",
        "distributed::EnqueueWriteMeshBuffer", "distributed::MeshCoordinateRange", "shape", "add_program",
        "distributed::EnqueueMeshWorkload", "distributed::EnqueueReadMeshBuffer", "distributed::Finish", "close"}


def test_an_unlisted_call_and_a_missing_symbol_are_reported():
    from tt_codegen.sdk_check._host_symbols import HOST_CALLS, check_host_calls

    exported = {symbol for symbol, _ in HOST_CALLS.values()}
    main = tt_codegen.emit(eltwise_add.module()).files["main.cpp"]
    assert check_host_calls(main, exported) == []
    renamed = main.replace("CreateProgram();", "CreateProgram();\n    auto b = CreateBuffer(cfg);")
    assert check_host_calls(renamed, exported) == [
        "main.cpp calls CreateBuffer, which tt_codegen/sdk_check/_host_symbols.py does not list: add the symbol the "
        "library exports for it"]
    gone = exported - {HOST_CALLS["CreateKernel"][0]}
    assert check_host_calls(main, gone) == [f"CreateKernel: libtt_metal.so does not export {HOST_CALLS['CreateKernel'][0]}"]


@needs_sdk
def test_every_host_call_is_exported_by_the_wheels_library(corpus, capsys):
    """The fixtures' host programs (eltwise add and the GEMMs) against the
    ttnn 0.81.1 wheel's libtt_metal.so; every `python -m tt_codegen.sdk_check` run checks its programs so (the
    nox session: the whole corpus, multicast GEMMs with their semaphores among them)."""
    assert sdk_check_main(["--arch", "wormhole_b0", str(corpus)]) == 0
    out = capsys.readouterr().out
    dirs = len(list(corpus.iterdir()))
    assert f"sdk-check: {dirs}/{dirs} host programs call only what libtt_metal.so (ttnn 0.81.1) exports" in out
