"""2-D convolution as a GEMM over an im2col block: NHWC activations, (KH, KW, C, F) weights.

Each core computes a (block_M output pixels) x (block_N filters) block. Along the reduction
(KH * KW * C, block_K at a time), `T.im2col` gathers the matching block of the im2col matrix
from the image (the reader reads whole source tiles and copies their rows into place; rows
whose pixel falls in the zero padding are zero), the weights are read through a flat
(KH * KW * C, F) view of their tensor, and `T.gemm` accumulates. The output is written
through a flat (N * OH * OW, F) view of the NHWC result.

    tt run examples/convolution.py
    tt run examples/convolution.py --param stride=2 --param pad=0
"""

import numpy as np

import tt_cli
import tt_ir.language as T


def out_size(size: int, kernel: int, stride: int, dilation: int, pad: int) -> int:
    return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


@tt_cli.jit(out_idx=[-1])
def convolution(N=2, H=16, W=16, C=64, F=64, kernel=3, stride=1, dilation=1, pad=1,
                block_M=64, block_N=64, block_K=32, num_stages=2, dtype=T.bfloat16,
                accum_dtype=T.float32):
    OH = out_size(H, kernel, stride, dilation, pad)
    OW = out_size(W, kernel, stride, dilation, pad)
    KK = kernel * kernel * C

    @T.prim_func
    def conv(image: T.Tensor((N, H, W, C), dtype), weights: T.Tensor((kernel, kernel, C, F), dtype),
             out: T.Tensor((N, OH, OW, F), dtype)):
        with T.Kernel(T.ceildiv(F, block_N), T.ceildiv(N * OH * OW, block_M)) as (bx, by):
            patch = T.alloc_shared((block_M, block_K), dtype)
            w_block = T.alloc_shared((block_K, block_N), dtype)
            acc = T.alloc_fragment((block_M, block_N), accum_dtype)
            w_flat = T.Tensor((KK, F), dtype, weights.data)
            out_flat = T.Tensor((N * OH * OW, F), dtype, out.data)
            T.clear(acc)
            for k in T.Pipelined(T.ceildiv(KK, block_K), num_stages=num_stages):
                T.im2col(image, patch, by, k, kernel, stride, dilation, pad)
                T.copy(w_flat[k * block_K, bx * block_N], w_block)
                T.gemm(patch, w_block, acc)
            T.copy(acc, out_flat[by * block_M, bx * block_N])

    return conv


def reference(image, weights, stride=1, dilation=1, pad=1):
    """The convolution in float64: out[n, oh, ow, f] = sum over kh, kw, c."""
    image = np.asarray(image, np.float64)
    weights = np.asarray(weights, np.float64)
    n, h, w, c = image.shape
    kh_, kw_, _, f = weights.shape
    oh = out_size(h, kh_, stride, dilation, pad)
    ow = out_size(w, kw_, stride, dilation, pad)
    padded = np.zeros((n, h + 2 * pad, w + 2 * pad, c))
    padded[:, pad:pad + h, pad:pad + w, :] = image
    out = np.zeros((n, oh, ow, f))
    for kh in range(kh_):
        for kw in range(kw_):
            rows = padded[:, kh * dilation:kh * dilation + stride * (oh - 1) + 1:stride,
                          kw * dilation:kw * dilation + stride * (ow - 1) + 1:stride, :]
            out += rows @ weights[kh, kw]
    return out
