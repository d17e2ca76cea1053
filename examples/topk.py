"""Top-k along rows, with int32 indices: k rounds of a row maximum, where it is, and its removal.

Each round takes every row's maximum, finds its column (an element's own column index `j`
is a value here: the reader generates that block like a mask; among equal maxima the
largest column wins), writes the value and the index into column t of the two outputs, and
then lowers just that one element to `floor`, so a tied value is found again next round.

On chip the int32 blocks are held as float32 (exact for integers below 2^24); the index
column is cast to int32 in DST (`typecast_tile`) just before it is packed for the writer.
The outputs are k columns wide: the writer stores only those columns of the tile it packs.

    tt run examples/topk.py
    tt run examples/topk.py --param k=4 --param dtype=bfloat16
"""

import numpy as np

import tt_cli
import tt_ir.language as T


@tt_cli.jit(out_idx=[-2, -1])
def topk(M=64, N=128, k=6, block_M=32, floor=-1e30, dtype=T.float32):

    @T.prim_func
    def rows_topk(X: T.Tensor((M, N), dtype), values: T.Tensor((M, k), dtype),
                  indices: T.Tensor((M, k), T.int32)):
        with T.Kernel(T.ceildiv(M, block_M)) as bm:
            x = T.alloc_fragment((block_M, N), dtype)
            top = T.alloc_fragment((block_M,), dtype)
            where = T.alloc_fragment((block_M, N), T.int32)
            at = T.alloc_fragment((block_M,), T.int32)
            T.copy(X[bm * block_M, 0], x)
            for t in T.serial(k):
                T.reduce_max(x, top, dim=1)
                for i, j in T.Parallel(block_M, N):
                    where[i, j] = T.if_then_else(x[i, j] == top[i], j, -1)
                T.reduce_max(where, at, dim=1)
                for i, j in T.Parallel(block_M, N):
                    x[i, j] = T.if_then_else(j == at[i], floor, x[i, j])
                for i in T.Parallel(block_M):
                    values[bm * block_M + i, t] = top[i]
                    indices[bm * block_M + i, t] = at[i]

    return rows_topk


def reference(X, k=6):
    """(values, int32 indices) of each row's k largest, largest first; among equal values
    the larger column first (as the kernel picks them)."""
    X = np.asarray(X)
    cols = np.broadcast_to(np.arange(X.shape[1]), X.shape)
    order = np.lexsort((-cols, -X.astype(np.float64)), axis=1)[:, :k]
    return np.take_along_axis(X, order, axis=1), order.astype(np.int32)
