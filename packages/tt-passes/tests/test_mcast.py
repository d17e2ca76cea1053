"""reuse="mcast": the tiled partition, lockstep block ids, the reader's multicast
handshake (Before/Expected IR), and the plan's runtime args and semaphores."""

import pytest
from conftest import apply, body_text, kernels, plan

from tt_passes import _mcast, _meta


@pytest.fixture(scope="module")
def gemm():
    """4x4 blocks of 2x2 tiles, 8 K steps."""
    return kernels.matmul(256, 256, 256, 64, 64, 32, stages=2, relu=False)


EXPECTED_A_BLOCK = '''\
            with T.attr("tt", "tt.comment", "kernels.py:13  T.copy(A[by * 64, k * 32], A_shared)"):
                T.call_extern("void", "cb_reserve_back", 0, 2)
                A_shared_l1: T.let[T.uint32] = T.call_extern("uint32", "get_write_ptr", 0)
                if A_shared_sender != T.uint32(0):
                    for i in range(T.uint32(2)):
                        T.call_extern("void", "noc_async_read_page", (by * T.uint32(2) + i) * T.uint32(8) + k, A_acc, A_shared_l1 + i * T.uint32(2048))
                    T.call_extern("void", "noc_async_read_barrier")
                    T.call_extern("void", "noc_semaphore_wait", T.call_extern(T.handle().ty, "reinterpret_cast<volatile tt_l1_ptr uint32_t*>", A_shared_ready_sem), 1)
                    T.call_extern("void", "noc_semaphore_set", T.call_extern(T.handle().ty, "reinterpret_cast<volatile tt_l1_ptr uint32_t*>", A_shared_ready_sem), 0)
                    T.call_extern("void", "noc_async_write_multicast_loopback_src", A_shared_l1, T.call_extern("uint64", "get_noc_multicast_addr", A_shared_start_x, A_shared_noc_y, A_shared_end_x, A_shared_noc_y, A_shared_l1), 4096, 2)
                    T.call_extern("void", "noc_async_writes_flushed")
                    T.call_extern("void", "noc_semaphore_set_multicast_loopback_src", A_shared_valid_sem, T.call_extern("uint64", "get_noc_multicast_addr", A_shared_start_x, A_shared_noc_y, A_shared_end_x, A_shared_noc_y, A_shared_valid_sem), 2)
                else:
                    T.call_extern("void", "noc_semaphore_set", T.call_extern(T.handle().ty, "reinterpret_cast<volatile tt_l1_ptr uint32_t*>", A_shared_valid_sem), 0)
                    T.call_extern("void", "noc_semaphore_inc", T.call_extern("uint64", "get_noc_addr", A_shared_sender_x, A_shared_noc_y, A_shared_ready_sem), 1)
                    T.call_extern("void", "noc_semaphore_wait", T.call_extern(T.handle().ty, "reinterpret_cast<volatile tt_l1_ptr uint32_t*>", A_shared_valid_sem), 1)
                T.call_extern("void", "cb_push_back", 0, 2)'''

EXPECTED_LOCKSTEP_IDS = '''\
    for b in range(block_count):
        bx: T.let[T.uint32] = (block_start + b) // T.uint32(4) % T.uint32(2) * T.uint32(2) + (block_start + b) % T.uint32(4) % T.uint32(2)
        by: T.let[T.uint32] = (block_start + b) // T.uint32(4) // T.uint32(2) * T.uint32(2) + (block_start + b) % T.uint32(4) // T.uint32(2)'''


def test_tiling_decisions():
    """Smallest per-core tile that fits the grid; None for a z grid or too few busy cores."""
    assert _mcast.tiling([8, 8, 1], (8, 8)) == _mcast.Tiling(8, 8, 1, 1)
    assert _mcast.tiling([16, 16, 1], (8, 8)) == _mcast.Tiling(8, 8, 2, 2)
    assert _mcast.tiling([6, 4, 1], (13, 10)) == _mcast.Tiling(6, 4, 1, 1)
    assert _mcast.tiling([13, 1, 1], (8, 8)) is None      # 13 is prime: 1 core
    assert _mcast.tiling([13, 8, 1], (8, 8)) is None      # 8 of 64 cores busy
    assert _mcast.tiling([4, 4, 2], (8, 8)) is None


