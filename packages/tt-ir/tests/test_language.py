"""tt_ir.language (T): TileLang's kernels build, print, re-parse equal, and encode like TileLang."""

from __future__ import annotations

import collections
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))

import kernels

import tt_ir.language as T
from tt_ir import tir
from tt_ir.errors import SchemaError, TTError

GOLDEN = os.path.join(os.path.dirname(__file__), "golden")


def _op_counts(func):
    counts = collections.Counter()
    tir.walk(func.body, lambda c: counts.update([tir.op_name(c)]), types=tir.Call)
    return dict(counts)


@pytest.fixture(scope="module")
def built():
    return {name: factory() for name, factory in kernels.ALL.items()}


@pytest.mark.parametrize("name", sorted(kernels.ALL))
def test_roundtrip_structurally_equal(built, name):
    """Printed IR parses back to a structurally equal PrimFunc."""
    func = built[name]
    tir.assert_structural_equal(func, tir.parse(tir.script(func)))


@pytest.mark.parametrize("name", sorted(kernels.ALL))
def test_matches_golden_script(built, name):
    """The printed IR equals the checked-in golden text (TT_IR_UPDATE_GOLDEN=1 rewrites it)."""
    path = os.path.join(GOLDEN, f"{name}.py.txt")
    text = tir.script(built[name])
    if os.environ.get("TT_IR_UPDATE_GOLDEN"):
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w") as fh:
            fh.write(text)
    with open(path) as fh:
        assert text == fh.read()


def test_gemm_encoding_is_tilelangs(built):
    """Quickstart GEMM: the exact tl ops, region access codes and gemm slots."""
    func = built["matmul_relu"]
    assert func.attrs["global_symbol"] == "matmul_relu"
    assert _op_counts(func) == {"tl.tileop.fill": 1, "tl.tileop.copy": 3, "tl.tileop.gemm": 1,
                                "tl.region": 10}
    gemm = next(c for c, _ in tir.tile_op_sites(func) if tir.op_name(c) == "tl.tileop.gemm")
    g = tir.decode_gemm(gemm)
    assert (g.A.buffer.name, g.A.access, g.A.static_extents) == ("A_shared", 1, [128, 32])
    assert (g.B.buffer.name, g.B.access, g.B.static_extents) == ("B_shared", 1, [32, 128])
    assert (g.C.buffer.name, g.C.access, g.C.static_extents) == ("C_local", 3, [128, 128])
    assert (g.transpose_A, g.transpose_B, g.policy, g.clear_accum) == (False, False, 0, False)
    assert [tir.as_int(x) for x in (g.M, g.N, g.K)] == [128, 128, 32]
    assert [tir.as_int(a) for a in gemm.args[10:]] == [0, 0, 0]
    assert len(gemm.args) == 13


def test_kernel_launch_and_allocs(built):
    """T.Kernel -> blockIdx launch_thread attrs, threads as a func attr; flat AllocBuffers."""
    func = built["matmul_relu"]
    launches = tir.collect(func.body, tir.AttrStmt, lambda s: s.attr_key == "thread_extent")
    assert [(str(s.node.thread_tag), tir.as_int(s.value)) for s in launches] == [
        ("blockIdx.x", 8), ("blockIdx.y", 8)]
    assert tir.get_attr(func, "tl.launch_threads") == [128, 1, 1]
    allocs = tir.collect(func.body, tir.AllocBuffer)
    assert [(a.buffer.name, tir.scope_of(a.buffer), str(a.buffer.dtype)) for a in allocs] == [
        ("A_shared", "shared.dyn", "bfloat16"), ("B_shared", "shared.dyn", "bfloat16"),
        ("C_local", "local.fragment", "float32")]


def test_pipelined_and_parallel_loops(built):
    """Pipelined -> serial For with num_stages; Parallel(M, N) -> two nested parallel Fors."""
    loops = tir.collect(built["matmul_relu"].body, tir.For)
    assert [(str(lp.loop_var), lp.kind, tir.as_int(lp.extent)) for lp in loops] == [
        ("k", tir.ForKind.SERIAL, 32), ("i", tir.ForKind.PARALLEL, 128),
        ("j", tir.ForKind.PARALLEL, 128)]
    assert tir.to_python(loops[0].annotations) == {"num_stages": 3}


