"""canonicalize_tile_program: TileLang's element-level idioms in the one tile form the pipeline reads.

Requires: one TileLang-form PrimFunc.
Rewrites:
- Scalar locals (`y = by * bm + i`, TVMScript's `x: T.int32 = ...`, `T.alloc_var` written
  once): a `local` buffer of one element stored once with an index expression (no tensor
  or fragment read) is forwarded into every later load in the same sequence, and its
  buffer dropped.
- Blocks of one row (`T.Kernel(M)` with [n] fragments and `X[i_m, a:b]` copies, TileLang's
  online softmax): 32 rows per block, [n] buffers as [32, n], one-element ones as (32,)
  vectors, 1-D reductions over dim 1 (see `coarsen_rows`).
- `T.if_then_else(cond, x, y)` / `if cond:` whose index condition has one outcome over
  its loops' ranges (`j + k * bn < N` with N a multiple of bn: always; `k * bn + j >= N`:
  never) become `x` / `y` / the branch taken; a nest then storing one constant to a whole
  block is `T.fill`.
- T.Parallel nests that read or write tensors directly (`C[by * bm + i, bx * bn + j] =
  A[by * bm + i, bx * bn + j] + B[...]`): each tensor indexed as `base + i` / `base + j`
  in the nest's last dims (the same bases at every access, leading dims free of the nest's
  variables) is staged through an on-chip block named like the tensor, shaped like the
  nest: a tensor the nest reads gets a `shared.dyn` block and a `T.copy(A[base], A)`
  before the nest; a tensor it writes a `local.fragment` block and a `T.copy(C, C[base])`
  after it. The nest then reads and writes the blocks as `A[i, j]`, exactly as if the
  kernel had copied them itself.
- A T.Parallel nest of several assignments becomes one nest per assignment.
- `x[i, j] / v[i]` (the FPU broadcasts add, subtract and multiply only) becomes
  `x[i, j] * v_recip[i]` after a nest computing `v_recip[i] = 1 / v[i]`.
- T.reduce_min / abssum / absmax and clear=False reductions become what the FPU pools
  (sum or max, clear=True): `-x` or `|x|` into a fresh fragment first (min = -max(-x)), and
  `dst[i] = op(dst[i], part[i])` over the vector after (`part`: the new partial result).
- Buffer versions: a whole redefinition of an on-chip buffer in the sequence that first
  defined it (`A_local[i, j] *= s[i]` after `T.copy(A_shared, A_local)`) writes a new
  buffer `A_local_1`, which later uses read; the value before it stays in `A_local`.
  Redefinitions inside a deeper loop (`acc[i, j] += ...` over k) are loop-carried and keep
  their buffer, as do GEMM accumulators.
- A block copied to a tensor and also read on chip, or loaded from a tensor (a pure
  copy), is first copied on chip into a fresh fragment `<name>_out`, which the writer
  drains (one CB has one consumer kernel).
Guarantees: the body is otherwise unchanged; nothing is staged that does not match the
pattern exactly (later passes refuse what is left, naming it). Module attribute
`tt.origins` maps each buffer this pass made to how the author would name it ('x_1' ->
'x (its value after the first rewrite)', 's_recip' -> '1 / s'); every pass's refusals are
worded with those names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tt_passes import _meta
from tt_passes._base import TTPass, kernel_func, with_kernel_body
from tt_passes._canon_math import (
    canonical_reductions,
    constant_nests_as_fills,
    fold_known_conditions,
    hoist_vector_divisors,
)
from tt_passes._canon_rows import coarsen_rows
from tt_passes._canon_staging import (
    forward_scalars,
    split_parallel_bodies,
    stage_parallel_nests,
)
from tt_passes._canon_versions import origins, split_stores, split_versions


# --- pass ------------------------------------------------------------------------
@dataclass
class CanonicalizeTileProgram(TTPass):
    name = "canonicalize_tile_program"

    def run(self, mod: Any) -> Any:
        _, func = kernel_func(mod)
        body = forward_scalars(func.body)
        body = constant_nests_as_fills(fold_known_conditions(coarsen_rows(body)))
        body = stage_parallel_nests(body)
        body = split_parallel_bodies(body)
        body = hoist_vector_divisors(body)
        body = canonical_reductions(body)
        body = split_versions(body)
        body = split_stores(body)
        mod = with_kernel_body(mod, body)
        made = origins(func.body, body)
        return _meta.put(mod, _meta.ORIGINS, made) if made else mod


def canonicalize_tile_program() -> Any:
    """The `canonicalize_tile_program` pass as a TVM pass."""
    return CanonicalizeTileProgram().as_tvm_pass()
