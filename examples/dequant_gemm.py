"""Weight-only quantization: int8 weights with per-column scales, quantized and then used in a
GEMM; and int4 weights packed two to a byte, unpacked on chip for an int8 x int4 GEMM.

`quantize` turns float32 weights into int8 (or uint8) by a per-column inverse scale, rounding
toward zero as C's cast does and saturating at the format's range. `dequant_gemm` multiplies
bfloat16 activations by the int8 weights and scales each output column.

The int8 tensors move as Tenstorrent's Int8 tiles (1 byte per value). On chip an integer block
is held as float32 (every int8 is exact in it): compute unpacks the Int8 tile and converts it in
DST (`typecast_tile<Int8, Float32>`); the cast to bfloat16 is exact too, so the GEMM multiplies
the weights' own values and accumulates in float32. A block bound for an int8 tensor is
converted back (`typecast_tile<Float32, Int8>`) before it is packed.

    tt run examples/dequant_gemm.py --kernel dequant_gemm
    tt run examples/dequant_gemm.py --kernel quantize
    tt run examples/dequant_gemm.py --kernel w4a8_gemm
    tt run examples/dequant_gemm.py --kernel unpack4 --param fmt=int4

`w4a8_gemm` keeps 4-bit weights packed two to a byte and unpacks them on chip: the reader
computes each int8 weight from its byte (`(b >> 4 * (j % 2)) & 15`, sign-extended through
`T.reinterpret`), element by element, as no tile engine can; the GEMM and its int32 output
then work as above. `unpack4` unpacks int4 or fp4 (e2m1) values alone, an fp4 value as its
bfloat16 bits (`T.reinterpret("bfloat16", bits)`).
"""

import numpy as np

import tt_cli
import tt_ir.language as T