def test_source_lines_point_at_kernel_lines(built):
    """Each tile op carries the kernel file:line it was written on."""
    sites = tir.tile_op_sites(built["matmul_relu"])
    lines = [line for _, line in sites]
    assert all(line.startswith("kernels.py:") for line in lines)
    with open(kernels.__file__) as fh:
        src = fh.read().splitlines()
    first = int(lines[0].split(":")[1])
    assert src[first - 1].strip() == "T.clear(C_local)"
    gemm_line = int(lines[3].split(":")[1])
    assert src[gemm_line - 1].strip() == "T.gemm(A_shared, B_shared, C_local)"


def test_flash_attention_slices_and_reduce(built):
    """4-D slices keep leading unit extents; reduce encodes kind, dim, clear."""
    func = built["flash_attention"]
    counts = _op_counts(func)
    assert (counts["tl.tileop.copy"], counts["tl.tileop.gemm"], counts["tl.tileop.reduce"],
            counts["tl.tileop.fill"], counts["tl.infinity"]) == (6, 2, 2, 4, 1)
    calls = [c for c, _ in tir.tile_op_sites(func)]
    q_copy = tir.decode_region(calls[0].args[0])
    assert (q_copy.buffer.name, q_copy.static_extents) == ("Q", [1, 1, 64, 64])
    reduces = [tir.decode_reduce(c) for c in calls if tir.op_name(c) == "tl.tileop.reduce"]
    assert [(r.kind, r.dim, r.clear) for r in reduces] == [("max", 1, False), ("sum", 1, True)]
    gemm_qk = tir.decode_gemm(next(c for c in calls if tir.op_name(c) == "tl.tileop.gemm"))
    assert (gemm_qk.transpose_B, gemm_qk.policy) == (True, int(T.GemmWarpPolicy.FullRow))


def test_dtypes_are_strings_and_constructors():
    """T.bfloat16 is the string "bfloat16" and T.float32(0) is a constant."""
    assert T.bfloat16 == "bfloat16" and isinstance(T.float32, str)
    assert str(T.float32(0)) == "T.float32(0.0)"
    assert T.ceildiv(1000, 32) == 32


def _copy_mismatch():
    @T.prim_func
    def bad(A: T.Tensor((64, 64), "float32")):
        with T.Kernel(1, threads=128):
            S = T.alloc_shared((32, 64), "float32")
            T.copy(A, S)

    return bad


def test_copy_shape_mismatch_is_tterror():
    """Mismatched copy shapes name both shapes and the kernel line."""
    with pytest.raises(TTError) as info:
        _copy_mismatch()
    msg = str(info.value)
    assert "(64, 64)" in msg and "(32, 64)" in msg and "test_language.py:" in msg


def test_gemm_k_mismatch_is_tterror():
    """A gemm whose K dims disagree names the three operand shapes."""
    with pytest.raises(TTError, match=r"K mismatch \(32 vs 64\)"):
        @T.prim_func
        def bad(A: T.Tensor((64, 64), "float32")):
            with T.Kernel(1):
                a = T.alloc_shared((32, 32), "float32")
                b = T.alloc_shared((64, 32), "float32")
                c = T.alloc_fragment((32, 32), "float32")
                T.gemm(a, b, c)


