"""infer_tt_layout: a DRAM-interleaved BufferInfo per tensor; unsupported tensors refused."""

import pytest
from conftest import apply, kernels

import tt_ir.language as T
from tt_ir import tir
from tt_ir.errors import TTCompileError
from tt_passes import _meta


def test_buffers_of_elementwise_add(add_kernel):
    """Every tensor gets role, dtype, format, tile grid and one-tile pages; the body is unchanged."""
    before, after = apply(add_kernel, "infer_tt_layout")
    infos = _meta.get(after, _meta.BUFFERS)
    assert [(b.name, b.index, b.role) for b in infos] == [("A", 0, "input"), ("B", 1, "input"),
                                                          ("C", 2, "output")]
    assert infos[0].data_format == "Float16_b" and infos[0].page_size == 2048
    assert infos[0].tiles == [8, 8] and infos[0].num_pages == 64
    assert infos[0].layout == {"memory": "dram", "kind": "interleaved", "tile": [32, 32], "shard": None}
    assert _meta.get(after, _meta.KERNEL_NAME) == "eltwise_add"
    assert after["eltwise_add"].body.same_as(before["eltwise_add"].body)


def test_float32_pages_are_4096_bytes():
    """float32 tiles are 4096 B (format Float32)."""
    _, after = apply(kernels.eltwise(dtype=T.float32), "infer_tt_layout")
    assert {b.page_size for b in _meta.get(after, _meta.BUFFERS)} == {4096}


def test_refuses_unsupported_dtype():
    """int16 is refused with the buffer, the dtype, the line and the supported list."""
    with pytest.raises(TTCompileError) as err:
        apply(kernels.matmul(64, 64, 64, 32, 32, 32, dtype=T.int16), "infer_tt_layout")
    text = str(err.value)
    assert "[tt-passes:infer_tt_layout] buffer 'A': dtype int16 is not supported" in text
    assert "at kernels.py:" in text
    assert "hint: use one of bfloat16, float16, float32, int32, int8, uint8" in text


def test_float8_is_refused_naming_bfloat8_b():
    """A float8 tensor is refused with TT's own 8-bit float named (bfloat8_b) and what to use."""
    with pytest.raises(TTCompileError) as err:
        apply(kernels.tensor_cast(dst=T.float8_e4m3fn), "infer_tt_layout")
    text = str(err.value)
    assert "buffer 'B': dtype float8_e4m3fn is not supported" in text
    assert "hint: Tenstorrent tiles have no float8_e4m3fn format: their 8-bit float is bfloat8_b" in text
    assert "use one of bfloat16, float16, float32" in text


def test_sizes_that_are_not_tile_multiples():
    """A 100-row 2-D tensor has 4 tile rows (the last one padded); a rank-3 tensor whose
    matrices' rows are not a multiple of 32 is refused with its shape and the remainder."""
    _, after = apply(kernels.eltwise(M=100), "infer_tt_layout")
    tiles = {b.name: b.tiles for b in _meta.get(after, _meta.BUFFERS)}
    assert tiles["A"] == [4, 8] and tiles["C"] == [4, 8]
    with pytest.raises(TTCompileError) as err:
        apply(kernels.attention(seq=80, bm=40, bn=40, layout="bhsd", heads=1), "infer_tt_layout")
    assert "shape [1, 1, 80, 64]: the second last dim must be a multiple of 32" in str(err.value)
    assert "remainder=16" in str(err.value)

def test_tensors_accessed_folded_need_no_whole_tile_matrices():
    """A (1, 8, 8, 32) image read only by an im2col gather, and a (1, 8, 8, 32) output written
    through a flat view, are one folded matrix each: 64 rows = 2 tile rows, no refusal
    although their second last dim (8) is not a multiple of 32."""
    _, after = apply(kernels.conv(), "infer_tt_layout")
    tiles = {b.name: b.tiles for b in _meta.get(after, _meta.BUFFERS)}
    assert tiles == {"img": [2, 1], "wts": [9, 1], "out": [2, 1]}


