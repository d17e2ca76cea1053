"""Multi-op tile programs on chip, compiled and run on the emulator vs numpy.

Error bounds are tt_cli._check's GEMM bound (Higham Thm 3.1, doubled): bf16 output of an
fp32 accumulation over K terms, |err| <= 2 (u_out |C| + K u_acc (|A| @ |B|) + spills u_out
(|A| @ |B|)), where `spills` counts the bf16/fp32 round trips of partial sums through a
partials CB (one per K trip but the last; with fp32 partials they cost u_acc, bounded
here by u_out).
"""

from __future__ import annotations

import numpy as np
import pytest

import tt_cli
import tt_ir.language as T
from tt_cli._check import check
from tt_ir import TTCompileError


def bf16(x: np.ndarray) -> np.ndarray:
    u = np.ascontiguousarray(x, np.float32).view(np.uint32)
    u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
    return u.view(np.float32)


def two_gemms(M=64, N=64, K=128, bk=32):
    """C = A @ B and E = A @ D over one K loop (two live accumulators)."""

    @T.prim_func
    def two_gemms(A: T.Tensor((M, K), T.bfloat16), B: T.Tensor((K, N), T.bfloat16),
                  D: T.Tensor((K, N), T.bfloat16), C: T.Tensor((M, N), T.bfloat16),
                  E: T.Tensor((M, N), T.bfloat16)):
        with T.Kernel(1, 1, threads=128) as (bx, by):
            A_s = T.alloc_shared((M, bk), T.bfloat16)
            B_s = T.alloc_shared((bk, N), T.bfloat16)
            D_s = T.alloc_shared((bk, N), T.bfloat16)
            C_l = T.alloc_fragment((M, N), T.float32)
            E_l = T.alloc_fragment((M, N), T.float32)
            T.clear(C_l)
            T.clear(E_l)
            for k in T.Pipelined(K // bk, num_stages=2):
                T.copy(A[0, k * bk], A_s)
                T.copy(B[k * bk, 0], B_s)
                T.copy(D[k * bk, 0], D_s)
                T.gemm(A_s, B_s, C_l)
                T.gemm(A_s, D_s, E_l)
            T.copy(C_l, C[0, 0])
            T.copy(E_l, E[0, 0])
    return two_gemms


@pytest.mark.parametrize("arch", ["wormhole_b0", "blackhole"])
def test_two_gemms_over_one_k_loop(arch):
    """Two accumulators over one K loop (once a DST double-acquire): both products match."""
    M, N, K, bk = 64, 64, 128, 32
    rng = np.random.default_rng(1)
    a, b, d = (bf16(rng.uniform(-1, 1, s).astype(np.float32)) for s in ((M, K), (K, N), (K, N)))
    kernel = tt_cli.compile(two_gemms(M, N, K, bk), out_idx=[3, 4], arch=arch)
    c, e = kernel(a, b, d)
    for got, rhs in ((c, b), (e, d)):
        want = a.astype(np.float64) @ rhs
        dot = float((np.abs(a) @ np.abs(rhs)).max())
        res = check(got, want, "bfloat16", k=K, dot_scale=dot, spills=K // bk - 1)
        assert res.passed, res


def vector_expr(fn, M=64, N=64):
    """C = fn(A, V) with V a column vector (M, 32) stored in column 0 (bf16)."""

    @T.prim_func
    def vexpr(A: T.Tensor((M, N), T.bfloat16), V: T.Tensor((M, 32), T.bfloat16),
              C: T.Tensor((M, N), T.float32)):
        with T.Kernel(1, threads=128) as bx:
            A_s = T.alloc_shared((M, N), T.bfloat16)
            V_s = T.alloc_shared((M, 1), T.bfloat16)
            C_l = T.alloc_fragment((M, N), T.float32)
            T.copy(A[bx * M, 0], A_s)
            T.copy(V[bx * M, 0], V_s)
            for i, j in T.Parallel(M, N):
                C_l[i, j] = fn(A_s[i, j], V_s[i, 0])
            T.copy(C_l, C[bx * M, 0])
    return vexpr


@pytest.mark.parametrize("name, fn, ref", [
    ("v-a", lambda a, v: v - a, lambda a, v: v - a),
    ("a*2+v", lambda a, v: a * 2.0 + v, lambda a, v: a * 2.0 + v),
    ("a*exp(v)", lambda a, v: a * T.exp(v), lambda a, v: a * np.exp(v)),
    ("scaled-diff", lambda a, v: T.exp2(a * 1.5 - v * 1.5), lambda a, v: np.exp2(a * 1.5 - v * 1.5)),
])
def test_vector_operand_anywhere(name, fn, ref):
    """A column vector outside an FPU broadcast is loaded into DST broadcast (unary_bcast<COL>)
    and combined by SFPU ops in fp32 DST: fp32 output, error <= a few fp32 ulps of the
    largest intermediate (checked at 2^-20 of it; exp/exp2 are libm on the emulator)."""
    rng = np.random.default_rng(3)
    a = bf16(rng.uniform(-1, 1, (64, 64)).astype(np.float32))
    v = np.zeros((64, 32), np.float32)
    v[:, 0] = bf16(rng.uniform(-1, 1, 64).astype(np.float32))
    got = tt_cli.compile(vector_expr(fn), out_idx=[2])(a, v)
    want = ref(a.astype(np.float64), v[:, :1].astype(np.float64))
    scale = max(float(np.abs(want).max()), 4.0)
    assert float(np.abs(np.asarray(got, np.float64) - want).max()) <= 2.0 ** -20 * scale


def gemm_vector_epilogue(M=128, N=128, K=128, bm=64, bn=64, bk=32):
    """C = (A @ B) * s[i] + bias[j]: a GEMM epilogue with a column and a row vector
    (s in column 0 of an (M, 32) tensor, bias in row 0 of a (32, N) one)."""

    @T.prim_func
    def gemm_vec(A: T.Tensor((M, K), T.bfloat16), B: T.Tensor((K, N), T.bfloat16),
                 Bias: T.Tensor((32, N), T.bfloat16), S: T.Tensor((M, 32), T.bfloat16),
                 C: T.Tensor((M, N), T.bfloat16)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm), threads=128) as (bx, by):
            A_s = T.alloc_shared((bm, bk), T.bfloat16)
            B_s = T.alloc_shared((bk, bn), T.bfloat16)
            bias_s = T.alloc_shared((1, bn), T.bfloat16)
            s_s = T.alloc_shared((bm, 1), T.bfloat16)
            C_l = T.alloc_fragment((bm, bn), T.float32)
            T.copy(Bias[0, bx * bn], bias_s)
            T.copy(S[by * bm, 0], s_s)
            T.clear(C_l)
            for k in T.Pipelined(K // bk, num_stages=2):
                T.copy(A[by * bm, k * bk], A_s)
                T.copy(B[k * bk, bx * bn], B_s)
                T.gemm(A_s, B_s, C_l)
            for i, j in T.Parallel(bm, bn):
                C_l[i, j] = C_l[i, j] * s_s[i, 0] + bias_s[0, j]
            T.copy(C_l, C[by * bm, bx * bn])
    return gemm_vec


@pytest.mark.parametrize("arch", ["wormhole_b0", "blackhole"])
def test_gemm_epilogue_with_row_and_column_vectors(arch):
    """The accumulator block exceeds DST beside the epilogue's registers, so it is restreamed
    sub-block by sub-block; the vectors are narrowed to the sub-block's rows / columns."""
    M = N = K = 128
    rng = np.random.default_rng(5)
    a, b = (bf16(rng.uniform(-1, 1, (M, K)).astype(np.float32)) for _ in range(2))
    bias = np.zeros((32, N), np.float32)
    bias[0] = bf16(rng.uniform(-1, 1, N).astype(np.float32))
    s = np.zeros((M, 32), np.float32)
    s[:, 0] = bf16(rng.uniform(-1, 1, M).astype(np.float32))
    got = tt_cli.compile(gemm_vector_epilogue(), out_idx=[4], arch=arch)(a, b, bias, s)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    want = (a64 @ b64) * s[:, :1] + bias[0]
    dot = float(((np.abs(a64) @ np.abs(b64)) * np.abs(s[:, :1]) + np.abs(bias[0])).max())
    res = check(got, want, "bfloat16", k=K, dot_scale=dot)
    assert res.passed, res


def running_reduce(kind, M=64, N=256, bm=32, bk=64):
    """O[:, 0] = the row reduction `kind` of A, accumulated over N // bk column blocks into
    a (bm,) fragment: clear=False (T.reduce_abssum has no clear: its block result is added).
    The previous value is also kept in a copy and folded back in (a second on-chip reader)."""

    @T.prim_func
    def running(A: T.Tensor((M, N), T.float32), Out: T.Tensor((M, 32), T.float32)):
        with T.Kernel(T.ceildiv(M, bm)) as bx:
            a = T.alloc_fragment((bm, bk), T.float32)
            m = T.alloc_fragment((bm,), T.float32)
            prev = T.alloc_fragment((bm,), T.float32)
            o = T.alloc_fragment((bm, 1), T.float32)
            if kind in ("max", "absmax"):
                T.fill(m, -T.infinity(T.float32))
            elif kind == "min":
                T.fill(m, T.infinity(T.float32))
            else:
                T.clear(m)
            for k in range(N // bk):
                T.copy(A[bx * bm, k * bk], a)
                T.copy(m, prev)
                if kind == "max":
                    T.reduce_max(a, m, dim=1, clear=False)
                elif kind == "min":
                    T.reduce_min(a, m, dim=1, clear=False)
                elif kind == "absmax":
                    T.reduce_absmax(a, m, dim=1, clear=False)
                elif kind == "abssum":
                    T.reduce_abssum(a, m, dim=1)
                else:
                    T.reduce_sum(a, m, dim=1, clear=False)
                for i in T.Parallel(bm):
                    if kind in ("max", "absmax"):
                        m[i] = T.max(m[i], prev[i])
                    elif kind == "min":
                        m[i] = T.min(m[i], prev[i])
                    elif kind == "abssum":
                        m[i] = m[i] + prev[i]
                    else:
                        m[i] = m[i] + (prev[i] - prev[i])
            for i in T.Parallel(bm):
                o[i, 0] = m[i]
            T.copy(o, Out[bx * bm, 0])
    return running


@pytest.mark.parametrize("kind", ["max", "min", "absmax", "abssum", "sum"])
def test_loop_carried_reductions(kind):
    """min/abssum/absmax become the FPU's max/sum of -x / |x|; clear=False folds each block's
    result into the loop-carried vector. Max-like results are exact; sums round in fp32 at
    each of ~N adds: 2^-20 of sum|x|."""
    rng = np.random.default_rng(7)
    a = rng.uniform(-2, 2, (64, 256)).astype(np.float32)
    got = np.asarray(tt_cli.compile(running_reduce(kind), out_idx=[1])(a), np.float64)
    want = {"max": a.max(1), "min": a.min(1), "absmax": np.abs(a).max(1),
            "abssum": np.abs(a).sum(1), "sum": a.sum(1)}[kind].astype(np.float64)
    bound = 0.0 if kind in ("max", "min", "absmax") else 2.0 ** -20 * float(np.abs(a).sum(1).max())
    assert float(np.abs(got[:, 0] - want).max()) <= bound
    assert not got[:, 1:].any()


def running_column_reduce(kind, M=256, N=64, bn=32, bk=64):
    """Out[0, :] = the column reduction `kind` of A, accumulated over M // bk row blocks into a
    (bn,) fragment with clear=False: a column reduction's vector is a row of tiles, and the
    fold into it (and min's negation) is an elementwise pass over that row."""
    op = {"max": T.reduce_max, "min": T.reduce_min, "absmax": T.reduce_absmax, "sum": T.reduce_sum}[kind]
    start = {"max": -3.0, "absmax": 0.0, "min": 3.0, "sum": 0.5}[kind]

    @T.prim_func
    def running(A: T.Tensor((M, N), T.float32), Out: T.Tensor((N,), T.float32)):
        with T.Kernel(T.ceildiv(N, bn)) as bx:
            a = T.alloc_fragment((bk, bn), T.float32)
            m = T.alloc_fragment((bn,), T.float32)
            T.fill(m, start)
            for k in range(M // bk):
                T.copy(A[k * bk, bx * bn], a)
                op(a, m, dim=0, clear=False)
            T.copy(m, Out[bx * bn])
    return running


@pytest.mark.parametrize("arch", ["wormhole_b0", "blackhole"])
@pytest.mark.parametrize("kind", ["max", "min", "absmax", "sum"])
def test_loop_carried_column_reductions(kind, arch):
    """clear=False and T.reduce_min over columns (dim=0) were refused ("not supported yet").
    Max-like results are exact; the sum rounds in fp32 at each of ~M adds."""
    rng = np.random.default_rng(8)
    a = rng.uniform(-2, 2, (256, 64)).astype(np.float32)
    got = np.asarray(tt_cli.compile(running_column_reduce(kind), out_idx=[1], arch=arch)(a), np.float64)
    want = {"max": np.maximum(a.max(0), -3.0), "min": np.minimum(a.min(0), 3.0),
            "absmax": np.abs(a).max(0), "sum": a.sum(0) + 0.5}[kind].astype(np.float64)
    bound = 0.0 if kind != "sum" else 2.0 ** -20 * float(np.abs(a).sum(0).max() + 0.5)
    assert float(np.abs(got - want).max()) <= bound


def chained_gemms(M=64, N=64, K=64):
    """C = bf16(A @ B) @ D: the first accumulator is packed on chip, cast to bf16 by a
    T.copy and used as the A operand of the second gemm (a fragment, not a shared block)."""

    @T.prim_func
    def chain(A: T.Tensor((M, K), T.bfloat16), B: T.Tensor((K, N), T.bfloat16),
              D: T.Tensor((N, N), T.bfloat16), C: T.Tensor((M, N), T.bfloat16)):
        with T.Kernel(1, 1) as (bx, by):
            A_s = T.alloc_shared((M, K), T.bfloat16)
            B_s = T.alloc_shared((K, N), T.bfloat16)
            D_s = T.alloc_shared((N, N), T.bfloat16)
            P = T.alloc_fragment((M, N), T.float32)
            P_b = T.alloc_fragment((M, N), T.bfloat16)
            O_l = T.alloc_fragment((M, N), T.float32)
            T.copy(A[0, 0], A_s)
            T.copy(B[0, 0], B_s)
            T.copy(D[0, 0], D_s)
            T.clear(P)
            T.gemm(A_s, B_s, P)
            T.copy(P, P_b)
            T.clear(O_l)
            T.gemm(P_b, D_s, O_l)
            T.copy(O_l, C[0, 0])
    return chain


def gemm_row_max(M=64, N=64, K=64):
    """S = rowmax(A @ B) as an (M,) tensor: a reduction of an accumulator kept on chip."""

    @T.prim_func
    def gmax(A: T.Tensor((M, K), T.bfloat16), B: T.Tensor((K, N), T.bfloat16),
             S: T.Tensor((M,), T.float32)):
        with T.Kernel(1, 1) as (bx, by):
            A_s = T.alloc_shared((M, K), T.bfloat16)
            B_s = T.alloc_shared((K, N), T.bfloat16)
            P = T.alloc_fragment((M, N), T.float32)
            m = T.alloc_fragment((M,), T.float32)
            T.copy(A[0, 0], A_s)
            T.copy(B[0, 0], B_s)
            T.clear(P)
            T.gemm(A_s, B_s, P)
            T.reduce_max(P, m, dim=1)
            T.copy(m, S[0])
    return gmax


def test_chained_gemms():
    """(A @ B) @ D with the intermediate rounded to bf16 (as the kernel casts it): one bf16
    rounding of P (2^-9 |P|, carried through |D|) and the GEMM bound of each product."""
    rng = np.random.default_rng(8)
    a, b, d = (bf16(rng.uniform(-1, 1, (64, 64)).astype(np.float32)) for _ in range(3))
    got = tt_cli.compile(chained_gemms(), out_idx=[3])(a, b, d)
    p = bf16((a.astype(np.float64) @ b).astype(np.float32)).astype(np.float64)
    want = p @ d
    dot = float((np.abs(p) @ np.abs(d)).max())
    res = check(got, want, "bfloat16", k=64, dot_scale=dot, spills=1)
    assert res.passed, res


def test_gemm_then_row_max():
    """rowmax of an fp32 accumulator: the max of exact-ish fp32 dot products (K fp32 adds):
    within 2 * 64 * 2^-24 of max(|A| @ |B|)."""
    rng = np.random.default_rng(9)
    a, b = (bf16(rng.uniform(-1, 1, (64, 64)).astype(np.float32)) for _ in range(2))
    got = np.asarray(tt_cli.compile(gemm_row_max(), out_idx=[2])(a, b), np.float64)
    want = (a.astype(np.float64) @ b).max(axis=1)
    bound = 2 * 64 * 2.0 ** -24 * float((np.abs(a) @ np.abs(b)).max())
    assert float(np.abs(got - want).max()) <= bound


def direct_scale_bias(M=128, N=256, bm=32, bn=64):
    """C[y, x] = A[y, x] * S[y] + Bias[x] on the tensors: S and Bias are rank-1 tensors."""

    @T.prim_func
    def scale_bias(A: T.Tensor((M, N), T.float32), Bias: T.Tensor((N,), T.float32),
                   S: T.Tensor((M,), T.float32), C: T.Tensor((M, N), T.float32)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm)) as (bx, by):
            for i, j in T.Parallel(bm, bn):
                C[by * bm + i, bx * bn + j] = A[by * bm + i, bx * bn + j] * S[by * bm + i] \
                    + Bias[bx * bn + j]
    return scale_bias


@pytest.mark.parametrize("arch", ["wormhole_b0", "blackhole"])
def test_direct_tensor_vectors(arch):
    """Rank-1 tensors read in a T.Parallel on tensors are staged as vectors: Bias[x] a row
    (a row of tiles, as stored), S[y] a column (transposed on chip). fp32, one multiply and
    one add: exact to 2 fp32 ulps of |C| (checked at 2^-22)."""
    rng = np.random.default_rng(10)
    a = rng.uniform(-1, 1, (128, 256)).astype(np.float32)
    bias = rng.uniform(-1, 1, 256).astype(np.float32)
    s = rng.uniform(-1, 1, 128).astype(np.float32)
    got = np.asarray(tt_cli.compile(direct_scale_bias(), out_idx=[3], arch=arch)(a, bias, s),
                     np.float64)
    want = a.astype(np.float64) * s[:, None] + bias
    assert float(np.abs(got - want).max()) <= 2.0 ** -22 * float(np.abs(want).max())


def test_tilelang_compile_options_and_helpers(capsys):
    """TileLang's pass_configs and execution_backend are accepted and ignored with one notice
    each; target picks the arch;
    cdiv / next_power_of_2 are there for kernel files that call tilelang.cdiv etc."""
    from tt_ir.errors import TTError
    from tt_ir.language import _annotate

    _annotate._SAID.difference_update({"pass_configs", "execution_backend"})  # once per process
    M = N = 64

    @T.prim_func
    def double(A: T.Tensor((M, N), T.float32), C: T.Tensor((M, N), T.float32)):
        with T.Kernel(1, 1) as (bx, by):
            for i, j in T.Parallel(M, N):
                C[i, j] = A[i, j] * 2.0

    k = tt_cli.compile(double, out_idx=-1, target="tenstorrent/blackhole",
                       pass_configs={"tl.disable_tma_lower": True})
    assert k.plan["arch"] == "blackhole"
    tt_cli.compile(double, out_idx=-1, pass_configs={"tl.disable_tma_lower": True},
                   execution_backend="cython")
    tt_cli.compile(double, out_idx=-1, execution_backend="tvm_ffi")
    err = capsys.readouterr().err
    assert err.count("pass_configs (tl.disable_tma_lower) are TileLang GPU pass switches") == 1
    assert err.count("execution_backend='cython' picks how TileLang launches GPU code") == 1
    assert "execution_backend='tvm_ffi'" not in err  # said once per process
    a = np.arange(M * N, dtype=np.float32).reshape(M, N)
    np.testing.assert_array_equal(k(a), a * 2)
    with pytest.raises(TTError, match="target='cuda' is not a Tenstorrent target"):
        tt_cli.compile(double, out_idx=-1, target="cuda")
    assert (tt_cli.cdiv(100, 32), tt_cli.next_power_of_2(100), tt_cli.next_power_of_2(64)) == (4, 128, 64)


def gemm_softmax(M=64, N=64, K=64):
    """C = softmax(A @ B) over rows, rewriting the accumulator in place after a reduction
    read it (S = exp(S - rowmax(S)); S = S / rowsum(S)): each rewrite is a new value."""

    @T.prim_func
    def gsoft(A: T.Tensor((M, K), T.bfloat16), B: T.Tensor((K, N), T.bfloat16),
              C: T.Tensor((M, N), T.bfloat16)):
        with T.Kernel(1, 1) as (bx, by):
            A_s = T.alloc_shared((M, K), T.bfloat16)
            B_s = T.alloc_shared((K, N), T.bfloat16)
            S = T.alloc_fragment((M, N), T.float32)
            m = T.alloc_fragment((M,), T.float32)
            s = T.alloc_fragment((M,), T.float32)
            T.copy(A[0, 0], A_s)
            T.copy(B[0, 0], B_s)
            T.clear(S)
            T.gemm(A_s, B_s, S)
            T.reduce_max(S, m, dim=1)
            for i, j in T.Parallel(M, N):
                S[i, j] = T.exp(S[i, j] - m[i])
            T.reduce_sum(S, s, dim=1)
            for i, j in T.Parallel(M, N):
                S[i, j] = S[i, j] / s[i]
            T.copy(S, C[0, 0])
    return gsoft


def test_gemm_then_softmax_in_place():
    """fp32 on chip, one bf16 rounding at the end: 2^-8 of the largest probability."""
    rng = np.random.default_rng(12)
    a, b = (bf16(rng.uniform(-1, 1, (64, 64)).astype(np.float32)) for _ in range(2))
    got = np.asarray(tt_cli.compile(gemm_softmax(), out_idx=[2])(a, b), np.float64)
    p = a.astype(np.float64) @ b
    e = np.exp(p - p.max(axis=1, keepdims=True))
    want = e / e.sum(axis=1, keepdims=True)
    assert float(np.abs(got - want).max()) <= 2.0 ** -8 * float(want.max()) + 1e-6


def rank4_slices(Bt=2, H=3, S=128, D=64, bm=64):
    """O[b, h, rows] = Q[b, h, rows] * 2 + 1 over a (bx, by, bz) grid: slices like
    Q[bz, by, bx * bm:(bx + 1) * bm, :] of a rank-4 tensor."""

    @T.prim_func
    def scale4(Q: T.Tensor((Bt, H, S, D), T.float32), Out: T.Tensor((Bt, H, S, D), T.float32)):
        with T.Kernel(T.ceildiv(S, bm), H, Bt) as (bx, by, bz):
            Q_s = T.alloc_shared((bm, D), T.float32)
            O_l = T.alloc_fragment((bm, D), T.float32)
            T.copy(Q[bz, by, bx * bm:(bx + 1) * bm, :], Q_s)
            for i, j in T.Parallel(bm, D):
                O_l[i, j] = Q_s[i, j] * 2.0 + 1.0
            T.copy(O_l, Out[bz, by, bx * bm:(bx + 1) * bm, :])
    return scale4


def batched_gemm(Bt=2, M=64, N=64, K=96):
    """C[b] = A[b] @ B[b] with rank-3 tensors, one batch per z block."""

    @T.prim_func
    def bgemm(A: T.Tensor((Bt, M, K), T.bfloat16), B: T.Tensor((Bt, K, N), T.bfloat16),
              C: T.Tensor((Bt, M, N), T.float32)):
        with T.Kernel(1, 1, Bt) as (bx, by, bz):
            A_s = T.alloc_shared((M, 32), T.bfloat16)
            B_s = T.alloc_shared((32, N), T.bfloat16)
            C_l = T.alloc_fragment((M, N), T.float32)
            T.clear(C_l)
            for k in T.Pipelined(K // 32, num_stages=2):
                T.copy(A[bz, 0, k * 32], A_s)
                T.copy(B[bz, k * 32, 0], B_s)
                T.gemm(A_s, B_s, C_l)
            T.copy(C_l, C[bz, 0, 0])
    return bgemm


@pytest.mark.parametrize("arch", ["wormhole_b0", "blackhole"])
def test_rank_3_and_4_tensors(arch):
    """Leading dims index batches of 2-D tile matrices. scale4: exact (x * 2 + 1 in fp32 of
    values in [-1, 1] is exact to an ulp: checked at 2^-22). bgemm: fp32 output of an fp32
    accumulation of bf16 products over K = 96: 2 * K * 2^-24 of max(|A| @ |B|)."""
    rng = np.random.default_rng(13)
    q = rng.uniform(-1, 1, (2, 3, 128, 64)).astype(np.float32)
    o = np.asarray(tt_cli.compile(rank4_slices(), out_idx=[1], arch=arch)(q), np.float64)
    assert float(np.abs(o - (q.astype(np.float64) * 2 + 1)).max()) <= 2.0 ** -22 * 3
    a = bf16(rng.uniform(-1, 1, (2, 64, 96)).astype(np.float32))
    b = bf16(rng.uniform(-1, 1, (2, 96, 64)).astype(np.float32))
    c = np.asarray(tt_cli.compile(batched_gemm(), out_idx=[2], arch=arch)(a, b), np.float64)
    want = np.einsum("bmk,bkn->bmn", a.astype(np.float64), b.astype(np.float64))
    bound = 2 * 96 * 2.0 ** -24 * float(np.einsum("bmk,bkn->bmn", np.abs(a), np.abs(b)).max())
    assert float(np.abs(c - want).max()) <= bound


def masked_scores(S=128, D=64, bm=64, bn=64):
    """acc = Q @ K^T started from attention's non-causal mask, as TileLang writes it:
    `acc[i, j] = T.if_then_else(k * bn + j >= S, -inf, 0)`. With S a multiple of bn the
    mask never applies: it folds to 0, the nest to T.fill(acc, 0), a cleared accumulator."""

    @T.prim_func
    def scores(Q: T.Tensor((S, D), T.bfloat16), K: T.Tensor((S, D), T.bfloat16),
               Out: T.Tensor((S, S), T.float32)):
        with T.Kernel(T.ceildiv(S, bn), T.ceildiv(S, bm)) as (k, q):
            Q_s = T.alloc_shared((bm, D), T.bfloat16)
            K_s = T.alloc_shared((bn, D), T.bfloat16)
            acc = T.alloc_fragment((bm, bn), T.float32)
            T.copy(Q[q * bm, 0], Q_s)
            T.copy(K[k * bn, 0], K_s)
            for i, j in T.Parallel(bm, bn):
                acc[i, j] = T.if_then_else(k * bn + j >= S, -T.infinity(T.float32), 0)
            T.gemm(Q_s, K_s, acc, transpose_B=True)
            T.copy(acc, Out[q * bm, k * bn])
    return scores


def test_attention_scores_from_a_mask_that_never_applies():
    """Q @ K^T in fp32 of bf16 inputs over D = 64: 2 * 64 * 2^-24 of max(|Q| @ |K|^T)."""
    rng = np.random.default_rng(14)
    q, k = (bf16(rng.uniform(-1, 1, (128, 64)).astype(np.float32)) for _ in range(2))
    got = np.asarray(tt_cli.compile(masked_scores(), out_idx=[2])(q, k), np.float64)
    want = q.astype(np.float64) @ k.astype(np.float64).T
    bound = 2 * 64 * 2.0 ** -24 * float((np.abs(q) @ np.abs(k).T).max())
    assert float(np.abs(got - want).max()) <= bound


def gemm_transpose_a(M=128, N=96, K=64, bm=64, bn=32, bk=32):
    """C = A^T @ B with A stored K x M (T.gemm(transpose_A=True))."""

    @T.prim_func
    def gemm_ta(A: T.Tensor((K, M), T.bfloat16), B: T.Tensor((K, N), T.bfloat16),
                C: T.Tensor((M, N), T.bfloat16)):
        with T.Kernel(N // bn, M // bm) as (bx, by):
            A_s = T.alloc_shared((bk, bm), T.bfloat16)
            B_s = T.alloc_shared((bk, bn), T.bfloat16)
            C_l = T.alloc_fragment((bm, bn), T.float32)
            T.clear(C_l)
            for k in T.Pipelined(K // bk, num_stages=2):
                T.copy(A[k * bk, by * bm], A_s)
                T.copy(B[k * bk, bx * bn], B_s)
                T.gemm(A_s, B_s, C_l, transpose_A=True)
            T.copy(C_l, C[by * bm, bx * bn])

    return gemm_ta


def transpose_copy(M=64, N=96):
    """Y = X^T through a T.Parallel nest `Y_l[i, j] = X_s[j, i]`."""

    @T.prim_func
    def transpose_copy(X: T.Tensor((M, N), T.float32), Y: T.Tensor((N, M), T.float32)):
        with T.Kernel(1) as bx:
            X_s = T.alloc_shared((M, N), T.float32)
            Y_l = T.alloc_fragment((N, M), T.float32)
            T.copy(X[bx * M, 0], X_s)
            for i, j in T.Parallel(N, M):
                Y_l[i, j] = X_s[j, i]
            T.copy(Y_l, Y[0, bx * M])

    return transpose_copy


@pytest.mark.parametrize("arch", ["wormhole_b0", "blackhole"])
def test_gemm_transpose_a(arch):
    """A^T @ B: A's blocks are transposed tile by tile on chip (transpose_tile into A_s_T),
    then the usual gemm; bound: tt_cli's GEMM bound over K = 64."""
    rng = np.random.default_rng(4)
    a = bf16(rng.uniform(-1, 1, (64, 128)).astype(np.float32))
    b = bf16(rng.uniform(-1, 1, (64, 96)).astype(np.float32))
    kernel = tt_cli.compile(gemm_transpose_a(), out_idx=[2], arch=arch)
    c = np.asarray(kernel(a, b), np.float64)
    ref = a.T.astype(np.float64) @ b.astype(np.float64)
    dot = float((np.abs(a.T.astype(np.float64)) @ np.abs(b.astype(np.float64))).max())
    assert np.abs(c - ref).max() <= tt_cli.error_bound("bfloat16", dot, k=64)
    assert "transpose_tile" in kernel.get_kernel_source("compute")


def transpose_tiles(M=128, N=192, bm=64, bn=96):
    """Y = X^T block by block, the transposition on the store side: `Y_s[j, i] = X_s[i, j]`."""

    @T.prim_func
    def transpose_tiles(X: T.Tensor((M, N), T.float32), Y: T.Tensor((N, M), T.float32)):
        with T.Kernel(T.ceildiv(M, bm), T.ceildiv(N, bn)) as (bx, by):
            X_s = T.alloc_shared((bm, bn), T.float32)
            Y_s = T.alloc_shared((bn, bm), T.float32)
            T.copy(X[bx * bm, by * bn], X_s)
            for i, j in T.Parallel(bm, bn):
                Y_s[j, i] = X_s[i, j]
            T.copy(Y_s, Y[by * bn, bx * bm])

    return transpose_tiles


@pytest.mark.parametrize("factory", [transpose_copy, transpose_tiles])
def test_transpose_nest_is_exact(factory):
    func = factory()
    x = np.random.default_rng(5).standard_normal(tuple(int(d) for d in func.params[0].shape)).astype(np.float32)
    kernel = tt_cli.compile(func, out_idx=[1])
    assert np.array_equal(np.asarray(kernel(x)), x.T)
    assert "transpose_tile" in kernel.get_kernel_source("compute")


def gemm_any_size(M, N, K, bm=64, bn=64, bk=32):
    @T.prim_func
    def gemm_any(A: T.Tensor((M, K), T.bfloat16), B: T.Tensor((K, N), T.bfloat16),
                 C: T.Tensor((M, N), T.float32)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm)) as (bx, by):
            A_s = T.alloc_shared((bm, bk), T.bfloat16)
            B_s = T.alloc_shared((bk, bn), T.bfloat16)
            C_l = T.alloc_fragment((bm, bn), T.float32)
            T.clear(C_l)
            for k in T.Pipelined(T.ceildiv(K, bk), num_stages=2):
                T.copy(A[by * bm, k * bk], A_s)
                T.copy(B[k * bk, bx * bn], B_s)
                T.gemm(A_s, B_s, C_l)
            T.copy(C_l, C[by * bm, bx * bn])

    return gemm_any


@pytest.mark.parametrize("arch", ["wormhole_b0", "blackhole"])
@pytest.mark.parametrize("shape", [(100, 72, 80), (33, 50, 17)])
def test_sizes_that_are_not_multiples_of_32(arch, shape):
    """The last tile row / column of each tensor is padded with zeros (as T.copy reads past an
    edge) and the extra output elements dropped: fp32 GEMM to 2^-20 of max(|A| @ |B|) * K."""
    M, N, K = shape
    rng = np.random.default_rng(8)
    a = bf16(rng.uniform(-1, 1, (M, K)).astype(np.float32))
    b = bf16(rng.uniform(-1, 1, (K, N)).astype(np.float32))
    kernel = tt_cli.compile(gemm_any_size(M, N, K), out_idx=[2], arch=arch)
    c = np.asarray(kernel(a, b), np.float64)
    assert c.shape == (M, N)
    assert np.abs(c - a.astype(np.float64) @ b.astype(np.float64)).max() <= 2 ** -20 * K


def var_offsets(carried=False, M=64, N=64, b=32):
    """A block's row as a T.alloc_var, written once (TileLang's style: `row = by * b`, then
    `A[row, ...]`); with `carried`, a column offset counted up across loop trips."""

    @T.prim_func
    def offsets(A: T.Tensor((M, N), T.float32), B: T.Tensor((M, N), T.float32)):
        with T.Kernel(N // b, M // b) as (bx, by):
            row = T.alloc_var(T.int32)
            row = by * b
            col = T.alloc_var(T.int32, 0)
            a = T.alloc_shared((b, b), T.float32)
            if carried:
                for _ in T.serial(2):
                    col += b // 2
                T.copy(A[row, col - b + bx * b], a)
            else:
                T.copy(A[row, bx * b], a)
            for i, j in T.Parallel(b, b):
                a[i, j] = a[i, j] * 2.0
            T.copy(a, B[row, bx * b])
    return offsets


def test_alloc_var_written_once_is_forwarded():
    a = np.random.default_rng(3).standard_normal((64, 64)).astype(np.float32)
    np.testing.assert_array_equal(tt_cli.compile(var_offsets(), out_idx=[1])(a), a * 2.0)


def test_alloc_var_carried_across_loop_trips_is_refused():
    """Forwarding its first value into the loop would have been silently wrong."""
    with pytest.raises(TTCompileError) as err:
        tt_cli.compile(var_offsets(carried=True), out_idx=[1])
    assert "scalar variable 'col' is written where its value cannot be known when compiling" in str(err.value)


def bshd_direct(B=2, S=128, H=3, D=64, bm=64, folded=False):
    """A T.Parallel nest reading a [B, S, H, D] tensor directly at `Q[b, s0 + r, h, c]` (the
    nest's vars in dims 1 and 3, as TileLang's linear-attention kernels write it); with
    `folded`, batch and head come from one grid index (`bz // H`, `bz % H`)."""

    @T.prim_func
    def direct(Q: T.Tensor((B, S, H, D), T.float32), Out: T.Tensor((B, S, H, D), T.float32)):
        with T.Kernel(S // bm, H, B) as (bx, by, bz):
            q = T.alloc_shared((bm, D), T.float32)
            for r, c in T.Parallel(bm, D):
                q[r, c] = Q[bz, bx * bm + r, by, c] * 0.5
            T.copy(q, Out[bz, bx * bm:(bx + 1) * bm, by, :])

    @T.prim_func
    def direct_folded(Q: T.Tensor((B, S, H, D), T.float32), Out: T.Tensor((B, S, H, D), T.float32)):
        with T.Kernel(S // bm, B * H) as (bx, bz):
            q = T.alloc_shared((bm, D), T.float32)
            for r, c in T.Parallel(bm, D):
                q[r, c] = Q[bz // H, bx * bm + r, bz % H, c] * 0.5
            T.copy(q, Out[bz // H, bx * bm:(bx + 1) * bm, bz % H, :])

    return direct_folded if folded else direct


@pytest.mark.parametrize("arch", ["wormhole_b0", "blackhole"])
@pytest.mark.parametrize("folded", [False, True])
def test_direct_reads_of_a_bshd_tensor(arch, folded):
    """Both were refused: the nest's vars were looked for in the last two dims only, and a
    `bz % H` index was not an affine term."""
    q = np.random.default_rng(5).standard_normal((2, 128, 3, 64)).astype(np.float32)
    out = tt_cli.compile(bshd_direct(folded=folded), out_idx=[1], arch=arch)(q)
    np.testing.assert_array_equal(out, q * 0.5)