def test_tt_annotations_become_func_attrs():
    """annotate_layout / annotate_core_grid are stored as tt.layouts / tt.core_grid."""

    @T.prim_func
    def k(A: T.Tensor((256, 256), "bfloat16"), B: T.Tensor((256, 256), "bfloat16")):
        T.annotate_layout({A: T.tt_layout(memory="l1", kind="sharded", shard_grid=(2, 2),
                                           shard_shape=(128, 128)),
                           B: T.tt_layout()})
        T.annotate_core_grid(4, 2)
        with T.Kernel(8, 8) as (bx, by):
            T.copy(A[by * 32, bx * 32], B[by * 32:by * 32 + 32, bx * 32:bx * 32 + 32])

    assert tir.get_attr(k, T.CORE_GRID_ATTR) == [4, 2]
    assert tir.get_attr(k, T.LAYOUTS_ATTR) == {
        "A": {"memory": "l1", "kind": "sharded", "order": "row_major", "shard_grid": [2, 2],
              "shard_shape": [128, 128], "strategy": "block"},
        "B": {"memory": "dram", "kind": "interleaved", "order": "row_major"}}
    tir.assert_structural_equal(k, tir.parse(tir.script(k)))


def test_bad_layout_is_schema_error():
    """Unknown layout values list the allowed ones."""
    with pytest.raises(SchemaError, match="'hbm' is not one of dram, l1"):
        T.tt_layout(memory="hbm")
    with pytest.raises(SchemaError, match="needs shard_grid"):
        T.tt_layout(memory="l1", kind="sharded")


def test_annotation_outside_kernel_is_tterror():
    """T.Kernel / annotations outside @T.prim_func give a TTError."""
    with pytest.raises(TTError, match="inside a kernel decorated with @T.prim_func"):
        T.annotate_core_grid(2, 2)


EXPECTED_TRANSPOSE_B = '''
@T.prim_func
def matmul_transpose_b(A: T.Buffer((256, 128), "bfloat16"), B: T.Buffer((256, 128), "bfloat16"),
                       C: T.Buffer((256, 256), "bfloat16")):
    T.func_attr({"tl.launch_threads": [128, 1, 1]})
    bx = T.launch_thread("blockIdx.x", 4)
    by = T.launch_thread("blockIdx.y", 4)
    A_shared = T.alloc_buffer((64, 32), "bfloat16", scope="shared.dyn")
    B_shared = T.alloc_buffer((64, 32), "bfloat16", scope="shared.dyn")
    C_local = T.alloc_buffer((64, 64), scope="local.fragment")
    T.tl.fill(T.tl.region(C_local[0, 0], 2, 64, 64), 0)
    for k in T.serial(4, annotations={"num_stages": 2}):
        T.tl.copy(T.tl.region(A[by * 64, k * 32], 1, 64, 32), T.tl.region(A_shared[0, 0], 2, 64, 32))
        T.tl.copy(T.tl.region(B[bx * 64, k * 32], 1, 64, 32), T.tl.region(B_shared[0, 0], 2, 64, 32))
        T.tl.gemm(T.tl.region(A_shared[0, 0], 1, 64, 32), T.tl.region(B_shared[0, 0], 1, 64, 32),
                  T.tl.region(C_local[0, 0], 3, 64, 64), T.bool(False), T.bool(True),
                  64, 64, 32, 0, T.bool(False), 0, 0, 0)
    T.tl.copy(T.tl.region(C_local[0, 0], 1, 64, 64), T.tl.region(C[by * 64, bx * 64], 2, 64, 64))
'''


def test_transpose_b_matches_hand_written_ir():
    """GEMM with transpose_B encodes exactly as the hand-written TileLang-form IR."""
    built = kernels.matmul_transpose_b(M=256, N=256, K=128, block_M=64, block_N=64, block_K=32,
                                       num_stages=2)
    expected = tir.parse(EXPECTED_TRANSPOSE_B)
    tir.assert_structural_equal(tir.strip_source_lines(built), expected)


