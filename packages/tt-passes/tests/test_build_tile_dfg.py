"""build_tile_dfg: one producer and one consumer kernel per CB."""

import pytest
from conftest import apply, kernels

from tt_ir.errors import TTCompileError
from tt_passes import _meta


def test_edges_of_elementwise_add(add_kernel):
    """Inputs go reader -> compute, the output compute -> writer."""
    _, after = apply(add_kernel, "build_tile_dfg")
    edges = [(e.cb, e.producer, e.consumer) for e in _meta.get(after, _meta.DFG)]
    assert edges == [("A_shared", "reader", "compute"), ("B_shared", "reader", "compute"),
                     ("C_local", "compute", "writer")]


def test_partials_cb_is_compute_to_compute(big_gemm_kernel):
    """The partials CB of spill="partials" is produced and consumed by compute."""
    _, after = apply(big_gemm_kernel, "build_tile_dfg", spill="partials")
    edges = {e.cb: (e.producer, e.consumer) for e in _meta.get(after, _meta.DFG)}
    assert edges["C_local_partials"] == ("compute", "compute")


def test_refuses_pure_copy():
    """A tensor copied through shared memory with no compute is refused, naming the CB."""
    with pytest.raises(TTCompileError) as err:
        apply(kernels.pure_copy(), "build_tile_dfg")
    assert "CB 'S' (c_0): is copied from a tensor straight to a tensor" in str(err.value)
    assert "hint: route the block through compute: allocate a fragment F of the same shape, `for i, j in T.Parallel(...): F[i, j] = S[i, j]`" in str(err.value)
