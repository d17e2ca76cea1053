"""Kernel files for the `tt` command: parameters and the errors a user meets."""

import textwrap

import pytest

from tt_cli._loader import KernelFileError, load_kernel, parse_params
from tt_ir import tir


def test_parse_params_literals_and_strings():
    """Values are Python literals when they parse, strings otherwise."""
    assert parse_params(("M=1024", "transpose_B=True", "dtype=bfloat16", "x=1.5")) == {
        "M": 1024, "transpose_B": True, "dtype": "bfloat16", "x": 1.5}


def test_parse_params_rejects_missing_equals():
    with pytest.raises(KernelFileError, match=r"--param 'M1024' is not NAME=VALUE"):
        parse_params(("M1024",))


def test_missing_file(tmp_path):
    with pytest.raises(KernelFileError, match=r"kernel file '.*nope.py' does not exist"):
        load_kernel(tmp_path / "nope.py")


def test_syntax_error_names_file_and_line(tmp_path):
    f = tmp_path / "k.py"
    f.write_text("x = 1\ndef broken(:\n    pass\n")
    with pytest.raises(KernelFileError, match=r"k.py:2: syntax error"):
        load_kernel(f)


def test_file_without_kernels(tmp_path):
    f = tmp_path / "k.py"
    f.write_text("def reference(a):\n    return a\n")
    with pytest.raises(KernelFileError, match=r"defines no kernel: expected a @T.prim_func or a @tt_cli.jit factory"):
        load_kernel(f)


def test_exception_while_loading_names_the_line(tmp_path):
    f = tmp_path / "k.py"
    f.write_text("a = 1\nb = {}['missing']\n")
    with pytest.raises(KernelFileError, match=r"k.py:2: loading the kernel file failed: KeyError"):
        load_kernel(f)


FACTORY = textwrap.dedent('''
    import tt_cli
    import tt_ir.language as T

    @tt_cli.jit(out_idx=[1])
    def scale(M=64, N=64):
        @T.prim_func
        def main(A: T.Tensor((M, N), T.bfloat16), B: T.Tensor((M, N), T.bfloat16)):
            with T.Kernel(T.ceildiv(N, 32), T.ceildiv(M, 32)) as (bx, by):
                A_s = T.alloc_shared((32, 32), T.bfloat16)
                T.copy(A[by * 32, bx * 32], A_s)
                T.copy(A_s, B[by * 32, bx * 32])
        return main
''')


def test_factory_params_are_checked(tmp_path):
    f = tmp_path / "k.py"
    f.write_text(FACTORY)
    with pytest.raises(KernelFileError, match=r"factory 'scale' has no parameter K; its parameters: M, N"):
        load_kernel(f, params={"K": 3})


def test_unknown_kernel_lists_the_known_ones(tmp_path):
    f = tmp_path / "k.py"
    f.write_text(FACTORY)
    with pytest.raises(KernelFileError, match=r"has no kernel 'gemm'; kernels in it: scale"):
        load_kernel(f, kernel="gemm")


def test_factory_builds_with_params(tmp_path):
    f = tmp_path / "k.py"
    f.write_text(FACTORY)
    loaded = load_kernel(f, params={"M": 128})
    assert loaded.name == "scale"
    assert loaded.out_idx == [1]
    assert tir.shape_of(loaded.func.params[0]) == [128, 64]