def test_partition_is_tiled(gemm):
    """grid=(2, 2): core (x, y) owns the 2x2 tile (x, y), four consecutive ids each."""
    _, after = apply(gemm, "layout_aware_work_partition", reuse="mcast", grid=(2, 2))
    work = _meta.get(after, _meta.WORK)
    assert work.order == "tiled" and work.tile == [2, 2]
    assert work.cores[1] == {"core": [1, 0], "start": 4, "count": 4}


def test_partition_without_shared_copy_stays_row_major():
    """An elementwise add reads blocks that depend on bx and by: nothing to share."""
    _, after = apply(kernels.eltwise(), "layout_aware_work_partition", reuse="mcast")
    assert _meta.get(after, _meta.WORK).order == "row_major"


def test_lockstep_block_ids(gemm):
    """bx / by follow the tiled order, so a core row shares by and a column shares bx."""
    _, after = apply(gemm, "grid_to_core_grid", reuse="mcast", grid=(2, 2))
    assert EXPECTED_LOCKSTEP_IDS in body_text(after)


def test_reader_multicasts_row_shared_block(gemm):
    """A (depends on by only): sender reads, waits for the receivers, multicasts data and
    the VALID flag; receivers reset, signal ready and wait; both push. A GEMM shares along
    both axes, so its senders are spread and multicast to their whole row, themselves
    included (loopback: 2 destinations on a 2x2 grid, for 1 receiver)."""
    _, after = apply(gemm, "lower_cb_intrinsics", reuse="mcast", grid=(2, 2))
    text = body_text(after, "reader")
    assert EXPECTED_A_BLOCK in text
    assert "get_noc_multicast_addr\", B_shared_noc_x, B_shared_start_y, B_shared_noc_x, B_shared_end_y" in text
    assert text.rstrip().endswith('T.call_extern("void", "noc_async_atomic_barrier")')
    assert _meta.get(after, _meta.MCAST) == [{"cb": "A_shared", "axis": "row", "sems": [0, 1], "spread": True},
                                             {"cb": "B_shared", "axis": "col", "sems": [2, 3], "spread": True}]


def test_plan_args_and_semaphores(gemm):
    """Per-core role flags and logical coordinates (NOC_1: the rectangle starts at the far end).
    Spread senders: row y's A sender is x = y % 2, column x's B sender y = (x + 1) % 2, so core
    (1, 0) sends B only; every rectangle is the whole row or column."""
    _, after = apply(gemm, "finalize_persistent_signature", reuse="mcast", grid=(2, 2))
    p = plan(after)
    reader = p["kernels"][0]
    kinds = {a["name"]: a["kind"] for a in reader["runtime_args"]}
    assert kinds["A_shared_sender_x"] == "noc_x" and kinds["B_shared_start_y"] == "noc_y"
    names = [a["name"] for a in reader["runtime_args"] if a["kind"] != "buffer_address"]
    core_10 = dict(zip(names, reader["core_args"][1]["values"]))
    assert reader["core_args"][1]["core"] == [1, 0]
    assert core_10 == {"block_start": 4, "block_count": 4,
                       "A_shared_sender": 0, "A_shared_sender_x": 0, "A_shared_noc_y": 0,
                       "A_shared_start_x": 1, "A_shared_end_x": 0,
                       "B_shared_sender": 1, "B_shared_noc_x": 1, "B_shared_sender_y": 0,
                       "B_shared_start_y": 1, "B_shared_end_y": 0}
    senders = {tuple(c["core"]): dict(zip(names, c["values"])) for c in reader["core_args"]}
    assert not [core for core, v in senders.items() if v["A_shared_sender"] and v["B_shared_sender"]]
    assert p["semaphores"] == [{"id": i, "initial_value": 0} for i in range(4)]
    assert p["work"]["tile"] == [2, 2]


