"""Kernel -> tt-passes -> tt-codegen -> artifacts -> emulator -> numbers equal to numpy's.

Inputs are uniform in [-1, 1) rounded to the tensor dtype; the reference is computed in
float64 from those same rounded values. Pass criteria, per output dtype:

* bfloat16 / float16: Pearson correlation >= 0.999 and max |C - C_ref| <= the bound of
  `tt_cli.error_bound`: 2 * (u_out * max|C_ref| + K * u_acc * max(|A| @ |B|)
  + spills * u_out * max(|A| @ |B|)), with u = 2^-8 (bf16), 2^-11 (fp16), 2^-24 (fp32
  accumulation) and `spills` the number of times a partial sum is stored in the output
  format (K blocks - 1 when the accumulator is not fp32, else 0).
* float32: numpy allclose with rtol = 1e-4 (atol 1e-4 * max|C_ref| for values near 0).
* flash attention: `examples/flash_attention.py`'s `error_bound` (2^-8 * (max|V| + max|O|):
  the bf16 P block and the bf16 output) and Pearson >= 0.999, against float64 attention.
* casts (`examples/cast.py`): equal to numpy's `astype` (round to nearest even), element
  for element.
* weight quantization (`examples/dequant_gemm.py`): `quantize` equal to its reference element
  for element (int8 / uint8); `dequant_gemm` within its `error_bound` (exact products, float32
  sums, one bfloat16 rounding) and Pearson >= 0.999; `w4a8_gemm` (int4 pairs unpacked by the
  reader, int8 activations, int32 output) and `unpack4` (int4 pairs as int8, fp4 pairs as
  bfloat16 bits) equal to their references, exactly.
* top-k (`examples/topk.py`): values and int32 indices equal to its reference, exactly (a
  max, a comparison and a select round nothing; ties are likely in bfloat16).
* reductions: `examples/reduce.py`'s `error_bound` (a sum rounds once at pack: 2 * 2^-8 *
  max sum|x|; a max is exact).
"""

import ml_dtypes
import numpy as np
import pytest
from corpus import ARCHES, CORPUS, build

import tt_cli

HOST = {"bfloat16": ml_dtypes.bfloat16, "float16": np.float16, "float32": np.float32}


def _inputs(func_plan, seed=0):
    rng = np.random.default_rng(seed)
    arrays = []
    for buf in sorted(func_plan["buffers"], key=lambda b: b["index"]):
        if buf["role"] != "input":
            continue
        if buf["dtype"] in ("int8", "uint8", "int32"):  # the whole range of the narrow types
            info = np.iinfo(buf["dtype"] if buf["dtype"] != "int32" else "int16")
            arrays.append(rng.integers(info.min, info.max + 1, size=tuple(buf["shape"])).astype(buf["dtype"]))
            continue
        values = rng.uniform(-1.0, 1.0, size=tuple(buf["shape"])).astype(np.float32)
        arrays.append(values.astype(HOST[buf["dtype"]]))
    return arrays


