"""split_device_kernel: reader / compute / writer bodies from one tile program."""

from conftest import apply, body_text

EXPECTED_COMPUTE = '''\
@T.prim_func
def compute():
    block_count: T.let[T.uint32] = T.call_extern("uint32", "tt.runtime_arg", "block_count")
    for b in range(block_count):
        T.call_extern("void", "tt.cb_in", 0)
        T.call_extern("void", "tt.cb_in", 1)
        with T.attr("tt", "tt.comment", "kernels.py:34  for i, j in T.Parallel(64, 128): C_local[i, j] = A_shared[i, j] + B_shared[i, j]"):
            T.call_extern("void", "tt.binary_block", "add", 0, 1, 16, 2, 4)
        T.call_extern("void", "tt.pack_out", 16)'''

EXPECTED_WRITER = '''\
@T.prim_func
def writer():
    block_start: T.let[T.uint32] = T.call_extern("uint32", "tt.runtime_arg", "block_start")
    block_count: T.let[T.uint32] = T.call_extern("uint32", "tt.runtime_arg", "block_count")
    for b in range(block_count):
        bx: T.let[T.uint32] = (block_start + b) % T.uint32(2)
        by: T.let[T.uint32] = (block_start + b) // T.uint32(2)
        with T.attr("tt", "tt.comment", "kernels.py:36  T.copy(C_local, C[by * 64, bx * 128])"):
            T.call_extern("void", "tt.copy_out", 16, "C", by * T.uint32(2), bx * T.uint32(4), 2, 4, 0, 0)'''


def test_three_kernels(add_kernel):
    """The TileLang function is replaced by reader/compute/writer, each tagged with its role."""
    _, after = apply(add_kernel, "split_device_kernel")
    names = sorted(str(g.name_hint) for g in after.functions)
    assert names == ["compute", "reader", "writer"]
    assert all(str(after[n].attrs["tt.kernel_role"]) == n for n in names)
    assert all(len(after[n].params) == 0 for n in names)


def test_compute_keeps_markers_and_only_live_binds(add_kernel):
    """Compute sees cb_in/pack_out markers and keeps block_count only (bx/by are dead)."""
    _, after = apply(add_kernel, "split_device_kernel")
    assert body_text(after, "compute") == EXPECTED_COMPUTE


def test_writer_gets_the_store(add_kernel):
    """The writer keeps its copy-out with its comment; the reader's copies are not there."""
    _, after = apply(add_kernel, "split_device_kernel")
    assert body_text(after, "writer") == EXPECTED_WRITER
    assert "tt.copy_out" not in body_text(after, "reader")
