"""build_tile_dfg: one producer and one consumer kernel per CB."""

from conftest import apply, kernels

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


def test_pure_copy_goes_through_compute():
    """A block copied from a tensor straight to a tensor is copied on chip into S_out:
    S reader -> compute, S_out compute -> writer (one consumer per CB)."""
    _, after = apply(kernels.pure_copy(), "build_tile_dfg")
    edges = {e.cb: (e.producer, e.consumer) for e in _meta.get(after, _meta.DFG)}
    assert edges == {"S": ("reader", "compute"), "S_out": ("compute", "writer")}

def test_gather_scratch_tile_is_reader_to_reader():
    """The im2col gather's staging tile is the reader's own; the gathered block goes to compute."""
    _, after = apply(kernels.conv(), "build_tile_dfg")
    edges = {e.cb: (e.producer, e.consumer) for e in _meta.get(after, _meta.DFG)}
    assert edges["img_tile"] == ("reader", "reader") and edges["patch"] == ("reader", "compute")
