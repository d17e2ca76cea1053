"""int32 tensors end to end: in, arithmetic, casts to and from float, out; and the emulator
holding the compiler to the hardware's rule that DST's integers and floats are different bits.

On chip an int32 block is held as float32 (exact below 2^24): an int32 tensor's tiles reach
compute in an Int32 CB and are cast in DST (`typecast_tile<Int32, Float32>`); a block bound
for an int32 tensor is cast back (`typecast_tile<Float32, Int32>`) before it is packed.
"""

import numpy as np
import pytest
from corpus import ARCHES, load_example

import tt_cli
import tt_ir.language as T
import tt_runtime
from tt_ir import EmulatorError


@tt_cli.jit(out_idx=[-2, -1])
def int_affine(M=64, N=96, scale=0.5, bm=32):

    @T.prim_func
    def affine(X: T.Tensor((M, N), T.int32), Y: T.Tensor((M, N), T.int32),
               Z: T.Tensor((M, N), T.float32)):
        with T.Kernel(T.ceildiv(M, bm)) as bx:
            x = T.alloc_fragment((bm, N), T.int32)
            y = T.alloc_fragment((bm, N), T.int32)
            z = T.alloc_fragment((bm, N), T.float32)
            T.copy(X[bx * bm, 0], x)
            for i, j in T.Parallel(bm, N):
                y[i, j] = x[i, j] * 3 - 7 + j
            for i, j in T.Parallel(bm, N):
                z[i, j] = T.Cast("float32", x[i, j]) * scale
            T.copy(y, Y[bx * bm, 0])
            T.copy(z, Z[bx * bm, 0])

    return affine


def _one_block(value, src=T.float32, dst=T.int32, M=32, N=64):
    """Y = value(X) over one (M, N) block."""

    @T.prim_func
    def one_block(X: T.Tensor((M, N), src), Y: T.Tensor((M, N), dst)):
        with T.Kernel(1) as _:
            x = T.alloc_fragment((M, N), src)
            y = T.alloc_fragment((M, N), dst)
            T.copy(X[0, 0], x)
            for i, j in T.Parallel(M, N):
                y[i, j] = value(x[i, j])
            T.copy(y, Y[0, 0])

    return one_block


@pytest.mark.parametrize("arch", ARCHES)
def test_int32_in_arithmetic_and_out(arch):
    """int32 in, `x * 3 - 7 + j` back to int32 (exact) and `float(x) * 0.5` to float32 (exact)."""
    x = np.random.default_rng(3).integers(-100_000, 100_000, (64, 96)).astype(np.int32)
    y, z = tt_cli.compile(int_affine.factory(), out_idx=[-2, -1], arch=arch).run(x).outputs.values()
    assert y.dtype == np.int32 and z.dtype == np.float32
    np.testing.assert_array_equal(y, x * 3 - 7 + np.arange(96, dtype=np.int32))
    np.testing.assert_array_equal(z, x.astype(np.float32) * 0.5)


def test_a_cast_to_int32_rounds_toward_zero():
    """`T.Cast("int32", x * 4)` of floats of both signs: C's cast, not rounding (-1.75 -> -1)."""
    x = np.random.default_rng(4).uniform(-8, 8, (32, 64)).astype(np.float32)
    to_int = _one_block(lambda v: T.Cast("int32", v * 4.0))
    (y,) = tt_cli.compile(to_int, out_idx=[-1]).run(x).outputs.values()
    np.testing.assert_array_equal(y, np.trunc(x * np.float32(4.0)).astype(np.int32))


def test_the_emulator_refuses_to_pack_float_bits_into_an_int32_cb(tmp_path):
    """Top-k's compute kernel without its `typecast_tile<0, 8>`: the packer would write float
    bits as integers on silicon; the emulator stops at that pack and says what is missing."""
    module = load_example("topk.py")
    kernel = tt_cli.compile(module.topk.factory(), out_idx=[-2, -1])
    art = kernel.save(tmp_path / "topk")
    compute = (art / "compute.cpp").read_text()
    assert compute.count("typecast_tile<0, 8>(0);") == 1
    (art / "compute.cpp").write_text(compute.replace("typecast_tile<0, 8>(0);", ""))
    x = np.random.default_rng(5).uniform(-1, 1, (64, 128)).astype(np.float32)
    with pytest.raises(EmulatorError) as err:
        tt_runtime.run(art, {"X": x})
    assert "holds float values but the CB is Int32" in err.value.message
    assert "typecast_tile<Float32, Int32> first" in err.value.message


