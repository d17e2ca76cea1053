"""The integration corpus: every kernel and shape the end-to-end tests compile and run.

Kernels come from `examples/` (so the examples are tested as they are shipped). Each case
is a `Case(id, example, factory, params)`; `build(case)` returns the PrimFunc and the
factory's `out_idx`.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHES = ("wormhole_b0", "blackhole")


@dataclass(frozen=True)
class Case:
    id: str
    example: str            # file in examples/
    factory: str            # jit factory in it
    params: dict = field(default_factory=dict, hash=False)
    slow: bool = False      # left out of the `-m "not slow"` quick run, kept in CI
    options: dict = field(default_factory=dict, hash=False)   # tt_cli.compile options


def load_example(name: str):
    path = ROOT / "examples" / name
    mod_name = f"_tt_example_{path.stem}"
    if mod_name in sys.modules:
        return sys.modules[mod_name]
    spec = importlib.util.spec_from_file_location(mod_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    spec.loader.exec_module(module)
    return module


def build(case: Case):
    """(PrimFunc, out_idx, module) of a case."""
    module = load_example(case.example)
    jit_kernel = getattr(module, case.factory)
    return jit_kernel.factory(**case.params), jit_kernel.out_idx, module


def _gemm(id, M, N, K, bm, bn, bk, stages=2, tb=False, dtype="bfloat16", accum="float32", slow=False):
    params = dict(M=M, N=N, K=K, block_M=bm, block_N=bn, block_K=bk, num_stages=stages, transpose_B=tb,
                  dtype=dtype, accum_dtype=accum)
    return Case(f"gemm-{id}", "gemm.py", "gemm", params, slow)


GEMM = [
    _gemm("one-tile", 32, 32, 32, 32, 32, 32, stages=1),
    _gemm("square-128", 128, 128, 128, 64, 64, 32, stages=2),
    _gemm("rect-256x512x128", 256, 512, 128, 128, 128, 64, stages=3),
    _gemm("skinny-32x4096x1024", 32, 4096, 1024, 32, 256, 128, stages=2, slow=True),
    _gemm("tall-1024x64x256", 1024, 64, 256, 256, 64, 64, stages=2),
    _gemm("big-block-256", 512, 512, 256, 256, 256, 32, stages=2, slow=True),
    _gemm("partial-blocks", 160, 96, 128, 64, 64, 64, stages=2),
    _gemm("partial-k", 64, 64, 96, 64, 64, 64, stages=1),
    _gemm("transpose-b", 256, 256, 256, 128, 128, 64, stages=2, tb=True),
    _gemm("fp16", 128, 256, 128, 64, 128, 64, dtype="float16"),
    _gemm("fp32", 128, 128, 256, 64, 64, 64, dtype="float32"),
    _gemm("bf16-accum", 128, 128, 128, 64, 64, 32, accum="bfloat16"),
    _gemm("large-1024x1024x2048", 1024, 1024, 2048, 128, 128, 64, stages=3, slow=True),
]

# The same kernels with operand reuse: A multicast along core rows, B down columns
# (tt_passes option reuse="mcast"); `options` are compile options, not factory params.
MCAST = [
    Case("gemm-mcast-1024", "gemm.py", "gemm", dict(M=1024, N=1024, K=1024, block_K=128), options={"reuse": "mcast"}),
    Case("gemm-mcast-partial-tb", "gemm.py", "gemm",
         dict(M=320, N=288, K=160, block_M=64, block_N=64, block_K=32, num_stages=3, transpose_B=True),
         options={"reuse": "mcast"}),
    Case("quickstart-mcast-512", "quickstart.py", "matmul", dict(M=512, N=512, K=256), options={"reuse": "mcast"}),
]

QUICKSTART = [
    Case("quickstart-256", "quickstart.py", "matmul", dict(M=256, N=256, K=256)),
    Case("quickstart-1024", "quickstart.py", "matmul", {}, slow=True),
]


def _eltwise(id, M, N, bm, bn, op="add", dtype="bfloat16", slow=False):
    return Case(f"eltwise-{op}-{id}", "elementwise_add.py", "elementwise_add",
                dict(M=M, N=N, block_M=bm, block_N=bn, op=op, dtype=dtype), slow)


ELTWISE = [
    _eltwise("32", 32, 32, 32, 32),
    _eltwise("256-64x128", 256, 256, 64, 128, "add"),
    _eltwise("256-sub", 256, 512, 128, 128, "sub"),
    _eltwise("mul-256", 512, 256, 256, 32, "mul"),
    _eltwise("fp32", 128, 128, 64, 64, "add", "float32"),
    _eltwise("4096-256", 4096, 4096, 256, 256, "add", slow=True),
]

DIRECT = [
    Case("direct-axpy-fp32", "elementwise_direct.py", "elementwise_direct", dict(M=128, N=256)),
    Case("direct-axpy-bf16", "elementwise_direct.py", "elementwise_direct",
         dict(M=256, N=128, block_M=64, block_N=32, alpha=-0.5, dtype="bfloat16")),
]

REDUCE = [
    Case("reduce-row-sum", "reduce.py", "reduce", dict(M=256, N=256, block=64, kind="sum", dim=1)),
    Case("reduce-row-max-fp32", "reduce.py", "reduce", dict(M=128, N=512, block=32, kind="max", dim=1, dtype="float32")),
    Case("reduce-row-min", "reduce.py", "reduce", dict(M=128, N=128, block=64, kind="min", dim=1)),
    Case("reduce-row-abssum-fp32", "reduce.py", "reduce", dict(M=64, N=256, block=32, kind="abssum", dim=1, dtype="float32")),
    Case("reduce-row-absmax", "reduce.py", "reduce", dict(M=128, N=128, block=32, kind="absmax", dim=1)),
    Case("reduce-col-sum", "reduce.py", "reduce", dict(M=64, N=512, block=128, kind="sum", dim=0)),
    Case("reduce-col-max", "reduce.py", "reduce", dict(M=128, N=256, block=64, kind="max", dim=0)),
    Case("reduce-col-min-fp32", "reduce.py", "reduce", dict(M=64, N=256, block=64, kind="min", dim=0, dtype="float32")),
]

SOFTMAX = [
    Case("online-softmax-bf16", "online_softmax.py", "online_softmax", dict(M=128, N=512, BN=512)),
    Case("online-softmax-fp32-4-pieces", "online_softmax.py", "online_softmax",
         dict(M=64, N=1024, BN=256, dtype="float32")),
    Case("online-softmax-partial-last-piece", "online_softmax.py", "online_softmax",
         dict(M=64, N=480, BN=256)),
    Case("softmax-256", "softmax.py", "softmax", dict(M=256, N=256, block_M=32)),
    Case("softmax-fp32-64rows", "softmax.py", "softmax", dict(M=128, N=512, block_M=64, dtype="float32")),
]

NORM = [
    Case("rms-norm-fp32", "rms_norm.py", "rms_norm", dict(M=128, N=256, block_M=32)),
    Case("rms-norm-bf16", "rms_norm.py", "rms_norm", dict(M=128, N=512, block_M=64, dtype="bfloat16")),
    Case("rms-norm-splitk-fp32", "rms_norm.py", "rms_norm_splitk", dict(M=128, N=512, block_M=32, block_K=128)),
    Case("layernorm-128x256", "layernorm.py", "layernorm", dict(N=128, D=256)),
    Case("layernorm-64rows", "layernorm.py", "layernorm", dict(N=128, D=128, block_M=64)),
]

ATTENTION = [
    Case("flash-attention-bhsd", "flash_attention.py", "flash_attention",
         dict(batch=1, heads=2, seq_q=128, seq_kv=128, dim=64)),
    Case("flash-attention-bhsd-causal-past", "flash_attention.py", "flash_attention",
         dict(batch=1, heads=1, seq_q=128, seq_kv=192, dim=64, causal=True)),
    Case("flash-attention-bshd-causal-zigzag", "flash_attention.py", "flash_attention",
         dict(batch=2, heads=2, seq_q=256, seq_kv=256, dim=64, causal=True, layout="bshd")),
    Case("flash-attention-gqa-bshd", "flash_attention.py", "flash_attention",
         dict(batch=1, heads=4, seq_q=128, seq_kv=128, dim=64, groups=2, layout="bshd")),
    Case("flash-attention-gqa-kv-multicast", "flash_attention.py", "flash_attention",
         dict(batch=1, heads=4, seq_q=256, seq_kv=256, dim=64, groups=2, layout="bshd"),
         options=dict(reuse="mcast")),
    Case("flash-attention-dim128-causal", "flash_attention.py", "flash_attention",
         dict(batch=1, heads=1, seq_q=256, seq_kv=256, dim=128, causal=True, block_M=128,
              block_N=128), slow=True),
]

CAST = [
    Case("cast-copy-fp32-to-bf16", "cast.py", "cast_copy", dict(M=128, N=256, block_M=64, block_N=128)),
    Case("cast-copy-fp16-to-fp32", "cast.py", "cast_copy",
         dict(M=64, N=128, block_M=32, block_N=64, src="float16", dst="float32")),
    Case("cast-copy-bf16-to-fp16", "cast.py", "cast_copy",
         dict(M=64, N=128, block_M=32, block_N=64, src="bfloat16", dst="float16")),
    Case("cast-copy-fp16-to-bf16-partial", "cast.py", "cast_copy",
         dict(M=80, N=96, block_M=32, block_N=64, src="float16", dst="bfloat16")),
    Case("cast-vector-fp16-to-fp32", "cast.py", "cast_vector", dict(M=256)),
    Case("cast-vector-fp32-to-fp16", "cast.py", "cast_vector", dict(M=512, src="float32", dst="float16")),
]

CONV = [
    Case("conv-3x3-pad1", "convolution.py", "convolution", dict(N=2, H=16, W=16, C=64, F=64)),
    Case("conv-3x3-stride2-partial-block", "convolution.py", "convolution",
         dict(N=1, H=14, W=14, C=32, F=64, stride=2, block_M=32)),
    Case("conv-dilated-fp32", "convolution.py", "convolution",
         dict(N=1, H=8, W=8, C=64, F=32, dilation=2, pad=2, block_N=32, block_K=64, dtype="float32")),
]

COLUMNS = [
    Case("group-quant-4-groups", "group_quant.py", "group_quant", dict(M=128, N=512)),
    Case("group-quant-fp16-partial-rows", "group_quant.py", "group_quant",
         dict(M=80, N=256, group=64, block_M=32, out_dtype="float16")),
]

SELECT = [
    Case("scan-cols-fp32", "scan.py", "cumsum", dict(M=128, N=128, block_M=64, block_N=64, dim=0)),
    Case("scan-rows-reversed-fragment-bf16", "scan.py", "cumsum",
         dict(M=64, N=256, block_M=32, block_N=128, dim=1, reverse=True, on="fragment", dtype="bfloat16")),
    Case("scan-vector-reversed", "scan.py", "cumsum_vector", dict(N=256, block=64, reverse=True)),
    Case("select-leaky-argmax-fp32", "selects.py", "select", dict(M=128, N=256)),
    Case("select-leaky-argmax-bf16", "selects.py", "select", dict(M=64, N=128, dtype="bfloat16")),
    Case("rotary-softplus-fp32", "rotary.py", "rotary", dict(M=64, N=256)),
    Case("rotary-softplus-bf16", "rotary.py", "rotary", dict(M=128, N=128, block_M=64, block_N=64, dtype="bfloat16")),
]

TOPK = [
    Case("topk-6-of-128-fp32", "topk.py", "topk", dict(M=64, N=128, k=6)),
    Case("topk-ties-bf16", "topk.py", "topk", dict(M=96, N=64, k=4, dtype="bfloat16")),
    Case("topk-partial-rows-256", "topk.py", "topk", dict(M=80, N=256, k=3)),
]

QUANT = [
    Case("quantize-int8", "dequant_gemm.py", "quantize", dict(K=256, N=128)),
    Case("quantize-uint8-partial", "dequant_gemm.py", "quantize",
         dict(K=96, N=80, block_K=32, block_N=32, qmax=200.0, out_dtype="uint8")),
    Case("dequant-gemm-int8", "dequant_gemm.py", "dequant_gemm", dict(M=128, N=128, K=256)),
    Case("dequant-gemm-int8-partial", "dequant_gemm.py", "dequant_gemm",
         dict(M=96, N=160, K=192, block_M=32, block_N=64, block_K=64, num_stages=3)),
    Case("w4a8-gemm-two-k-blocks", "dequant_gemm.py", "w4a8_gemm", dict(M=64, N=128, K=256)),
    Case("w4a8-gemm-one-k-block", "dequant_gemm.py", "w4a8_gemm",
         dict(M=96, N=64, K=128, block_M=32, block_N=32, block_K=128)),
    Case("w4a8-gemm-partial-blocks", "dequant_gemm.py", "w4a8_gemm",
         dict(M=80, N=96, K=256, block_M=64, block_N=64, block_K=128)),
    Case("unpack-fp4-bf16", "dequant_gemm.py", "unpack4", dict(N=64, K=256)),
    Case("unpack-int4-partial", "dequant_gemm.py", "unpack4", dict(N=80, K=192, block_K=64, fmt="int4")),
]

CORPUS = GEMM + MCAST + QUICKSTART + ELTWISE + DIRECT + REDUCE + SOFTMAX + NORM + ATTENTION + CAST + CONV + COLUMNS \
    + SELECT + TOPK + QUANT
