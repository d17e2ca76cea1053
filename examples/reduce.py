"""Row or column reduction (sum, max, min, abssum, absmax) of a matrix into a vector.

As TileLang writes it: the output is a rank-1 tensor, (M,) for a reduction over each row
(dim=1) or (N,) over each column (dim=0). A block holds whole rows (or whole columns).
On chip a row reduction's vector is kept in column 0 of its tiles and transposed into the
row of tiles a rank-1 tensor is; a column reduction's vector is already a row.

    tt run examples/reduce.py
    tt run examples/reduce.py --param kind='"max"' --param dim=0
"""

import numpy as np

import tt_cli
import tt_ir.language as T

OPS = {"sum": T.reduce_sum, "max": T.reduce_max, "min": T.reduce_min,
       "abssum": T.reduce_abssum, "absmax": T.reduce_absmax}


@tt_cli.jit(out_idx=[1])
def reduce(M=256, N=256, block=64, kind="sum", dim=1, dtype=T.bfloat16):
    op = OPS[kind]
    if dim == 1:

        @T.prim_func
        def row_reduce(A: T.Tensor((M, N), dtype), S: T.Tensor((M,), dtype)):
            with T.Kernel(T.ceildiv(M, block)) as bx:
                A_l = T.alloc_fragment((block, N), dtype)
                S_l = T.alloc_fragment((block,), dtype)
                T.copy(A[bx * block, 0], A_l)
                op(A_l, S_l, dim=1)
                T.copy(S_l, S[bx * block])

        return row_reduce

    @T.prim_func
    def col_reduce(A: T.Tensor((M, N), dtype), S: T.Tensor((N,), dtype)):
        with T.Kernel(T.ceildiv(N, block)) as bx:
            A_l = T.alloc_fragment((M, block), dtype)
            S_l = T.alloc_fragment((block,), dtype)
            T.copy(A[0, bx * block], A_l)
            op(A_l, S_l, dim=0)
            T.copy(S_l, S[bx * block])

    return col_reduce


def reference(A, kind="sum", dim=1):
    x = np.abs(A) if kind.startswith("abs") else A
    return x.sum(axis=dim) if kind.endswith("sum") else x.max(axis=dim) if kind.endswith("max") \
        else x.min(axis=dim)


def error_bound(A, kind="sum", dim=1):
    """A sum rounds once at pack (half a bf16 ulp of |sum|, doubled); max/min are exact."""
    if not kind.endswith("sum"):
        return 0.0
    return 2.0 * 2.0**-8 * float(np.abs(np.asarray(A, np.float64)).sum(axis=dim).max())