def test_the_emulator_refuses_float_math_on_int32_bits(tmp_path):
    """The int32 kernel without its `typecast_tile<8, 0>`: an SFPU op would read integer bits
    as floats."""
    kernel = tt_cli.compile(int_affine.factory(), out_idx=[-2, -1])
    art = kernel.save(tmp_path / "affine")
    compute = (art / "compute.cpp").read_text()
    assert "typecast_tile<8, 0>" in compute
    lines = [line for line in compute.splitlines() if "typecast_tile<8, 0>(" not in line]
    (art / "compute.cpp").write_text("\n".join(lines) + "\n")
    x = np.arange(64 * 96, dtype=np.int32).reshape(64, 96)
    with pytest.raises(EmulatorError, match=r"holds int32 values"):
        tt_runtime.run(art, {"X": x})


def test_int32_division_truncates_before_it_is_used():
    """`T.truncdiv(x, 3) * 3` on int32: the quotient is truncated (as C's `/`) before the product, so the
    result is x rounded toward zero to a multiple of 3, not x."""
    x = np.random.default_rng(6).integers(-10_000, 10_000, (32, 64)).astype(np.int32)
    divide = _one_block(lambda v: T.truncdiv(v, 3) * 3, src=T.int32)
    (y,) = tt_cli.compile(divide, out_idx=[-1]).run(x).outputs.values()
    np.testing.assert_array_equal(y, (np.trunc(x / 3) * 3).astype(np.int32))


def test_int32_with_16_bit_dst_is_refused():
    from tt_ir import TTCompileError

    with pytest.raises(TTCompileError) as err:
        tt_cli.compile(_one_block(lambda v: v + 1, src=T.int32), out_idx=[-1], fp32_acc=False)
    text = str(err.value)
    assert "integer data needs DST in 32-bit mode" in text and "buffer 'X'" in text
    assert "leave fp32_acc unset (or True)" in text


@pytest.mark.parametrize("arch", ARCHES)
def test_the_reader_unpacks_int4_pairs(arch):
    """Every byte value, unpacked into two sign-extended int4 values by the reader (an index
    remap and bit operations, element by element) and written to an int8 tensor."""
    module = load_example("dequant_gemm.py")
    bq = np.arange(64 * 96, dtype=np.int64).reshape(64, 96).astype(np.uint8)
    kernel = tt_cli.compile(module.unpack4.factory(N=64, K=192, block_K=64, fmt="int4"), out_idx=[-1],
                            arch=arch)
    (w,) = kernel.run(bq).outputs.values()
    assert w.dtype == np.int8
    np.testing.assert_array_equal(w, module.unpack_int4(bq))


@tt_cli.jit(out_idx=[-1])
def unpack_int4_stack(G=2, H=3, N=64, K=128, block_N=32, block_K=64):
    """The int4 pairs of a rank-4 tensor of packed bytes, one (N, K / 2) matrix per (g, h):
    the reader reads each element from its matrix in the stack (g, h folded into its row)."""

    int4 = load_example("dequant_gemm.py")._int4

    @T.prim_func
    def unpack(Bq: T.Tensor((G, H, N, K // 2), T.uint8), W: T.Tensor((G, H, N, K), T.int8)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(K, block_K), G) as (bx, by, bz):
            packed = T.alloc_shared((block_N, block_K // 2), T.uint8)
            w = T.alloc_fragment((block_N, block_K), T.int8)
            for h in T.serial(H):
                T.copy(Bq[bz, h, bx * block_N, by * block_K // 2], packed)
                for i, j in T.Parallel(block_N, block_K):
                    w[i, j] = int4(packed[i, j // 2], j % 2)
                T.copy(w, W[bz, h, bx * block_N, by * block_K])

    return unpack


@pytest.mark.parametrize("arch", ARCHES)
def test_the_reader_unpacks_int4_pairs_of_a_tensor_stack(arch):
    """Rank 4: each element comes from its own (g, h) matrix (they differ: every byte value
    appears, at different places in each); it once took the region's first two corner indices
    for the element's row and column, and failed inside TVM."""
    unpack_int4 = load_example("dequant_gemm.py").unpack_int4
    bq = np.random.default_rng(4).integers(0, 256, (2, 3, 64, 64)).astype(np.uint8)
    (w,) = tt_cli.compile(unpack_int4_stack.factory(), out_idx=[-1], arch=arch).run(bq).outputs.values()
    np.testing.assert_array_equal(w, np.stack([[unpack_int4(m) for m in g] for g in bq]))
