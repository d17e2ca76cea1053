"""layout_aware_work_partition: contiguous block ranges over the core grid."""

from conftest import apply, kernels

from tt_passes import _meta
from tt_passes.layout_aware_work_partition import split_blocks


def test_fewer_blocks_than_cores_leave_cores_idle():
    """8 blocks on 8x8: cores (0..7, 0) get one each; the others get nothing."""
    cores = split_blocks(8, (8, 8))
    assert cores == [{"core": [i, 0], "start": i, "count": 1} for i in range(8)]


def test_remainder_goes_to_the_first_cores():
    """100 blocks on 64 cores: the first 36 cores get 2, the rest 1; ranges are contiguous."""
    cores = split_blocks(100, (8, 8))
    assert [c["count"] for c in cores] == [2] * 36 + [1] * 28
    assert cores[36] == {"core": [4, 4], "start": 72, "count": 1}
    assert sum(c["count"] for c in cores) == 100


def test_blackhole_grid():
    """On blackhole (13x10) 256 blocks spread over 130 cores, row-major."""
    cores = split_blocks(256, (13, 10))
    assert len(cores) == 130 and cores[13]["core"] == [0, 1]


def test_work_of_elementwise_add(add_kernel):
    """The 2x4 launch grid of the add kernel is 8 blocks on the first 8 cores."""
    _, after = apply(add_kernel, "layout_aware_work_partition")
    work = _meta.get(after, _meta.WORK)
    assert work.grid == [2, 4, 1] and work.num_blocks == 8 and len(work.cores) == 8


def test_grid_option():
    """grid=(2, 2) confines 8 blocks to 4 cores, 2 each."""
    _, after = apply(kernels.eltwise(), "layout_aware_work_partition", grid=(2, 2))
    assert [c["count"] for c in _meta.get(after, _meta.WORK).cores] == [2, 2, 2, 2]