def test_misc_surface_roundtrips():
    """serial/unroll/alloc_local/if_then_else/exp/cast/Pipelined(order, stage) build and re-parse."""

    @T.prim_func
    def misc(A: T.Tensor((64, 64), T.float32), B: T.Tensor((64, 64), T.float32)):
        with T.Kernel(2, 2) as (bx, by):
            S = T.alloc_shared((32, 32), T.float32)
            L = T.alloc_local((4,), T.float32)
            for k in T.Pipelined(2, num_stages=2, order=[0, 1], stage=[0, 1]):  # noqa: B007 -- a TVMScript loop
                T.copy(A[by * 32, bx * 32], S)
            for i in T.serial(4):
                for j in T.unroll(4):
                    L[j] = T.if_then_else(S[i, j] > T.float32(0), T.exp(S[i, j]), T.cast(i, T.float32))
            T.copy(S, B[by * 32:by * 32 + 32, bx * 32:bx * 32 + 32])

    tir.assert_structural_equal(misc, tir.parse(tir.script(misc)))
    loops = tir.collect(misc.body, tir.For)
    assert tir.to_python(loops[0].annotations) == {
        "num_stages": 2, "tl_pipeline_order": [0, 1], "tl_pipeline_stage": [0, 1]}
    assert [lp.kind for lp in loops[1:]] == [tir.ForKind.SERIAL, tir.ForKind.UNROLLED]
    local = tir.find(misc.body, lambda a: a.buffer.name == "L", types=tir.AllocBuffer)
    assert tir.scope_of(local.buffer) == "local"


def test_copy_of_a_scalar_is_tterror():
    """A copy operand that is not a buffer/element/slice names what it got."""
    with pytest.raises(TTError, match="T.copy: source must be a buffer"):
        @T.prim_func
        def bad(A: T.Tensor((64, 64), "float32")):
            with T.Kernel(1):
                S = T.alloc_shared((32, 32), "float32")
                T.copy(1, S)


def test_reduce_output_shape_is_checked():
    """reduce_max into a wrongly shaped output lists the shapes that would fit."""
    with pytest.raises(TTError, match=r"expected \(32,\) or \(32, 1\)"):
        @T.prim_func
        def bad(A: T.Tensor((64, 64), "float32")):
            with T.Kernel(1):
                x = T.alloc_fragment((32, 16), "float32")
                m = T.alloc_fragment((16,), "float32")
                T.reduce_max(x, m, dim=1)


def test_reduce_of_shared_goes_through_a_fragment():
    """As in TileLang, reducing a shared buffer first copies it into a fragment."""

    @T.prim_func
    def red(A: T.Tensor((32, 32), "float32")):
        with T.Kernel(1):
            S = T.alloc_shared((32, 32), "float32")
            m = T.alloc_fragment((32,), "float32")
            T.copy(A, S)
            T.reduce_sum(S, m, dim=1)

    names = [(tir.op_name(c), tir.decode_region(c.args[0]).buffer.name) for c, _ in tir.tile_op_sites(red)]
    assert names == [("tl.tileop.copy", "A"), ("tl.tileop.copy", "S"), ("tl.tileop.reduce", "S_frag")]


def test_schema_error_inside_kernel_propagates():
    """A bad layout inside a kernel surfaces as SchemaError, not a TVM DiagnosticError."""
    with pytest.raises(SchemaError, match="kind"):
        @T.prim_func
        def bad(A: T.Tensor((64, 64), "float32")):
            T.annotate_layout({A: T.tt_layout(kind="striped")})
            with T.Kernel(1):
                T.clear(A)


def test_prim_func_without_source_is_a_clear_error():
    """A kernel defined in exec() has no source file for TVMScript to parse: say so."""
    src = "import tt_ir.language as T\n@T.prim_func\ndef k(A: T.Tensor((32, 32), T.bfloat16)):\n    pass\n"
    with pytest.raises(TTError, match=r"T.prim_func: cannot read the source of 'k'; .* define them in a .py file"):
        exec(compile(src, "<string>", "exec"), {})


def test_tvmscript_rejection_is_a_tt_error_with_the_line():
    """A body TVMScript rejects (float %) is a TTError that keeps TVM's located diagnostic."""
    with pytest.raises(TTError, match=r"(?s)T.prim_func 'fmod': the kernel does not parse:.*C\[i, j\] = S\[i, j\] % 3.0"):

        @T.prim_func
        def fmod(A: T.Tensor((32, 32), T.bfloat16), B: T.Tensor((32, 32), T.bfloat16)):
            with T.Kernel(1, 1) as (bx, by):
                S = T.alloc_shared((32, 32), T.bfloat16)
                C = T.alloc_fragment((32, 32), T.bfloat16)
                T.copy(A[0, 0], S)
                for i, j in T.Parallel(32, 32):
                    C[i, j] = S[i, j] % 3.0
                T.copy(C, B[0, 0])


