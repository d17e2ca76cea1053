"""The numeric comparison used by `tt run` and the integration corpus."""

import numpy as np
import pytest

from tt_cli import check, error_bound


def test_bound_grows_with_k_and_scale():
    """The bound is u_out*|C| + K*u_acc*|A||B|, doubled."""
    b1 = error_bound("bfloat16", 10.0, k=1, dot_scale=10.0)
    b2 = error_bound("bfloat16", 10.0, k=1024, dot_scale=10.0)
    assert b1 == pytest.approx(2 * (2**-8 * 10 + 2**-24 * 10))
    assert b2 == pytest.approx(2 * (2**-8 * 10 + 1024 * 2**-24 * 10))


def test_bf16_rounding_passes_and_a_wrong_value_fails():
    """A result rounded to bf16 is within bound; one value off by 1% of the scale is not."""
    rng = np.random.default_rng(0)
    ref = rng.uniform(-4, 4, (64, 64))
    import ml_dtypes

    rounded = ref.astype(ml_dtypes.bfloat16)
    good = check(rounded, ref, "bfloat16")
    assert good.passed, str(good)
    bad_values = rounded.astype(np.float64)
    bad_values[3, 5] += 0.04
    bad = check(bad_values, ref, "bfloat16")
    assert not bad.passed
    assert str(bad).startswith("FAIL: max abs error 4.")


def test_pearson_catches_a_permutation():
    """Values in the wrong places fail even when each is a valid value."""
    ref = np.arange(1024, dtype=np.float64).reshape(32, 32)
    swapped = ref.T.copy()
    result = check(swapped, ref, "float32", bound=1e9)
    assert result.pearson < 0.999
    assert not result.passed


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match=r"result shape \(2, 2\) differs from the reference shape \(2, 3\)"):
        check(np.zeros((2, 2)), np.zeros((2, 3)), "float32")
