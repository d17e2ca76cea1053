"""Flash attention written the way TileLang's examples write it, compiled and run on the
emulator against float64 attention.

The kernel below keeps TileLang's idioms on purpose: `T.macro` helpers whose parameters are
annotated `T.SharedBuffer` / `T.FragmentBuffer`, `T.GemmWarpPolicy`, `pass_configs=`, the
causal mask written into the score fragment before `T.gemm`, `T.reduce_max(clear=False)`,
a `T.min` trip count that depends on the block index, rank-4 slices. Bound: 2^-8 * (max|V|
+ max|O|) (examples/flash_attention.py's: the bf16 P block and the bf16 output).
"""

from __future__ import annotations

import sys
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

import tt_cli
import tt_ir.language as T
from tt_ir.errors import TTError

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "examples"))
from flash_attention import error_bound, reference  # noqa: E402


@tt_cli.jit(out_idx=[3], pass_configs={"tl.enable_fast_math": True})
def attention(batch, heads, seq_q, seq_kv, dim, is_causal, groups=1, layout="bhsd",
              block_M=64, block_N=64):
    scale = (1.0 / dim) ** 0.5 * 1.44269504
    dtype, accum = "bfloat16", "float"
    past = seq_kv - seq_q
    q_shape = [batch, heads, seq_q, dim] if layout == "bhsd" else [batch, seq_q, heads, dim]
    kv_shape = [batch, heads // groups, seq_kv, dim] if layout == "bhsd" else \
        [batch, seq_kv, heads // groups, dim]

    def slab(X, b, h, start, n):
        return X[b, h, start:start + n, :] if layout == "bhsd" else X[b, start:start + n, h, :]

    @T.macro
    def scores(K: T.Tensor(kv_shape, dtype), Q_s: T.SharedBuffer([block_M, dim], dtype),
               K_s: T.SharedBuffer([block_N, dim], dtype),
               S: T.FragmentBuffer([block_M, block_N], accum), k: T.int32, bx: T.int32,
               by: T.int32, bz: T.int32):
        T.copy(slab(K, bz, by // groups, k * block_N, block_N), K_s)
        if is_causal:
            for i, j in T.Parallel(block_M, block_N):
                q_pos = bx * block_M + i + past
                k_pos = k * block_N + j
                S[i, j] = T.if_then_else(q_pos >= k_pos, 0, -T.infinity(S.dtype))
        else:
            T.clear(S)
        T.gemm(Q_s, K_s, S, transpose_B=True, policy=T.GemmWarpPolicy.FullRow)

    @T.macro
    def online_softmax(S: T.FragmentBuffer([block_M, block_N], accum),
                       P: T.FragmentBuffer([block_M, block_N], dtype),
                       m: T.FragmentBuffer([block_M], accum),
                       m_old: T.FragmentBuffer([block_M], accum),
                       r: T.FragmentBuffer([block_M], accum),
                       s: T.FragmentBuffer([block_M], accum),
                       lsum: T.FragmentBuffer([block_M], accum)):
        T.copy(m, m_old)
        T.fill(m, -T.infinity(accum))
        T.reduce_max(S, m, dim=1, clear=False)
        for i in T.Parallel(block_M):
            m[i] = T.max(m[i], m_old[i])
        for i in T.Parallel(block_M):
            r[i] = T.exp2(m_old[i] * scale - m[i] * scale)
        for i, j in T.Parallel(block_M, block_N):
            S[i, j] = T.exp2(S[i, j] * scale - m[i] * scale)
        T.reduce_sum(S, s, dim=1)
        for i in T.Parallel(block_M):
            lsum[i] = lsum[i] * r[i] + s[i]
        T.copy(S, P)

    @T.prim_func
    def main(Q: T.Tensor(q_shape, dtype), K: T.Tensor(kv_shape, dtype),
             V: T.Tensor(kv_shape, dtype), Out: T.Tensor(q_shape, dtype)):
        with T.Kernel(T.ceildiv(seq_q, block_M), heads, batch, threads=128) as (bx, by, bz):
            Q_s = T.alloc_shared([block_M, dim], dtype)
            K_s = T.alloc_shared([block_N, dim], dtype)
            V_s = T.alloc_shared([block_N, dim], dtype)
            O_s = T.alloc_shared([block_M, dim], dtype)
            S = T.alloc_fragment([block_M, block_N], accum)
            P = T.alloc_fragment([block_M, block_N], dtype)
            acc = T.alloc_fragment([block_M, dim], accum)
            m = T.alloc_fragment([block_M], accum)
            m_old = T.alloc_fragment([block_M], accum)
            r = T.alloc_fragment([block_M], accum)
            s = T.alloc_fragment([block_M], accum)
            lsum = T.alloc_fragment([block_M], accum)
            T.copy(slab(Q, bz, by, bx * block_M, block_M), Q_s)
            T.fill(acc, 0)
            T.fill(lsum, 0)
            T.fill(m, -T.infinity(accum))
            trips = (T.min(T.ceildiv(seq_kv, block_N), T.ceildiv((bx + 1) * block_M + past, block_N))
                     if is_causal else T.ceildiv(seq_kv, block_N))
            for k in T.Pipelined(trips, num_stages=1):
                scores(K, Q_s, K_s, S, k, bx, by, bz)
                online_softmax(S, P, m, m_old, r, s, lsum)
                for i, j in T.Parallel(block_M, dim):
                    acc[i, j] *= r[i]
                T.copy(slab(V, bz, by // groups, k * block_N, block_N), V_s)
                T.gemm(P, V_s, acc, policy=T.GemmWarpPolicy.FullRow)
            for i, j in T.Parallel(block_M, dim):
                acc[i, j] /= lsum[i]
            T.copy(acc, O_s)
            T.copy(O_s, slab(Out, bz, by, bx * block_M, block_M))

    return main


def _run(arch, batch, heads, seq_q, seq_kv, dim, causal, groups=1, layout="bhsd", **options):
    rng = np.random.default_rng(7)
    if layout == "bhsd":
        shapes = [(batch, heads, seq_q, dim)] + [(batch, heads // groups, seq_kv, dim)] * 2
    else:
        shapes = [(batch, seq_q, heads, dim)] + [(batch, seq_kv, heads // groups, dim)] * 2
    q, k, v = (rng.standard_normal(s).astype(ml_dtypes.bfloat16) for s in shapes)
    kernel = tt_cli.compile(attention.factory(batch, heads, seq_q, seq_kv, dim, causal, groups,
                                              layout), out_idx=[3], arch=arch, **options)
    result = kernel.run(q, k, v)
    kernel.last_run = result
    out = result.outputs["Out"]
    f64 = [np.asarray(x, np.float64) for x in (q, k, v)]
    ref = reference(*f64, causal=causal, groups=groups, layout=layout)
    verdict = tt_cli.check(out, ref, "bfloat16",
                           bound=error_bound(*f64, causal=causal, groups=groups, layout=layout))
    assert verdict.passed, f"{arch} {layout} causal={causal} groups={groups}: {verdict}"
    return kernel


@pytest.mark.parametrize("arch", ["wormhole_b0", "blackhole"])
def test_tilelang_style_attention_causal_with_past(arch):
    """bhsd, causal, seq_kv > seq_q (the diagonal shifted by past_len): each Q block runs
    its own number of key blocks, the mask is generated by the reader."""
    kernel = _run(arch, 1, 2, 128, 192, 64, True)
    reader = kernel.get_kernel_source("reader")
    assert "tt_mask_put(" in reader and "tt_fill_tile(" in reader
    assert "matmul_tiles" in kernel.get_kernel_source("compute")


def test_causal_blocks_in_zigzag_order():
    """Four query blocks per head: the partition runs them as bx 0, 3, 1, 2 (short and long
    paired per core) and the results are unchanged."""
    kernel = _run("wormhole_b0", 1, 2, 256, 256, 64, True)
    assert kernel.plan["work"]["order"] == "zigzag"


@pytest.mark.parametrize("layout,groups", [("bhsd", 1), ("bshd", 1), ("bshd", 2)])
def test_tilelang_style_attention_layouts(layout, groups):
    """Not causal: the mask folds to T.clear; bshd slices take rows from dim 1 (stored as
    [B, H, S, D] matrices); GQA reads KV head by // groups."""
    kernel = _run("wormhole_b0", 2, 4, 128, 128, 64, False, groups, layout)
    if layout == "bshd":
        rows = {b["name"]: b.get("row_dim") for b in kernel.plan["buffers"]}
        assert rows == {"Q": 1, "K": 1, "V": 1, "Out": 1}
    assert "tt_mask_put" not in kernel.get_kernel_source("reader")


def test_gqa_kv_blocks_multicast():
    """Multicast (the default for non-causal attention): the cores of one head walk the same
    K/V blocks in lockstep, so one reads each block from DRAM and multicasts it along its core
    row: DRAM reads drop against reuse="none", results hold."""
    plain = _run("wormhole_b0", 1, 4, 256, 256, 64, False, 2, "bshd", reuse="none")
    shared = _run("wormhole_b0", 1, 4, 256, 256, 64, False, 2, "bshd")

    def dram_read(kernel):
        return kernel.last_run.totals()["noc_read_bytes"].get("dram", 0)

    assert shared.plan["semaphores"] and not plain.plan["semaphores"]
    assert dram_read(shared) * 2 < dram_read(plain)


def test_attention_key_bound_mask():
    """seq_kv not a multiple of block_N: the last key block is part padding; the bound mask
    `k * bn + j < seq_kv` (generated) keeps the padding's zeros out of the softmax."""
    from flash_attention import flash_attention

    rng = np.random.default_rng(3)
    q = rng.standard_normal((1, 1, 64, 64)).astype(ml_dtypes.bfloat16)
    k, v = (rng.standard_normal((1, 1, 96, 64)).astype(ml_dtypes.bfloat16) for _ in range(2))
    kernel = tt_cli.compile(flash_attention.factory(1, 1, 64, 96, 64), out_idx=[3])
    out = kernel(q, k, v)
    f64 = [np.asarray(x, np.float64) for x in (q, k, v)]
    verdict = tt_cli.check(out, reference(*f64), "bfloat16", bound=error_bound(*f64))
    assert verdict.passed, str(verdict)


def test_mask_that_is_not_affine_is_refused():
    """A mask whose condition is not affine in i, j cannot be classified per tile by its
    corners: refused with the op named, not miscompiled."""
    @T.prim_func
    def quadratic(A: T.Tensor((64, 64), "bfloat16"), B: T.Tensor((64, 64), "bfloat16"),
                  C: T.Tensor((64, 64), "bfloat16")):
        with T.Kernel(1):
            A_s = T.alloc_shared((64, 64), "bfloat16")
            B_s = T.alloc_shared((64, 64), "bfloat16")
            S = T.alloc_fragment((64, 64), "float32")
            T.copy(A[0, 0], A_s)
            T.copy(B[0, 0], B_s)
            for i, j in T.Parallel(64, 64):
                S[i, j] = T.if_then_else(i * i >= j, 0, -T.infinity("float32"))
            T.gemm(A_s, B_s, S)
            T.copy(S, C[0, 0])

    with pytest.raises(TTError) as err:
        tt_cli.compile(quadratic, out_idx=[2])
    assert "T.if_then_else(i * i >= j" in str(err.value)
    assert "not an index mask (a whole-block select of two constants on comparisons affine" in str(err.value)


def masked_scores(M=128, N=128, K=64, bm=64, bn=64, fill=0.0):
    """S = A @ B^T, then the mask applied after the gemm: S = T.if_then_else(row >= col, S, fill)."""

    @T.prim_func
    def masked_scores(A: T.Tensor((M, K), T.bfloat16), B: T.Tensor((N, K), T.bfloat16),
                      C: T.Tensor((M, N), T.float32)):
        with T.Kernel(N // bn, M // bm) as (bx, by):
            A_s = T.alloc_shared((bm, K), T.bfloat16)
            B_s = T.alloc_shared((bn, K), T.bfloat16)
            S = T.alloc_fragment((bm, bn), T.float32)
            T.copy(A[by * bm, 0], A_s)
            T.copy(B[bx * bn, 0], B_s)
            T.clear(S)
            T.gemm(A_s, B_s, S, transpose_B=True)
            for i, j in T.Parallel(bm, bn):
                S[i, j] = T.if_then_else(by * bm + i >= bx * bn + j, S[i, j], fill)
            T.copy(S, C[by * bm, bx * bn])

    return masked_scores


@pytest.mark.parametrize("fill", [0.0, -1e4])
def test_mask_after_the_gemm(fill):
    """A select between a value and a constant on an index condition is X * keep + fill, two
    blocks the reader generates (fill: fp32 when bf16 does not hold the constant, left out
    when it is 0): fp32 output within 2^-20 of the float64 product (64 fp32 sums)."""
    rng = np.random.default_rng(1)
    a, b = (rng.uniform(-1, 1, (128, 64)).astype(ml_dtypes.bfloat16) for _ in range(2))
    kernel = tt_cli.compile(masked_scores(fill=fill), out_idx=[2])
    c = np.asarray(kernel(a, b), np.float64)
    ref = np.where(np.tril(np.ones((128, 128), dtype=bool)),
                   a.astype(np.float64) @ b.astype(np.float64).T, fill)
    assert np.abs(c - ref).max() <= 2 ** -20 * 64
    cbs = {cb["name"] for cb in kernel.plan["circular_buffers"]}
    assert "S_keep" in cbs and ("S_fill" in cbs) == (fill != 0.0)


def lower_upper(M=128, bm=64):
    """Y = the lower triangle of A and the upper of B: a select of two values on indices."""

    @T.prim_func
    def lower_upper(A: T.Tensor((M, M), T.bfloat16), B: T.Tensor((M, M), T.bfloat16),
                    Y: T.Tensor((M, M), T.bfloat16)):
        with T.Kernel(M // bm, M // bm) as (bx, by):
            A_s = T.alloc_shared((bm, bm), T.bfloat16)
            B_s = T.alloc_shared((bm, bm), T.bfloat16)
            Y_l = T.alloc_fragment((bm, bm), T.bfloat16)
            T.copy(A[by * bm, bx * bm], A_s)
            T.copy(B[by * bm, bx * bm], B_s)
            for i, j in T.Parallel(bm, bm):
                Y_l[i, j] = T.if_then_else(by * bm + i >= bx * bm + j, A_s[i, j], B_s[i, j])
            T.copy(Y_l, Y[by * bm, bx * bm])

    return lower_upper


def test_select_of_two_values_on_indices():
    """A * keep + B * drop: exact (products by 0 and 1, one sum with 0)."""
    rng = np.random.default_rng(2)
    a, b = (rng.uniform(-1, 1, (128, 128)).astype(ml_dtypes.bfloat16) for _ in range(2))
    y = np.asarray(tt_cli.compile(lower_upper(), out_idx=[2])(a, b), np.float64)
    ref = np.where(np.tril(np.ones((128, 128), dtype=bool)), a.astype(np.float64), b.astype(np.float64))
    assert np.array_equal(y, ref)


def sink_shift(H=4, M=64, N=64, dtype=T.bfloat16):
    """Each head's block shifted by that head's element of a rank-1 tensor, broadcast over
    the block's rows first (`s[i] = S[by]`, as attention sinks do)."""

    @T.prim_func
    def sink_shift(X: T.Tensor((H, M, N), dtype), S: T.Tensor((H,), dtype),
                   Y: T.Tensor((H, M, N), dtype)):
        with T.Kernel(1, H) as (bx, by):
            x = T.alloc_fragment((M, N), dtype)
            s = T.alloc_fragment((M,), dtype)
            y = T.alloc_fragment((M, N), dtype)
            T.copy(X[by, 0:M, 0:N], x)
            for i in T.Parallel(M):
                s[i] = S[by]
            for i, j in T.Parallel(M, N):
                y[i, j] = x[i, j] * 2.0 + s[i]
            T.copy(y, Y[by, 0:M, 0:N])

    return sink_shift


@pytest.mark.parametrize("arch", ["wormhole_b0", "blackhole"])
@pytest.mark.parametrize("dtype", [T.bfloat16, T.float32])
def test_a_tensor_element_broadcast_into_a_vector(arch, dtype):
    """The reader fills the vector with the element's bits (no conversion): exact."""
    np_dtype = ml_dtypes.bfloat16 if dtype == T.bfloat16 else np.float32
    rng = np.random.default_rng(11)
    x = rng.standard_normal((4, 64, 64)).astype(np_dtype)
    s = rng.standard_normal(4).astype(np_dtype)
    y = np.asarray(tt_cli.compile(sink_shift(dtype=dtype), out_idx=[2], arch=arch)(x, s), np.float32)
    ref = (x.astype(np.float32) * 2.0 + s.astype(np.float32)[:, None, None]).astype(np_dtype)
    np.testing.assert_array_equal(y, ref.astype(np.float32))