@tt_cli.jit(out_idx=[-1])
def quantize(K=256, N=128, block_K=64, block_N=64, qmax=127.0, out_dtype=T.int8):

    @T.prim_func
    def quant(W: T.Tensor((K, N), T.float32), inv_scale: T.Tensor((N,), T.float32),
              Q: T.Tensor((K, N), out_dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(K, block_K)) as (bx, by):
            w = T.alloc_fragment((block_K, block_N), T.float32)
            q = T.alloc_fragment((block_K, block_N), out_dtype)
            T.copy(W[by * block_K, bx * block_N], w)
            for i, j in T.Parallel(block_K, block_N):
                q[i, j] = T.Cast(out_dtype, T.clamp(w[i, j] * inv_scale[bx * block_N + j], -qmax, qmax))
            T.copy(q, Q[by * block_K, bx * block_N])

    return quant


@tt_cli.jit(out_idx=[-1])
def dequant_gemm(M=128, N=128, K=256, block_M=64, block_N=64, block_K=64, num_stages=2,
                 dtype=T.bfloat16):

    @T.prim_func
    def gemm(X: T.Tensor((M, K), dtype), Wq: T.Tensor((K, N), T.int8),
             scale: T.Tensor((N,), T.float32), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            x = T.alloc_shared((block_M, block_K), dtype)
            wq = T.alloc_fragment((block_K, block_N), T.int8)
            w = T.alloc_fragment((block_K, block_N), dtype)
            acc = T.alloc_fragment((block_M, block_N), T.float32)
            T.clear(acc)
            for k in T.Pipelined(T.ceildiv(K, block_K), num_stages=num_stages):
                T.copy(X[by * block_M, k * block_K], x)
                T.copy(Wq[k * block_K, bx * block_N], wq)
                for i, j in T.Parallel(block_K, block_N):
                    w[i, j] = T.Cast(dtype, wq[i, j])
                T.gemm(x, w, acc)
            for i, j in T.Parallel(block_M, block_N):
                C[by * block_M + i, bx * block_N + j] = acc[i, j] * scale[bx * block_N + j]

    return gemm


def _int4(byte, half):
    """The signed 4-bit value in half `half` (0: low nibble) of a uint8: shift it to the top of
    an int8 and back, so that its sign bit spreads."""
    nibble = (byte >> (T.Cast("uint8", half) * T.uint8(4))) & T.uint8(15)
    return T.reinterpret("int8", nibble << T.uint8(4)) >> T.int8(4)


@tt_cli.jit(out_idx=[-1])
def w4a8_gemm(M=64, N=128, K=256, block_M=32, block_N=64, block_K=128, num_stages=1):
    """Ct = unpack(Bq) @ A^T: int8 activations A (M, K), int4 weights packed two per byte in
    Bq (N, K / 2), the int32 product transposed (N, M). The reader unpacks each weight block
    from Bq's bytes (an index remap `j // 2` and bit operations: no tile engine has them);
    the GEMM multiplies exact small integers and sums them in float32 (exact below 2^24)."""

    @T.prim_func
    def gemm(A: T.Tensor((M, K), T.int8), Bq: T.Tensor((N, K // 2), T.uint8),
             Ct: T.Tensor((N, M), T.int32)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(M, block_M)) as (bx, by):
            a = T.alloc_shared((block_M, block_K), T.int8)
            packed = T.alloc_shared((block_N, block_K // 2), T.uint8)
            w = T.alloc_fragment((block_N, block_K), T.int8)
            acc = T.alloc_fragment((block_N, block_M), T.int32)
            T.clear(acc)
            for k in T.Pipelined(K // block_K, num_stages=num_stages):
                T.copy(A[by * block_M, k * block_K], a)
                T.copy(Bq[bx * block_N, k * block_K // 2], packed)
                for i, j in T.Parallel(block_N, block_K):
                    w[i, j] = _int4(packed[i, j // 2], j % 2)
                T.gemm(w, a, acc, transpose_B=True)
            T.copy(acc, Ct[bx * block_N, by * block_M])

    return gemm


def _fp4_as_bf16_bits(byte, half):
    """The bfloat16 bits of the fp4 (e2m1: sign, 2 exponent bits, 1 mantissa bit) value in half
    `half` of a uint8: 0 and the subnormal 0.5 when the exponent is 0, else the exponent
    rebiased from 1 to 127."""
    f4 = T.Cast("uint16", (byte >> (T.Cast("uint8", half) * T.uint8(4))) & T.uint8(15))
    sign, e, m = f4 >> T.uint16(3), (f4 >> T.uint16(1)) & T.uint16(3), f4 & T.uint16(1)
    magnitude = T.if_then_else(e == T.uint16(0), m * T.uint16(126 << 7),
                               ((e + T.uint16(126)) << T.uint16(7)) | (m << T.uint16(6)))
    return magnitude | (sign << T.uint16(15))


def _fp4_value(byte, half):
    return T.reinterpret("bfloat16", _fp4_as_bf16_bits(byte, half))


@tt_cli.jit(out_idx=[-1])
def unpack4(N=64, K=256, block_N=32, block_K=128, fmt="fp4"):
    """The 4-bit values packed two per byte (low nibble first), unpacked by the reader: fp4
    (e2m1) as bfloat16, each element written as its bits (`T.reinterpret("bfloat16", bits)`),
    or int4 as int8."""
    value, dtype = (_fp4_value, T.bfloat16) if fmt == "fp4" else (_int4, T.int8)

    @T.prim_func
    def unpack(Bq: T.Tensor((N, K // 2), T.uint8), W: T.Tensor((N, K), dtype)):
        with T.Kernel(T.ceildiv(N, block_N), T.ceildiv(K, block_K)) as (bx, by):
            packed = T.alloc_shared((block_N, block_K // 2), T.uint8)
            w = T.alloc_fragment((block_N, block_K), dtype)
            T.copy(Bq[bx * block_N, by * block_K // 2], packed)
            for i, j in T.Parallel(block_N, block_K):
                w[i, j] = value(packed[i, j // 2], j % 2)
            T.copy(w, W[bx * block_N, by * block_K])

    return unpack


def unpack4_reference(Bq, fmt="fp4"):
    """The packed values, low nibble first: fp4 (e2m1) as float32, or int4 as int8."""
    if fmt != "fp4":
        return unpack_int4(Bq)
    Bq = np.asarray(Bq, np.uint8)
    nibbles = np.stack([Bq & 15, Bq >> 4], axis=-1).reshape(Bq.shape[0], -1).astype(np.int64)
    sign = np.where(nibbles >> 3, -1.0, 1.0)
    e, m = (nibbles >> 1) & 3, nibbles & 1
    magnitude = np.where(e == 0, 0.5 * m, 2.0 ** (e - 1) * (1 + 0.5 * m))
    return (sign * magnitude).astype(np.float32)


def unpack4_inputs(seed, N=64, K=256):
    """Every byte value (`tt run` uses these)."""
    return [np.random.default_rng(seed).integers(0, 256, (N, K // 2)).astype(np.uint8)]


def unpack_int4(Bq):
    """The int8 values of int4 pairs packed low nibble first (numpy)."""
    Bq = np.asarray(Bq, np.uint8)
    low, high = (Bq & 15).astype(np.int8), (Bq >> 4).astype(np.int8)
    pairs = np.stack([low, high], axis=-1).reshape(Bq.shape[0], -1)
    return np.where(pairs >= 8, pairs - 16, pairs).astype(np.int8)


def w4a8_gemm_reference(A, Bq):
    return (unpack_int4(Bq).astype(np.int64) @ np.asarray(A, np.int64).T).astype(np.int32)


def w4a8_gemm_inputs(seed, M=64, N=128, K=256):
    """Every int8 and every byte value (`tt run` uses these)."""
    rng = np.random.default_rng(seed)
    return [rng.integers(-128, 128, (M, K)).astype(np.int8),
            rng.integers(0, 256, (N, K // 2)).astype(np.uint8)]


def quantize_inputs(seed, K=256, N=128, qmax=127.0):
    """Weights in [-1, 1) and each column's inverse scale qmax / max |w| (`tt run` uses these)."""
    W = np.random.default_rng(seed).uniform(-1.0, 1.0, (K, N)).astype(np.float32)
    return [W, (qmax / np.abs(W).max(axis=0)).astype(np.float32)]


def quantize_reference(W, inv_scale, qmax=127.0, out_dtype="int8"):
    """What `quantize` computes: float32 product, clamp, truncation, saturation to the format."""
    info = np.iinfo(str(out_dtype))
    q = np.trunc(np.clip(np.asarray(W, np.float32) * np.asarray(inv_scale, np.float32), -qmax, qmax))
    return np.clip(q, info.min, info.max).astype(str(out_dtype))


def reference(X, Wq, scale):
    """The dequantized GEMM in float64."""
    return (np.asarray(X, np.float64) @ np.asarray(Wq, np.float64)) * np.asarray(scale, np.float64)


def error_bound(X, Wq, scale):
    """The float32 sums of exact products (K terms, 2^-24 each, of max |X| @ |Wq|), the scale
    product in float32, and one bfloat16 rounding of the output (2^-8 of its largest value)."""
    X, Wq, scale = (np.asarray(a, np.float64) for a in (X, Wq, scale))
    dot = (np.abs(X) @ np.abs(Wq)) * np.abs(scale)
    return 2 * (2.0 ** -8 * float(np.abs(reference(X, Wq, scale)).max())
                + (X.shape[1] + 2) * 2.0 ** -24 * float(dot.max()))