def _expected(case, module, inputs):
    f64 = [np.asarray(a, dtype=np.float64) for a in inputs]
    if case.example == "elementwise_add.py":
        return module.reference(*f64, op=case.params.get("op", "add")), 1, None
    if case.example == "elementwise_direct.py":
        # A * alpha + B: two roundings (the product in DST, the sum at pack), each at most one
        # ulp of R = max(|A * alpha| + |B|) in the output format (bf16 DST when nothing is fp32)
        alpha = case.params.get("alpha", 2.0)
        a, b = f64
        return module.reference(a, b, alpha=alpha), 2, float((np.abs(a * alpha) + np.abs(b)).max())
    if case.example == "reduce.py":
        kind, dim = case.params["kind"], case.params["dim"]
        return module.reference(*f64, kind=kind, dim=dim), None, module.error_bound(*f64, kind=kind, dim=dim)
    if case.example == "scan.py" and case.factory == "cumsum_vector":  # float32 sums of exact products
        how = {k: case.params[k] for k in ("block", "reverse") if k in case.params}
        return module.cumsum_vector_reference(f64[0], **how), None, module.cumsum_vector_error_bound(f64[0], **how)
    if case.example == "scan.py":  # exact products, float32 sums, one rounding at pack
        how = {k: case.params[k] for k in ("block_M", "block_N", "dim", "reverse") if k in case.params}
        return module.reference(f64[0], **how), None, \
            module.error_bound(f64[0], dtype=case.params.get("dtype", "float32"), **how)
    if case.example == "selects.py":  # one product (slope * x) and one sum, rounded at pack
        x = f64[0]
        return module.reference(x, **{k: case.params[k] for k in ("slope",) if k in case.params}), \
            2, float(np.abs(x).max()) + 1.0
    if case.example == "convolution.py":  # a GEMM over K = KH * KW * C
        how = {k: case.params[k] for k in ("stride", "dilation", "pad") if k in case.params}
        image, weights = f64
        k = weights.shape[0] * weights.shape[1] * weights.shape[2]
        return module.reference(image, weights, **how), k, \
            float(module.reference(np.abs(image), np.abs(weights), **how).max())
    a, b = f64
    if case.example == "gemm.py":
        tb = case.params.get("transpose_B", False)
        return module.reference(a, b, tb), a.shape[1], float(module.reference(np.abs(a), np.abs(b), tb).max())
    return module.reference(a, b), a.shape[1], float((np.abs(a) @ np.abs(b)).max())


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=[pytest.mark.slow] if c.slow else []) for c in CORPUS])
def test_case(case, arch, device):
    func, out_idx, module = build(case)
    kernel = tt_cli.compile(func, out_idx=out_idx, arch=arch, **case.options)
    inputs = _inputs(kernel.plan)
    out = kernel.run(*inputs, device=device)
    if case.example in ("softmax.py", "online_softmax.py", "rms_norm.py", "layernorm.py",
                        "flash_attention.py", "group_quant.py", "rotary.py"):
        f64 = [np.asarray(a, dtype=np.float64) for a in inputs]
        if case.example == "layernorm.py":
            refs, bounds = module.reference(*f64), module.error_bound(*f64)
        elif case.example == "rotary.py":
            refs, bounds = module.reference(*f64), module.error_bound(*f64, dtype=case.params.get("dtype", "float32"))
        elif case.example == "group_quant.py":
            how = {k: case.params[k] for k in ("group", "qmax") if k in case.params}
            dtype = case.params.get("out_dtype", "bfloat16")
            refs, bounds = module.reference(*f64, **how), module.error_bound(*f64, **how, out_dtype=dtype)
        elif case.example == "flash_attention.py":
            how = {k: case.params[k] for k in ("causal", "groups", "layout") if k in case.params}
            refs, bounds = [module.reference(*f64, **how)], [module.error_bound(*f64, **how)]
        else:
            dtype = str(case.params.get("dtype", "float32" if case.example == "rms_norm.py" else "bfloat16"))
            refs, bounds = [module.reference(*f64)], [module.error_bound(*f64, dtype=dtype)]
        plan = {b["name"]: b for b in kernel.plan["buffers"]}
        for (name, result), ref, bound in zip(out.outputs.items(), refs, bounds):
            verdict = tt_cli.check(result, ref, plan[name]["dtype"], bound=bound)
            assert verdict.passed, f"{case.id} {name} on {arch}: {verdict}"
        return
    if case.example == "dequant_gemm.py" and case.factory == "quantize":  # exact: product, clamp, truncation
        w = inputs[0] * 2.0  # beyond qmax too, so the clamp and the saturation both act
        inv = (case.params.get("qmax", 127.0) / np.abs(inputs[0]).max(axis=0)).astype(np.float32)
        out = kernel.run(w, inv, device=device)
        (q,) = out.outputs.values()
        how = {k: case.params[k] for k in ("qmax", "out_dtype") if k in case.params}
        want = module.quantize_reference(w, inv, **how)
        assert q.dtype == want.dtype
        np.testing.assert_array_equal(q, want)
        assert len(np.unique(q)) > 100  # the whole range is exercised
        return
    if case.example == "dequant_gemm.py" and case.factory == "unpack4":  # bits: exact
        (bq,) = module.unpack4_inputs(2, **{k: case.params[k] for k in ("N", "K")})
        (w,) = kernel.run(bq, device=device).outputs.values()
        want = module.unpack4_reference(bq, case.params.get("fmt", "fp4"))
        assert w.dtype == (np.int8 if want.dtype == np.int8 else ml_dtypes.bfloat16)
        np.testing.assert_array_equal(np.asarray(w, np.float32), np.asarray(want, np.float32))
        return
    if case.example == "dequant_gemm.py" and case.factory == "w4a8_gemm":  # integers: exact
        a, bq = module.w4a8_gemm_inputs(1, **{k: case.params[k] for k in ("M", "N", "K")})
        (ct,) = kernel.run(a, bq, device=device).outputs.values()
        assert ct.dtype == np.int32
        np.testing.assert_array_equal(ct, module.w4a8_gemm_reference(a, bq))
        return
    if case.example == "dequant_gemm.py":
        (result,) = out.outputs.values()
        f64 = [np.asarray(a, np.float64) for a in inputs]
        verdict = tt_cli.check(result, module.reference(*f64), "bfloat16", bound=module.error_bound(*f64))
        assert verdict.passed, f"{case.id} on {arch}: {verdict}"
        return
    if case.example == "topk.py":  # a max and a select: exact; int32 indices
        values, indices = out.outputs.values()
        want_values, want_indices = module.reference(inputs[0], case.params.get("k", 6))
        np.testing.assert_array_equal(np.asarray(values, np.float32), np.asarray(want_values, np.float32))
        np.testing.assert_array_equal(indices, want_indices)
        assert indices.dtype == np.int32
        return
    (result,) = out.outputs.values()
    if case.example == "cast.py":  # a format conversion is exact: round to nearest even
        dst = next(b["dtype"] for b in kernel.plan["buffers"] if b["role"] == "output")
        want = module.reference(inputs[0], dst)
        np.testing.assert_array_equal(np.asarray(result, np.float32), np.asarray(want, np.float32))
        assert np.asarray(result).dtype == want.dtype
        return
    expected, k, dot = _expected(case, module, inputs)
    dtype = case.params.get("dtype", "bfloat16")
    dtype = str(dtype)
    if case.example == "scan.py":
        verdict = tt_cli.check(result, expected, dtype, bound=dot)
        assert verdict.passed, f"{case.id} on {arch}: {verdict}"
        return
    if dtype == "float32":
        scale = float(np.abs(expected).max())
        np.testing.assert_allclose(np.asarray(result, np.float64), expected, rtol=1e-4, atol=1e-4 * scale)
        return
    if case.example == "reduce.py":
        verdict = tt_cli.check(result, expected, dtype, bound=dot)
        assert verdict.passed, f"{case.id} on {arch}: {verdict}"
        return
    accum = str(case.params.get("accum_dtype", "float32"))
    spills = 0
    if accum != "float32" and "block_K" in case.params:
        spills = -(-case.params["K"] // case.params["block_K"]) - 1
    verdict = tt_cli.check(result, expected, dtype, k=k, dot_scale=dot, accum="float32", spills=spills)
    assert verdict.passed, f"{case.id} on {arch}: {verdict}"