def test_runtime_sizes_become_granule_times_unit():
    """T.dynamic dims: each size gets the lcm of 32 and the copy extents along it (m: block 64,
    k: block 32, n: block 128), the kernel is rewritten with m -> 64 * m_div64 (the launch
    extent ceildiv(m, 64) is then m_div64), and the tile counts are monomials of units."""
    m, n, k = T.dynamic("m"), T.dynamic("n"), T.dynamic("k")
    _, after = apply(kernels.matmul(m, n, k, 64, 128, 32), "infer_tt_layout")
    assert _meta.get(after, _meta.SIZES) == [
        {"name": "m", "granule": 64, "unit": "m_div64", "source": {"buffer": "A", "dim": 0}},
        {"name": "k", "granule": 32, "unit": "k_div32", "source": {"buffer": "A", "dim": 1}},
        {"name": "n", "granule": 128, "unit": "n_div128", "source": {"buffer": "B", "dim": 1}}]
    a = _meta.by_name(_meta.get(after, _meta.BUFFERS))["A"]
    assert (a.shape, a.tiles, a.num_pages) == (["64*m_div64", "32*k_div32"], ["2*m_div64", "k_div32"],
                                               "2*k_div32*m_div64")
    extents = sorted(str(x.value) for x in tir.collect(after["matmul"].body, tir.AttrStmt)
                     if str(x.attr_key) == "thread_extent" and "blockIdx" in str(x.node.thread_tag))
    assert extents == ["m_div64", "n_div128"]


def test_runtime_sizes_refusals():
    """A dim that is an expression of sizes, and a size no input carries, are refused."""
    m = T.dynamic("m")
    with pytest.raises(TTCompileError) as err:
        apply(kernels.eltwise(M=m * 2, N=128), "infer_tt_layout")
    assert "buffer 'A': dim `m * 2` is an expression of runtime sizes" in str(err.value)

    @T.prim_func
    def fill(C: T.Tensor((m, 32), T.float32)):
        with T.Kernel(T.ceildiv(m, 32)) as bx:
            c = T.alloc_fragment((32, 32), T.float32)
            T.fill(c, 1.0)
            T.copy(c, C[bx * 32, 0])

    with pytest.raises(TTCompileError) as err:
        apply(fill, "infer_tt_layout")
    assert "size 'm': runtime size 'm' is a dim of no input tensor" in str(err.value)


def test_runtime_sizes_the_kernels_cannot_take_are_refused():
    """A size that shapes an on-chip block, or is a value in a T.Parallel body, is refused
    naming the use and the line, before any later pass meets it."""
    n = T.dynamic("n")

    @T.prim_func
    def whole_rows(X: T.Tensor((64, n), T.float32), Y: T.Tensor((64, n), T.float32)):
        with T.Kernel(2) as bx:
            x = T.alloc_fragment((32, n), T.float32)
            T.copy(X[bx * 32, 0], x)
            T.copy(x, Y[bx * 32, 0])

    with pytest.raises(TTCompileError) as err:
        apply(whole_rows, "infer_tt_layout")
    assert "a runtime size ('n') is used where the kernels cannot take it: it sizes on-chip " \
           "buffer 'x'" in str(err.value)

    @T.prim_func
    def mean(X: T.Tensor((64, n), T.float32), Y: T.Tensor((64, n), T.float32)):
        with T.Kernel(T.ceildiv(n, 32), 2) as (bx, by):
            x = T.alloc_fragment((32, 32), T.float32)
            T.copy(X[by * 32, bx * 32], x)
            for i, j in T.Parallel(32, 32):
                x[i, j] = x[i, j] / n
            T.copy(x, Y[by * 32, bx * 32])

    with pytest.raises(TTCompileError) as err:
        apply(mean, "infer_tt_layout")
    text = str(err.value)
    assert "it is used as a value (the tile engines take constants, not runtime arguments)" in text
    assert "at test_infer_tt_layout.py:" in text and "hint: make that size a T.const" in text


def test_refuses_a_scalar_parameter_naming_it():
    """A value passed at call time (`valid_len: T.int32`) used to be dropped from the
    signature silently, with the condition reading it treated as true."""

    @T.prim_func
    def bounded(A: T.Tensor((512,), T.float32), B: T.Tensor((512,), T.float32), valid_len: T.int32):
        with T.Kernel(1) as _:
            for i in T.Parallel(512):
                if i < valid_len:
                    B[i] = A[i] - 1.0

    with pytest.raises(TTCompileError) as err:
        apply(bounded, "infer_tt_layout")
    text = str(err.value)
    assert "scalar parameter 'valid_len' (int32): the kernels take tensors only" in text
    assert "make it a parameter of the kernel's factory" in text