def _pipelined_kernel(num_stages):
    @T.prim_func
    def staged(A: T.Tensor((64, 64), T.bfloat16), C: T.Tensor((64, 64), T.bfloat16)):
        with T.Kernel(1, 1) as (bx, by):
            A_s = T.alloc_shared((32, 64), T.bfloat16)
            for k in T.Pipelined(2, num_stages=num_stages):
                T.copy(A[k * 32, 0], A_s)
                T.copy(A_s, C[k * 32, 0])

    return staged


@pytest.mark.parametrize("num_stages", [5, -1, 2.0])
def test_pipelined_num_stages_outside_0_to_4_is_refused(num_stages):
    """The documented range is 0-4 (README); 5 used to be accepted silently (a deeper CB is cb_depth)."""
    with pytest.raises(TTError) as info:
        _pipelined_kernel(num_stages)
    assert str(info.value).startswith(
        f"T.Pipelined(num_stages={num_stages!r}): num_stages must be an int from 0 to 4 (N >= 1: N blocks per input "
        "CB; 0: 2 blocks, no pipelining); for a deeper CB compile with the option cb_depth=N "
        "(tt compile --option cb_depth=N)\n  at ")


@pytest.mark.parametrize("num_stages", [0, 1, 4])
def test_pipelined_num_stages_0_to_4_are_accepted(num_stages):
    loops = tir.collect(_pipelined_kernel(num_stages).body, tir.For)
    assert tir.to_python(loops[0].annotations) == {"num_stages": num_stages}


def test_im2col_encodes_as_tilelang():
    """T.im2col is tl.tileop.im2col(image region, block region, nhw_step, c_step, kernel,
    stride, dilation, pad, eviction policy); T.c2d_im2col is the same op."""

    @T.prim_func
    def gather(X: T.Tensor((1, 8, 8, 32), "bfloat16")):
        with T.Kernel(2) as by:
            P = T.alloc_shared((32, 32), "bfloat16")
            T.im2col(X, P, by, 0, 3, 1, 1, 1)
            T.c2d_im2col(X, P, by, 1, 3, 2, 1, 0)

    calls = [c for c in tir.collect(gather.body, tir.Call) if tir.is_call(c, "tl.tileop.im2col")]
    assert len(calls) == 2
    img, col = (tir.decode_region(a) for a in calls[0].args[:2])
    assert (str(img.buffer.name), img.static_extents) == ("X", [1, 8, 8, 32])
    assert (str(col.buffer.name), col.static_extents) == ("P", [32, 32])
    assert [tir.as_int(a) for a in calls[1].args[3:]] == [1, 3, 2, 1, 0, 0]


def test_im2col_wants_an_nhwc_image():
    with pytest.raises(TTError, match=r"T.im2col: the image X must be a 4-D NHWC tensor, got \(64, 32\)"):
        @T.prim_func
        def bad(X: T.Tensor((64, 32), "bfloat16")):
            with T.Kernel(1):
                P = T.alloc_shared((32, 32), "bfloat16")
                T.im2col(X, P, 0, 0, 3, 1, 1, 1)


def test_tensor_with_data_is_a_view():
    """`T.Tensor(shape, dtype, X.data)` in the body declares a view of X's data."""

    @T.prim_func
    def view(X: T.Tensor((2, 32, 64), "float32")):
        with T.Kernel(1):
            flat = T.Tensor((64, 64), "float32", X.data)
            S = T.alloc_shared((32, 64), "float32")
            T.copy(flat[0, 0], S)

    (decl,) = tir.collect(view.body, tir.DeclBuffer)
    assert str(decl.buffer.name) == "flat" and [tir.as_int(d) for d in decl.buffer.shape] == [64, 64]
    assert tir.is_call(decl.data, "tirx.buffer_data") and decl.data.args[0].same_as(view.params[0])


