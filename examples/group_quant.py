"""Per-group scaling, as a quantizer does it: each row's groups of `group` columns are scaled
so that their largest magnitude maps to `qmax`, and the scale of every (row, group) is
written to its own column of a narrow (M, N / group) tensor.

Each block is (block_M rows) x (one group); the scale column it writes is picked by the
block index `bg`. Tenstorrent writes whole tiles, so the compiler runs a row block's groups
in turn on one core and gathers the scale columns into one tile row on chip before writing
it (canonicalize_tile_program's column stores).

    tt run examples/group_quant.py
    tt run examples/group_quant.py --param N=1024 --param group=256
"""

import numpy as np

import tt_cli
import tt_ir.language as T


@tt_cli.jit(out_idx=[-2, -1])
def group_quant(M=128, N=512, group=128, block_M=32, qmax=127.0, out_dtype=T.bfloat16):
    G = N // group

    @T.prim_func
    def quant(X: T.Tensor((M, N), T.float32), Q: T.Tensor((M, N), out_dtype),
              scales: T.Tensor((M, G), T.float32)):
        with T.Kernel(T.ceildiv(M, block_M), G) as (bm, bg):
            x = T.alloc_fragment((block_M, group), T.float32)
            amax = T.alloc_fragment((block_M,), T.float32)
            scale = T.alloc_fragment((block_M,), T.float32)
            q = T.alloc_fragment((block_M, group), out_dtype)
            T.copy(X[bm * block_M, bg * group], x)
            T.reduce_absmax(x, amax, dim=1)
            for i in T.Parallel(block_M):
                scale[i] = T.max(amax[i], 1e-6) / qmax
            for i, j in T.Parallel(block_M, group):
                q[i, j] = T.clamp(x[i, j] / scale[i], -qmax, qmax)
            T.copy(q, Q[bm * block_M, bg * group])
            for i in T.Parallel(block_M):
                scales[bm * block_M + i, bg] = scale[i]

    return quant


def reference(X, group=128, qmax=127.0):
    """(the scaled values, the (M, N / group) scales) in float64."""
    X = np.asarray(X, np.float64)
    m, n = X.shape
    groups = X.reshape(m, n // group, group)
    scale = np.maximum(np.abs(groups).max(axis=2), 1e-6) / qmax
    return (groups / scale[:, :, None]).reshape(m, n), scale


def error_bound(X, group=128, qmax=127.0, out_dtype="bfloat16"):
    """Per output: the scaled values round once to the output dtype (half an ulp of qmax,
    twice over for the reciprocal and the product); the scales are float32 divisions."""
    ulp = {"bfloat16": 2.0 ** -8, "float16": 2.0 ** -11, "float32": 2.0 ** -23}[str(out_dtype)]
    return [2 * ulp * qmax + 2 ** -20 * qmax, 2 ** -20 * float(np.abs(X).max())]

