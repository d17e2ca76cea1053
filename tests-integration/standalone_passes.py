"""Proof for `nox -s tt-passes-standalone`: another TVM-based compiler, with only tt-passes
installed, builds its own IRModule in plain TVMScript (TileLang's encoding, no tt_ir.language)
and lowers it with `tt_passes.lower`.
"""

import json

import tvm

import tt_ir.tir  # noqa: F401  (registers the tl.* ops and the T.tl script namespace)
import tt_passes

SRC = '''
@T.prim_func
def add(A: T.Buffer((64, 64), "bfloat16"), B: T.Buffer((64, 64), "bfloat16"), C: T.Buffer((64, 64), "bfloat16")):
    bx = T.launch_thread("blockIdx.x", 2)
    by = T.launch_thread("blockIdx.y", 2)
    A_shared = T.alloc_buffer((32, 32), "bfloat16", scope="shared.dyn")
    B_shared = T.alloc_buffer((32, 32), "bfloat16", scope="shared.dyn")
    C_local = T.alloc_buffer((32, 32), "bfloat16", scope="local.fragment")
    T.tl.copy(T.tl.region(A[by * 32, bx * 32], 1, 32, 32), T.tl.region(A_shared[0, 0], 2, 32, 32))
    T.tl.copy(T.tl.region(B[by * 32, bx * 32], 1, 32, 32), T.tl.region(B_shared[0, 0], 2, 32, 32))
    for i in T.parallel(32):
        for j in T.parallel(32):
            C_local[i, j] = A_shared[i, j] + B_shared[i, j]
    T.tl.copy(T.tl.region(C_local[0, 0], 1, 32, 32), T.tl.region(C[by * 32, bx * 32], 2, 32, 32))
'''

func = tvm.script.from_source(SRC)
lowered = tt_passes.lower(tvm.IRModule({"add": func}), arch="wormhole_b0")
roles = sorted(str(f.attrs["tt.kernel_role"]) for f in lowered.functions.values())
assert roles == ["compute", "reader", "writer"], roles
plan = json.loads(str(lowered.attrs["tt.plan"]))
assert plan["work"]["num_blocks"] == 4, plan["work"]
print(f"tt-passes alone lowered '{plan['kernel_name']}' to {roles} over {len(plan['work']['cores'])} cores")