def test_alloc_var_init_and_align_up():
    """`T.alloc_var(dtype, init=v)` stores its first value; `T.align_up(a, b)` rounds up."""

    @T.prim_func
    def var(A: T.Tensor((32,), "float32")):
        with T.Kernel(1):
            x = T.alloc_var(T.float32, init=2.5)
            A[0] = x[0]

    (store, _) = tir.collect(var.body, tir.BufferStore)
    assert str(store.buffer.name) == "x" and float(store.value.value) == 2.5
    assert T.align_up(70, 32) == 96


def test_bfloat16_compares_with_python_numbers():
    """`x > 0` with x bfloat16 parses (TVMScript alone passes the bare int on and fails): the
    number becomes a bfloat16 constant."""

    @T.prim_func
    def cmp(A: T.Tensor((32, 32), "bfloat16")):
        with T.Kernel(1):
            for i, j in T.Parallel(32, 32):
                A[i, j] = T.if_then_else(A[i, j] > 0, A[i, j], A[i, j] * 0.5)

    (cond,) = tir.collect(cmp.body, tir.GT)
    assert type(cond).__name__ == "GT" and tir.dtype_of(cond.b) == "bfloat16" and float(cond.b.value) == 0.0


def test_reshape_of_an_on_chip_buffer_is_refused():
    with pytest.raises(TTError, match=r"T.reshape / T.view of on-chip buffer S: its tiles have a fixed 32 x 32 layout"):
        @T.prim_func
        def bad(A: T.Tensor((64, 64), "float32")):
            with T.Kernel(1):
                S = T.alloc_shared((64, 64), "float32")
                T.reshape(S, [32, 128])


def test_tilelangs_tvm_spellings_for_helpers():
    """Helpers written against TileLang's TVM (`val: tirx.PrimExpr`, `val.dtype == T.uint8`)
    run on apache-tvm 0.27 once tt_ir.language is imported; nothing existing is replaced."""
    from tvm import tirx

    v = tirx.Var("v", "uint8")
    assert tirx.PrimExpr is tirx.Expr and isinstance(v, tirx.PrimExpr)
    assert v.dtype == T.uint8 and (v >> tirx.const(4, "uint8")).dtype == "uint8"
    assert tirx.reinterpret("int8", v).dtype == T.int8


def test_kernel_scopes_with_different_threads_parse():
    """TileLang's split-K GEMM files define a second T.Kernel (the reduction) with other
    threads in the same factory: threads mean nothing on Tenstorrent, so both parse and the
    largest is recorded."""

    @T.prim_func
    def two(A: T.Tensor((32, 32), T.float32), B: T.Tensor((32, 32), T.float32)):
        with T.Kernel(1, threads=256) as _:
            s = T.alloc_shared((32, 32), T.float32)
            T.copy(A[0, 0], s)
            T.copy(s, B[0, 0])
        with T.Kernel(1, threads=128) as _:
            t = T.alloc_shared((32, 32), T.float32)
            T.copy(B[0, 0], t)
            T.copy(t, A[0, 0])

    assert [int(x) for x in two.attrs["tl.launch_threads"]] == [256, 1, 1]


def test_chained_assignment_is_one_assignment_per_target():
    """`A[i] = B[i] = v` and `s = t = expr` (TileLang's parser takes them) build exactly what
    the assignments written one by one build: targets left to right, a later name bound to
    the first name."""

    @T.prim_func
    def chained(A: T.Tensor((64,), T.float32), B: T.Tensor((64,), T.float32)):
        with T.Kernel(2) as bx:
            for i in T.Parallel(32):
                s = t = bx * 32 + i
                A[s] = B[t] = 1.0

    @T.prim_func
    def spelled(A: T.Tensor((64,), T.float32), B: T.Tensor((64,), T.float32)):
        with T.Kernel(2) as bx:
            for i in T.Parallel(32):
                s = bx * 32 + i
                t = s
                A[s] = 1.0
                B[t] = 1.0

    tir.assert_structural_equal(tir.strip_source_lines(chained).body, tir.strip_source_lines(spelled).body,
                                map_free_vars=True)


