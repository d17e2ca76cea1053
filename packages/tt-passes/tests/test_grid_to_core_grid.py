"""grid_to_core_grid: the blockIdx launch becomes a persistent loop driven by runtime args."""

from conftest import apply, body_text

from tt_passes import _build as B
from tt_passes.grid_to_core_grid import block_index_exprs

EXPECTED_HEAD = '''\
    block_start: T.let[T.uint32] = T.call_extern("uint32", "tt.runtime_arg", "block_start")
    block_count: T.let[T.uint32] = T.call_extern("uint32", "tt.runtime_arg", "block_count")
    for b in range(block_count):
        bx: T.let[T.uint32] = (block_start + b) % T.uint32(2)
        by: T.let[T.uint32] = (block_start + b) // T.uint32(2)
        A_shared = T.alloc_buffer((64, 128), "bfloat16", scope="shared.dyn")'''


def test_launch_becomes_persistent_loop(add_kernel):
    """Before: launch_thread bx/by. Expected: runtime-arg binds, a block loop, row-major bx/by."""
    before, after = apply(add_kernel, "grid_to_core_grid")
    assert 'T.launch_thread("blockIdx.x", 2)' in body_text(before)
    text = body_text(after)
    assert EXPECTED_HEAD in text
    assert "launch_thread" not in text
    assert "T.tl.region(A[T.Cast(\"int32\", by) * 64, T.Cast(\"int32\", bx) * 128]" in text


def test_block_index_expressions_3d():
    """With a bz axis, by wraps modulo gy and bz = id // (gx*gy)."""
    lin = B.var("L")
    bx, by, bz = block_index_exprs(lin, [2, 3, 4])
    assert (str(bx), str(by), str(bz)) == ("L % T.uint32(2)", "L // T.uint32(2) % T.uint32(3)",
                                           "L // T.uint32(6)")


def test_single_axis_grid():
    """A 1-D grid binds bx to the linear block id itself; a size-1 axis becomes 0."""
    bx, by, bz = block_index_exprs(B.var("L"), [5, 1, 1])
    assert (str(bx), B.ints([by, bz])) == ("L", [0, 0])
