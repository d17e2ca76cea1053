"""T.print: the reader prints a message and scalar values with DPRINT(format, ...), once per
block trip; the generated reader compiles against the real SDK's dprint.h."""

import shutil

import numpy as np
import pytest

import tt_cli
import tt_ir.language as T
from tt_ir import TTError


@tt_cli.jit(out_idx=[-1])
def doubled(M=64, N=64, n=2):

    @T.prim_func
    def main(X: T.Tensor((M, N), T.float32), Y: T.Tensor((M, N), T.float32)):
        with T.Kernel(T.ceildiv(M, 32)) as bx:
            x = T.alloc_fragment((32, N), T.float32)
            T.print(msg="block")
            T.copy(X[bx * 32, 0], x)
            for t in T.serial(n):
                T.print(bx * 10 + t, msg="bx * 10 + t = ")
                for i, j in T.Parallel(32, N):
                    x[i, j] = x[i, j] * 2.0
            T.copy(x, Y[bx * 32, 0])

    return main


def test_print_writes_each_trip_to_stderr(capfd):
    """Two blocks (on two cores) of two trips each: the message once per block, the value once
    per trip, whole lines (cores print at once; the order between them is not fixed)."""
    kernel = tt_cli.compile(doubled.factory(), out_idx=[-1])
    (y,) = kernel.run(np.ones((64, 64), np.float32)).outputs.values()
    np.testing.assert_array_equal(y, np.full((64, 64), 4.0, np.float32))
    lines = [line for line in capfd.readouterr().err.splitlines() if line]
    assert sorted(lines) == sorted(["block", "block", "bx * 10 + t = 0", "bx * 10 + t = 1",
                                    "bx * 10 + t = 10", "bx * 10 + t = 11"])
    reader = kernel.get_kernel_source("reader")
    assert '#include "api/debug/dprint.h"' in reader
    assert 'DPRINT("bx * 10 + t = {}\\n", ' in reader  # TT-Metalium 0.81's DPRINT(format, ...)


def test_print_compiles_against_the_sdk(tmp_path, capsys):
    from tt_codegen.sdk_check import find_sdk
    from tt_codegen.sdk_check.__main__ import main as sdk_check_main

    if find_sdk() is None or shutil.which("clang++-19") is None:
        pytest.skip("no SDK cache or clang-19: run `python -m tt_codegen.sdk_check --setup`")
    tt_cli.compile(doubled.factory(), out_idx=[-1]).save(tmp_path / "doubled")
    assert sdk_check_main(["--arch", "wormhole_b0", str(tmp_path)]) == 0
    assert "3/3 kernel builds ok" in capsys.readouterr().out


def test_printing_a_buffer_is_refused_saying_why():
    with pytest.raises(TTError) as err:
        @T.prim_func
        def bad(X: T.Tensor((32, 32), T.float32)):
            with T.Kernel(1) as _:
                x = T.alloc_fragment((32, 32), T.float32)
                T.copy(X[0, 0], x)
                T.print(x, msg="x")

    assert "T.print(x): printing a buffer is not supported on Tenstorrent" in str(err.value)
    assert "copy it to an output tensor and print that on the host" in str(err.value)