def test_gpu_register_hints_are_accepted_and_said_once(capsys):
    """`T.disable_warp_group_reg_alloc()` / `T.no_set_max_nreg()` (TileLang's warp-group
    register hints, in its MLA and attention examples) add nothing to the IR."""
    from tt_ir.language import _annotate

    _annotate._SAID.difference_update({"disable_warp_group_reg_alloc", "no_set_max_nreg"})

    @T.prim_func
    def hinted(A: T.Tensor((64,), T.float32), B: T.Tensor((64,), T.float32)):
        with T.Kernel(1) as _:
            T.disable_warp_group_reg_alloc()
            T.no_set_max_nreg()
            for i in T.Parallel(64):
                B[i] = A[i] + 1.0

    @T.prim_func
    def plain(A: T.Tensor((64,), T.float32), B: T.Tensor((64,), T.float32)):
        with T.Kernel(1) as _:
            for i in T.Parallel(64):
                B[i] = A[i] + 1.0

    T.disable_warp_group_reg_alloc()  # a second time: not said again
    tir.assert_structural_equal(tir.strip_source_lines(hinted).body, tir.strip_source_lines(plain).body,
                                map_free_vars=True)
    err = capsys.readouterr().err
    assert err.count("T.disable_warp_group_reg_alloc: a GPU register-allocation hint") == 1
    assert err.count("T.no_set_max_nreg: a GPU register-allocation hint") == 1


def _scan(op, shape=(64, 64), dtype="float32", dst_shape=None, **kwargs):
    if dst_shape is None:
        @T.prim_func
        def scan(A: T.Tensor((64, 64), "float32")):
            with T.Kernel(1):
                a = T.alloc_shared(shape, dtype)
                op(a, **kwargs)

        return scan

    @T.prim_func
    def scan_into(A: T.Tensor((64, 64), "float32")):
        with T.Kernel(1):
            a = T.alloc_shared(shape, dtype)
            d = T.alloc_shared(dst_shape, dtype)
            op(a, d, **kwargs)

    return scan_into


def test_cumsum_is_a_gemm_with_a_generated_triangle():
    """T.cumsum(a, dim=1) is: a triangle of ones filled by index, a gemm into a cleared
    float32 block, a copy back into a."""
    func = _scan(T.cumsum, dim=1)
    counts = _op_counts(func)
    assert counts["tl.tileop.gemm"] == 1 and counts["tl.tileop.copy"] == 1, counts
    (store,) = tir.collect(func.body, tir.BufferStore)
    assert store.buffer.name == "a_scan_ones"
    cond = store.value.args[0]  # dim 1: ones where the row index k <= the column index j
    assert isinstance(cond, tir.LE) and cond.a.same_as(store.indices[0]) and cond.b.same_as(store.indices[1])
    gemm = next(c for c in tir.collect(func.body, tir.Call) if tir.is_call(c, "tl.tileop.gemm"))
    a, b, c = (tir.decode_region(x).buffer.name for x in gemm.args[:3])
    assert (a, b, c) == ("a", "a_scan_ones", "a_scan_acc")


@pytest.mark.parametrize("kwargs, message", [
    (dict(shape=(48,)), r"T.cumsum: a \(48\) must be a vector or a 2-D block whose sides are multiples of 32"),
    (dict(shape=(64, 48)), r"T.cumsum: a \(64, 48\) must be a vector or a 2-D block"),
    (dict(dtype="int32"), r"T.cumsum: a is int32; the scan runs on the FPU, in floats"),
    (dict(dst_shape=(32, 64)), r"T.cumsum: dst d \(32, 64\) must have the shape of src a \(64, 64\)"),
    (dict(dim=2), r"T.cumsum: dim 2 is out of range for a \(64, 64\)"),
])
def test_cumsum_refusals_name_the_block(kwargs, message):
    with pytest.raises(TTError, match=message):
        _scan(T.cumsum, **kwargs)


