"""Flash attention forward, in the structure of TileLang's flash-attention examples.

Each block owns block_M query rows of one (batch, head) and walks the keys block_N at a
time: S = Q @ K^T onto a mask (0 where a query may see a key, -inf elsewhere), a running
row max and row sum (online softmax in exp2 with the log2(e) scale folded in), O rescaled
by exp2(m_old - m_new) before P @ V adds the new block, and O / l at the end.

    layout="bhsd": Q [batch, heads, seq_q, dim], K/V [batch, heads_kv, seq_kv, dim]
    layout="bshd": Q [batch, seq_q, heads, dim], K/V [batch, seq_kv, heads_kv, dim]
    groups > 1:    grouped-query attention, heads_kv = heads / groups (query head h
                   reads KV head h // groups)
    causal:        query i sees keys j <= i + (seq_kv - seq_q); a block stops at the last
                   key block its rows can see (its trip count depends on bx)

On Tenstorrent the mask is a block the reader generates (uniform tiles filled, only the
tiles the diagonal crosses written element by element), Q @ K^T accumulates onto it in DST,
and acc_o stays in its circular buffer between key blocks (each P @ V reloads it into DST).

    tt run examples/flash_attention.py
    tt run examples/flash_attention.py --param causal=True --param seq_kv=384
    tt run examples/flash_attention.py --param layout=bshd --param groups=2 --param heads=4
"""

import numpy as np

import tt_cli
import tt_ir.language as T

LOG2E = 1.44269504


@tt_cli.jit(out_idx=[3])
def flash_attention(batch=1, heads=2, seq_q=256, seq_kv=256, dim=64, causal=False, groups=1,
                    layout="bhsd", block_M=64, block_N=64, dtype=T.bfloat16):
    accum = T.float32
    scale = dim ** -0.5 * LOG2E
    past = seq_kv - seq_q
    heads_kv = heads // groups
    assert past >= 0 and heads % groups == 0, (seq_q, seq_kv, heads, groups)
    if layout == "bhsd":
        q_shape, kv_shape = [batch, heads, seq_q, dim], [batch, heads_kv, seq_kv, dim]
    else:
        q_shape, kv_shape = [batch, seq_q, heads, dim], [batch, seq_kv, heads_kv, dim]

    def rows(X, b, h, r, n):  # the (n, dim) slice of rows r..r+n of one (batch, head)
        return X[b, h, r:r + n, :] if layout == "bhsd" else X[b, r:r + n, h, :]

    @T.prim_func
    def flash_attention(Q: T.Tensor(q_shape, dtype), K: T.Tensor(kv_shape, dtype),
                        V: T.Tensor(kv_shape, dtype), Out: T.Tensor(q_shape, dtype)):
        with T.Kernel(T.ceildiv(seq_q, block_M), heads, batch) as (bx, by, bz):
            q = T.alloc_shared([block_M, dim], dtype)
            k_blk = T.alloc_shared([block_N, dim], dtype)
            v_blk = T.alloc_shared([block_N, dim], dtype)
            o_blk = T.alloc_shared([block_M, dim], dtype)
            s = T.alloc_fragment([block_M, block_N], accum)
            p = T.alloc_fragment([block_M, block_N], dtype)
            acc = T.alloc_fragment([block_M, dim], accum)
            m = T.alloc_fragment([block_M], accum)
            m_prev = T.alloc_fragment([block_M], accum)
            rescale = T.alloc_fragment([block_M], accum)
            row_sum = T.alloc_fragment([block_M], accum)
            lsum = T.alloc_fragment([block_M], accum)

            T.copy(rows(Q, bz, by, bx * block_M, block_M), q)
            T.fill(acc, 0)
            T.fill(lsum, 0)
            T.fill(m, -T.infinity(accum))
            trips = (T.min(T.ceildiv(seq_kv, block_N), T.ceildiv((bx + 1) * block_M + past, block_N))
                     if causal else T.ceildiv(seq_kv, block_N))
            for kb in T.Pipelined(trips, num_stages=2):
                T.copy(rows(K, bz, by // groups, kb * block_N, block_N), k_blk)
                if causal:
                    for i, j in T.Parallel(block_M, block_N):
                        s[i, j] = T.if_then_else(bx * block_M + i + past >= kb * block_N + j, 0,
                                                 -T.infinity(accum))
                else:
                    for i, j in T.Parallel(block_M, block_N):
                        s[i, j] = T.if_then_else(kb * block_N + j < seq_kv, 0, -T.infinity(accum))
                T.gemm(q, k_blk, s, transpose_B=True)
                T.copy(m, m_prev)
                T.reduce_max(s, m, dim=1, clear=False)
                for i in T.Parallel(block_M):
                    rescale[i] = T.exp2(m_prev[i] * scale - m[i] * scale)
                for i, j in T.Parallel(block_M, block_N):
                    s[i, j] = T.exp2(s[i, j] * scale - m[i] * scale)
                T.reduce_sum(s, row_sum, dim=1)
                for i in T.Parallel(block_M):
                    lsum[i] = lsum[i] * rescale[i] + row_sum[i]
                T.copy(s, p)
                for i, j in T.Parallel(block_M, dim):
                    acc[i, j] *= rescale[i]
                T.copy(rows(V, bz, by // groups, kb * block_N, block_N), v_blk)
                T.gemm(p, v_blk, acc)
            for i, j in T.Parallel(block_M, dim):
                acc[i, j] /= lsum[i]
            T.copy(acc, o_blk)
            T.copy(o_blk, rows(Out, bz, by, bx * block_M, block_M))

    return flash_attention


def reference(Q, K, V, causal=False, groups=1, layout="bhsd"):
    """softmax(Q K^T / sqrt(dim) [+ causal mask]) V in float64."""
    Q, K, V = (np.asarray(x, dtype=np.float64) for x in (Q, K, V))
    if layout == "bshd":
        Q, K, V = (x.transpose(0, 2, 1, 3) for x in (Q, K, V))
    K, V = (np.repeat(x, groups, axis=1) for x in (K, V))
    scores = np.einsum("bhqd,bhkd->bhqk", Q, K) / np.sqrt(Q.shape[-1])
    if causal:
        sq, sk = Q.shape[2], K.shape[2]
        visible = np.tril(np.ones((sq, sk), dtype=bool), sk - sq)
        scores = np.where(visible, scores, -np.inf)
    scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
    out = np.einsum("bhqk,bhkd->bhqd", scores / scores.sum(axis=-1, keepdims=True), V)
    return out.transpose(0, 2, 1, 3) if layout == "bshd" else out


def error_bound(Q, K, V, causal=False, groups=1, layout="bhsd", dtype="bfloat16"):
    """Each P block is rounded to bf16 before P @ V (relative 2^-9 per weight, so at most
    2^-9 * max|V| on an output whose weights sum to 1), the output once more (2^-9 of its
    largest value); the statistics and DST are fp32. Twice that, for the exp2 of the
    emulator's libm and the rescale chain: 2^-8 * (max|V| + max|O|)."""
    out = reference(Q, K, V, causal, groups, layout)
    return 2.0 ** -8 * (float(np.abs(np.asarray(V, np.float64)).max()) + float(np.abs(out).max()))
