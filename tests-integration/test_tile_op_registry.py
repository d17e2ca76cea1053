"""The SFPU functions of tt-passes' tile-op registry against the two packages that must know
them too: codegen's table of SDK headers (the printed kernel includes the header that declares
each call) and the emulator's op table (tt_emu/unops.h, one line per op with its init)."""

from __future__ import annotations

import re

import tt_runtime
from tt_codegen._compute_headers import DECLARED_IN
from tt_passes._tileops import COMPUTE_CALLS, SFPU_UNARY

UNOPS = (tt_runtime._build.INCLUDE_DIR / "tt_emu" / "unops.h").read_text()
EMULATED_INITS = set(re.findall(r'^TT_EMU_UNOP\(\w+, "\w+", "(\w+)"', UNOPS, flags=re.M))


def test_every_registry_call_and_init_has_an_sdk_header():
    missing = [(u.node, c) for u in SFPU_UNARY.values() for c in (u.call, u.init_call) if c not in DECLARED_IN]
    assert missing == []


def test_every_registry_function_is_emulated_with_its_init():
    assert len(EMULATED_INITS) > 20  # the pattern still reads the table
    missing = [(u.node, u.init_call) for u in SFPU_UNARY.values() if u.init_call not in EMULATED_INITS]
    assert missing == []


def test_every_compute_call_and_its_init_has_an_sdk_header():
    """Each compute call the passes emit (COMPUTE_CALLS) and the init insert_compute_init puts
    before it are declared by a header codegen includes; the table is not just SFPU rows."""
    assert {"matmul_tiles", "add_tiles", "sub_tiles_bcast_cols", "reduce_init", "pack_tile"} <= set(COMPUTE_CALLS)
    missing = [(c.name, name) for c in COMPUTE_CALLS.values() for name in (c.name, c.init)
               if name and name not in DECLARED_IN]
    assert missing == []