def test_cumsum_of_part_of_a_block_is_refused():
    @T.macro
    def part(a):
        T.cumsum(a[0:32, 0:64], dim=1)

    with pytest.raises(TTError, match=r"T.cumsum: src is \(32, 64\) of a \(64, 64\); a scan takes a whole block"):
        _scan(lambda a, **_: part(a))


def test_cummax_is_refused_saying_why():
    with pytest.raises(TTError, match=r"T.cummax\(a\): a running maximum has no Tenstorrent tile op"):
        _scan(T.cummax)


class _TorchDtype:
    """Prints as torch's dtypes do (`str(torch.bfloat16) == "torch.bfloat16"`), without torch."""

    def __init__(self, name):
        self.name = name

    def __str__(self):
        return f"torch.{self.name}"


@pytest.mark.parametrize("given", [_TorchDtype("float16"), "float16", T.float16, np.float16,
                                   np.dtype("float16")])
def test_dtypes_from_torch_numpy_and_names_mean_the_same(given):
    """A factory passing its tensors' dtype (`T.dtype(q.dtype)`, or `q.dtype` itself) declares
    the same kernel as one passing the name; torch's dtype was a raw TVM ValueError."""
    assert T.dtype(given) == "float16" and isinstance(T.dtype(given), str)

    @T.prim_func
    def k(A: T.Tensor((32, 32), given)):
        with T.Kernel(1):
            a = T.alloc_shared((32, 32), T.dtype(given))
            b = T.alloc_fragment((32, 32), given)
            T.copy(A, a)
            T.copy(a, b)

    assert str(k.params[0].dtype) == "float16"
    allocs = tir.collect(k.body, tir.AllocBuffer)
    assert [str(x.buffer.dtype) for x in allocs] == ["float16", "float16"]


def test_alloc_global_is_refused_saying_what_to_do():
    with pytest.raises(TTError, match=r"T.alloc_global\(\[4, 64\], float16\): a scratch tensor in DRAM .*"
                                      r"Write each launch as its own @T.prim_func"):
        @T.prim_func
        def split(A: T.Tensor((64, 64), "float16")):
            scratch = T.alloc_global([4, 64], T.float16)
            with T.Kernel(1):
                a = T.alloc_shared((32, 32), "float16")
                T.copy(A[0, 0], a)
                T.copy(a, scratch[0, 0])


def test_alloc_var_is_a_value_as_in_tilelang():
    """`x = T.alloc_var(T.int32)` binds x to the value of a one-element local.var buffer:
    `x = v`, `x += v` and `x[0] = v` store into it, `x` and `x[0]` read it (the buffer was
    bound instead, and `x * 2` failed inside TVM)."""

    @T.prim_func
    def var(A: T.Tensor((64,), "float32")):
        with T.Kernel(2) as bx:
            x = T.alloc_var(T.int32)
            x = bx * 32
            x += 1
            y = T.alloc_var(T.int32, 5, "local.var")
            y[0] = x * 2
            A[x] = T.Cast("float32", y[0] + y)

    stores = tir.collect(var.body, tir.BufferStore)
    assert [str(st.buffer.name) for st in stores] == ["x", "x", "y", "y", "A"]
    assert all(tir.scope_of(st.buffer) == "local.var" for st in stores[:4])
    assert [tir.as_int(st.value) for st in stores[2:3]] == [5]
    loads = [x for x in tir.collect(stores[4].value, tir.TensorLoad)]
    assert [str(x.source.name) for x in loads] == ["y", "y"]
    assert str(stores[4].indices[0].source.name) == "x"


def test_alloc_var_arguments_are_checked():
    with pytest.raises(TTError, match=r"T.alloc_var: init is given twice"):
        @T.prim_func
        def twice(A: T.Tensor((64,), "float32")):
            with T.Kernel(1):
                x = T.alloc_var(T.int32, 1, init=2)
                A[x] = 0.0
    with pytest.raises(TTError, match=r"x is a T.alloc_var, one element: index it with 0"):
        @T.prim_func
        def past(A: T.Tensor((64,), "float32")):
            with T.Kernel(1):
                x = T.alloc_var(T.int32)
                x[1] = 3
                A[x] = 0.0