def test_default_multicasts_a_gemm_and_none_does_not(gemm):
    """reuse="auto" (default) takes the multicast schedule for a GEMM; reuse="none" keeps the
    row-major split with no semaphores; a kernel without a T.gemm stays row-major."""
    orders = {}
    for reuse in ("auto", "none"):
        _, after = apply(gemm, "finalize_persistent_signature", reuse=reuse)
        p = plan(after)
        orders[reuse] = (p["work"]["order"], len(p["semaphores"]))
    assert orders == {"auto": ("tiled", 4), "none": ("row_major", 0)}
    _, after = apply(kernels.eltwise_add(M=512, N=512), "finalize_persistent_signature")
    p = plan(after)
    assert (p["work"]["order"], p["semaphores"]) == ("row_major", [])


def test_spread_senders_where_no_core_would_send_both():
    """The diagonal placement is taken when no core would be the sender of both axes; on a
    grid one core wide or tall the senders stay at the edge."""
    assert _mcast.spread_senders(8, 8) and _mcast.spread_senders(8, 4) and _mcast.spread_senders(2, 2)
    assert not _mcast.spread_senders(1, 8) and not _mcast.spread_senders(8, 1)
    for cx, cy in [(8, 8), (8, 4), (4, 8), (3, 5), (2, 2)]:
        if _mcast.spread_senders(cx, cy):
            both = [(x, y) for x in range(cx) for y in range(cy)
                    if _mcast.sender_of("row", [x, y], cx, cy, True) == x
                    and _mcast.sender_of("col", [x, y], cx, cy, True) == y]
            assert both == [], (cx, cy)


def test_block_indices_are_found_by_position_not_by_name(gemm):
    """The same GEMM with its block vars named (x, y) and its K loop named `bx`: the block
    indices are still the Binds that open the persistent loop, the K loop is a lockstep loop,
    and the multicast decisions are the same as with TileLang's usual names."""
    import tt_ir.language as T
    from tt_ir import tir
    from tt_passes._base import kernel_func
    from tt_passes.grid_to_core_grid import block_vars

    @T.prim_func
    def renamed(A: T.Tensor((256, 256), T.bfloat16), B: T.Tensor((256, 256), T.bfloat16),
                C: T.Tensor((256, 256), T.bfloat16)):
        with T.Kernel(4, 4, threads=128) as (x, y):
            A_shared = T.alloc_shared((64, 32), T.bfloat16)
            B_shared = T.alloc_shared((32, 64), T.bfloat16)
            C_local = T.alloc_fragment((64, 64), T.float32)
            T.clear(C_local)
            for bx in T.Pipelined(8, num_stages=2):
                T.copy(A[y * 64, bx * 32], A_shared)
                T.copy(B[bx * 32, x * 64], B_shared)
                T.gemm(A_shared, B_shared, C_local)
            T.copy(C_local, C[y * 64, x * 64])

    _, after = apply(renamed, "lower_cb_intrinsics", reuse="mcast", grid=(2, 2))
    _, usual = apply(gemm, "lower_cb_intrinsics", reuse="mcast", grid=(2, 2))
    assert _meta.get(after, _meta.MCAST) == _meta.get(usual, _meta.MCAST)
    _, grid = apply(renamed, "grid_to_core_grid", reuse="mcast", grid=(2, 2))
    body = kernel_func(grid)[1].body
    found = block_vars(body)
    assert sorted(found) == ["bx", "by"]
    k_loop = next(loop for loop in tir.collect(body, tir.For) if str(loop.loop_var.name) == "bx")
    assert not any(v.same_as(k_loop.loop_var) for v in found.values())  # the user's bx is not one
