"""tt_cli.autotune: configurations ranked by the performance model, refusals skipped."""

from __future__ import annotations

import numpy as np
import pytest

import tt_cli
import tt_ir.language as T
from tt_cli.autotuner import expand
from tt_ir.errors import TTError

CALLS: list = []


@tt_cli.autotune(configs={"block_M": [32, 64], "block_N": [64, 4096]}, warmup=10, rep=10)
@tt_cli.jit(out_idx=[2], pass_configs={tt_cli.PassConfigKey.TL_ENABLE_FAST_MATH: True})
def matmul(M, N, K, block_M=32, block_N=32, block_K=32):
    CALLS.append((block_M, block_N))

    @T.prim_func
    def main(A: T.Tensor((M, K), T.bfloat16), B: T.Tensor((K, N), T.bfloat16),
             C: T.Tensor((M, N), T.bfloat16)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            A_s = T.alloc_shared((block_M, block_K), T.bfloat16)
            B_s = T.alloc_shared((block_K, block_N), T.bfloat16)
            C_l = T.alloc_fragment((block_M, block_N), T.float32)
            T.clear(C_l)
            for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=2):
                T.copy(A[by * block_M, k * block_K], A_s)
                T.copy(B[k * block_K, bx * block_N], B_s)
                T.gemm(A_s, B_s, C_l)
            T.copy(C_l, C[by * block_M, bx * block_N])

    return main


def test_configs_expand_as_a_product():
    assert expand({"a": [1, 2], "b": [3]}) == [{"a": 1, "b": 3}, {"a": 2, "b": 3}]
    assert expand(lambda: [{"a": 1}]) == [{"a": 1}]
    with pytest.raises(TTError, match="configs is empty"):
        expand([])


def test_tuning_picks_the_fastest_estimate_and_skips_refusals():
    """Four configs: 64 x 4096 fp32 partials overflow L1 (refused, the reason kept); the
    other three are compiled, run and ranked; the winner has the smallest model time."""
    CALLS.clear()
    kernel = matmul(128, 128, 64)
    timed = [(c, t) for c, t, _ in kernel.tuning if t is not None]
    refused = [(c, why) for c, t, why in kernel.tuning if t is None]
    assert [c for c, _ in refused] == [{"block_M": 64, "block_N": 4096}] and len(timed) == 3
    assert "of L1 per core" in refused[0][1]
    assert kernel.latency == min(t for _, t in timed) and kernel.config in [c for c, _ in timed]
    rng = np.random.default_rng(0)
    a, b = (rng.uniform(-1, 1, s).astype(np.float32) for s in ((128, 64), (64, 128)))
    import ml_dtypes
    a, b = (x.astype(ml_dtypes.bfloat16) for x in (a, b))
    ref = a.astype(np.float64) @ b.astype(np.float64)
    assert np.abs(np.asarray(kernel(a, b), np.float64) - ref).max() <= 2 ** -8 * np.abs(ref).max() + 64 * 2 ** -8
    assert matmul(128, 128, 64) is kernel  # tuned once per problem


def test_given_values_skip_tuning():
    CALLS.clear()
    kernel = matmul(64, 128, 32, block_M=64, block_N=64)
    assert CALLS == [(64, 64)] and not hasattr(kernel, "tuning")


def test_autotune_wraps_jit_factories_only():
    with pytest.raises(TTError, match="goes above @tt_cli.jit"):
        tt_cli.autotune(configs=[{}])(lambda: None)


def _eager_scale(configs):
    @tt_cli.autotune(configs=configs)
    @tt_cli.jit
    def eager_scale(X, block_M, factor=3.0):
        M, N = T.const("M, N")
        X: T.Tensor((M, N), T.float32)
        Y = T.empty((M, N), T.float32)
        with T.Kernel(T.ceildiv(M, block_M)) as bm:
            x = T.alloc_shared((block_M, N), T.float32)
            y = T.alloc_fragment((block_M, N), T.float32)
            T.copy(X[bm * block_M, 0], x)
            for i, j in T.Parallel(block_M, N):
                y[i, j] = x[i, j] * factor
            T.copy(y, Y[bm * block_M, 0])
        return Y

    return eager_scale


eager_scale = _eager_scale([dict(block_M=32), dict(block_M=64)])


def test_autotune_over_an_eager_kernel(capsys):
    """@autotune over a bare @jit eager kernel (TileLang's topk / conv autotune examples):
    called with its tensors and no block_M, it tunes for their sizes and returns the best
    configuration's outputs; given block_M, it runs that one."""
    x = np.random.default_rng(3).uniform(-1, 1, (128, 64)).astype(np.float32)
    y = eager_scale(x)
    np.testing.assert_allclose(np.asarray(y), x * 3.0, rtol=1e-6)
    assert "tt_cli.autotune: eager_scale: best of 2 configs" in capsys.readouterr().err
    np.testing.assert_allclose(np.asarray(eager_scale(x, block_M=64)), x * 3.0, rtol=1e-6)
    assert "best of" not in capsys.readouterr().err


def test_autotune_keeps_a_tuned_value_the_call_gives(capsys):
    """TileLang's topk calls `tl_topk(logits, k, blk_m=64)` under an autotune over blk_m and
    threads: the given value is kept and only the others are tuned (two configs left here,
    both with factor=2, so every output is x * 2)."""
    tuned = _eager_scale([dict(block_M=m, factor=f) for m in (32, 64) for f in (1.0, 2.0)])
    x = np.random.default_rng(4).uniform(-1, 1, (128, 64)).astype(np.float32)
    y = tuned(x, factor=2.0)
    np.testing.assert_allclose(np.asarray(y), x * 2.0, rtol=1e-6)
    assert "tt_cli.autotune: eager_scale: best of 2 configs" in capsys.readouterr().err
