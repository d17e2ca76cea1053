"""Shared fixtures: kernels built once per module, and helpers to run the pipeline
up to a pass (the "Before" of that pass's tests is the real output of the passes
before it)."""

from __future__ import annotations

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import kernels

import tt_passes
from tt_ir import tir
from tt_passes import _expr
from tt_passes._options import Options
from tt_passes._registry import pass_list


def passes(**options):
    return pass_list(Options.make(**options))


def before(kernel, name, **options):
    """The module just before pass `name` runs."""
    mod = tir.IRModule({"main": kernel}) if isinstance(kernel, tir.PrimFunc) else kernel
    mod = tt_passes._runner.as_module(kernel) if isinstance(kernel, tir.PrimFunc) else mod
    for p in passes(**options):
        if p.name == name:
            return mod
        mod = p(mod)
    raise KeyError(name)


def apply(kernel, name, **options):
    """(before, after) of pass `name`."""
    mod = before(kernel, name, **options)
    the_pass = next(p for p in passes(**options) if p.name == name)
    return mod, the_pass(mod)


def body_text(mod, role=None):
    """TVMScript of one function's body lines (attrs and headers dropped)."""
    if role is None:
        func = next(f for _, f in mod.functions.items())
    else:
        func = mod[role]
    lines = func.script().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(("def ", "@T.prim_func")))
    return "\n".join(line for line in lines[start:] if "T.func_attr" not in line and not line.startswith("#"))


def expr_blocks(mod, role=None):
    """Each `tt.expr_block` of one function, a line each, as `"tt.expr_block", "<tree>", out,
    h, w, inputs...)` with the tree (IR of `tt.tree.*` calls) printed by tt_passes._expr."""
    func = next(f for _, f in mod.functions.items()) if role is None else mod[role]
    lines = []
    for call in tir.collect(func.body, tir.Call):
        if tir.extern_name(call) == "tt.expr_block":
            tree, *rest = call.args[1:]
            lines.append(f'"tt.expr_block", "{_expr.of_ir(tree)}", ' + ", ".join(map(str, rest)) + ")")
    return "\n".join(lines)


def plan(mod):
    return json.loads(str(mod.attrs["tt.plan"]))


@pytest.fixture(scope="session")
def add_kernel():
    return kernels.eltwise_add()


@pytest.fixture(scope="session")
def gemm_kernel():
    return kernels.matmul(256, 256, 256, 64, 64, 32, stages=3, relu=True)


@pytest.fixture(scope="session")
def big_gemm_kernel():
    """Blocks of 4x4 tiles (> 4 DST tiles with fp32 accumulation), 8 K blocks."""
    return kernels.matmul(256, 256, 256, 128, 128, 32, stages=2, relu=False)
