"""tt_ir.tir's pass manager: module_pass, Sequential, PassContext, pass_instrument."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import kernels

from tt_ir import tir
from tt_ir.errors import TTCompileError


@pytest.fixture
def mod():
    return tir.IRModule({"main": kernels.elementwise_add(M=64, N=64)})


def _tagging(name: str):
    """A pass that records its name as a module attribute."""
    return tir.module_pass(lambda m, ctx: m.with_attr(f"seen.{name}", 1), name=name)


def _failing(err: Exception):
    def transform(m, ctx):
        raise err

    return tir.module_pass(transform, name="fails")


def test_module_pass_runs_transform(mod):
    """A module pass is a tir.Pass; calling it returns what the transform returned."""
    p = _tagging("a")
    assert isinstance(p, tir.Pass)
    assert tir.get_attr(p(mod), "seen.a") == 1


def test_sequential_runs_passes_in_order(mod):
    """Sequential applies every pass; each one sees the previous one's output."""
    out = tir.Sequential([_tagging("a"), _tagging("b")], name="pipe")(mod)
    assert (tir.get_attr(out, "seen.a"), tir.get_attr(out, "seen.b")) == (1, 1)


def test_tt_compile_error_survives_sequential(mod):
    """A TTCompileError raised in a pass comes out of Sequential as the same object."""
    err = TTCompileError("CB 'X' too big", pass_name="verify_tt_ir", obj="CB 'X'",
                         numbers={"need": 3, "usable": 2}, source_line="k.py:3", hint="smaller")
    seq = tir.Sequential([_tagging("a"), _failing(err)], name="pipe")
    with pytest.raises(TTCompileError) as info:
        seq(mod)
    got = info.value
    assert got is err
    assert (got.pass_name, got.obj, got.numbers, got.source_line, got.hint) == (
        "verify_tt_ir", "CB 'X'", {"need": 3, "usable": 2}, "k.py:3", "smaller")


def test_tt_compile_error_survives_a_single_pass_twice(mod):
    """Two failures in a row each come back as their own object (nothing stale is returned)."""
    first = TTCompileError("first", pass_name="p")
    second = TTCompileError("second", pass_name="p")
    for err in (first, second):
        with pytest.raises(TTCompileError) as info:
            _failing(err)(mod)
        assert info.value is err


def test_other_errors_are_not_turned_into_tt_errors(mod):
    """A plain Python error in a pass keeps its type (only TTCompileError is revived)."""
    with pytest.raises(ValueError, match="boom") as info:
        _failing(ValueError("boom"))(mod)
    assert not isinstance(info.value, TTCompileError)


def test_instrument_sees_every_pass(mod):
    """An instrument in the PassContext sees each pass (and the Sequential) before and after."""

    @tir.pass_instrument
    class Recorder:
        def __init__(self):
            self.events = []

        def enter_pass_ctx(self):
            self.events.append("enter")

        def exit_pass_ctx(self):
            self.events.append("exit")

        def run_before_pass(self, m, info):
            self.events.append(f"before {info.name}")

        def run_after_pass(self, m, info):
            self.events.append(f"after {info.name}")

    rec = Recorder()
    with tir.PassContext(opt_level=0, instruments=[rec]):
        tir.Sequential([_tagging("a"), _tagging("b")], name="pipe")(mod)
    assert rec.events == ["enter", "before pipe", "before a", "after a", "before b",
                          "after b", "after pipe", "exit"]
