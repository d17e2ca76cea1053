"""`tt tune FILE`: rank a kernel's candidate parameters by the performance model.

Candidates are the product of the `--try K=v1,v2,...` lists, else the configs of the file's
`@tt_cli.autotune`. Each one is compiled, run once on the emulator on random inputs (the model
needs the run's counters) and scored by tt-runtime's model of the silicon; the compiler's
refusals are listed with their reason. Candidates run in parallel worker processes
(`--jobs`). A score is cached under the cache directory (`tune/`), keyed by the hash of the
generated artifacts, the arch, the emulator build and the model's sources, so an unchanged
kernel is not run again and a changed model does not reuse old scores.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import itertools
import json
import multiprocessing
import os
from pathlib import Path

from tt_ir import TTError


def parse_tries(pairs: tuple[str, ...]) -> dict[str, list]:
    """`("block_M=32,64", "num_stages=1,2")` -> {"block_M": [32, 64], "num_stages": [1, 2]}."""
    from tt_cli._loader import parse_params

    out: dict[str, list] = {}
    for pair in pairs:
        key, sep, values = pair.partition("=")
        if not sep or not key or not values:
            raise TTError(f"--try {pair!r} is not KEY=V1,V2,... (e.g. --try block_M=32,64)")
        out[key.strip()] = [parse_params((f"{key}={v}",))[key.strip()] for v in values.split(",")]
    return out


def candidates(tries: dict[str, list], configs: list[dict] | None) -> list[dict]:
    """The configs to score: the product of the --try lists, else the file's autotune configs."""
    if tries:
        keys = list(tries)
        return [dict(zip(keys, values)) for values in itertools.product(*tries.values())]
    if configs:
        return configs
    raise TTError("nothing to tune: give candidate values with --try K=V1,V2 (repeatable), or "
                  "decorate the kernel with @tt_cli.autotune(configs=...)")


MODEL_SOURCES = ("_perf.py", "_perf_hw.py", "_perf_estimate.py")  # tt-runtime's performance model


def _scorer_fingerprint() -> bytes:
    """What a score depends on besides the artifacts: the emulator (its counters) and the
    performance model's sources, so that a changed model or emulator never reads old scores."""
    import tt_runtime
    from tt_runtime._build import library_hash

    root = Path(tt_runtime.__file__).parent
    parts = [library_hash().encode()] + [(root / f).read_bytes() for f in MODEL_SOURCES]
    return hashlib.sha256(b"\0".join(parts)).digest()


def _cache_file(artifacts: dict[str, str], arch: str) -> Path:
    from tt_runtime._build import cache_root

    digest = hashlib.sha256(arch.encode())
    digest.update(_scorer_fingerprint())
    for name in sorted(artifacts):
        digest.update(name.encode() + b"\0" + artifacts[name].encode() + b"\0")
    return cache_root() / "tune" / f"{digest.hexdigest()[:32]}.json"


def score(job: tuple) -> dict:
    """One candidate (runs in a worker process): {"time_us", "bound", "cached"} or {"error"}."""
    path, kernel, params, arch, options, seed = job
    from tt_cli import _loader
    from tt_cli._driver import compile as tt_compile
    from tt_cli._runner import _inputs_of, random_inputs

    try:
        loaded = _loader.load_kernel(Path(path), kernel, params)
        compiled = tt_compile(loaded.func, out_idx=loaded.out_idx, arch=arch,
                              **{**(loaded.options or {}), **options})
        cache = _cache_file(compiled.artifacts, arch)
        if cache.is_file():
            return {**json.loads(cache.read_text()), "cached": True}
        result = compiled.run(*random_inputs(_inputs_of(compiled.plan), seed))
        estimate = compiled.estimate(result)
        found = {"time_us": estimate.time_us, "bound": estimate.bound}
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")  # never a half-written entry
        tmp.write_text(json.dumps(found))
        tmp.replace(cache)
        return {**found, "cached": False}
    except TTError as e:
        return {"error": str(e).splitlines()[0]}


def tune(path: str, kernel: str | None, params: dict, tries: dict, arch: str, options: dict,
         jobs: int, seed: int = 0) -> tuple[list, dict | None]:
    """[(config, score)] ranked (fastest first, refusals last) and the best config (or None)."""
    from tt_cli import _loader

    configs = candidates(tries, _loader.tune_configs(Path(path), kernel))
    clash = sorted({k for c in configs for k in c} & set(params))
    if clash:
        raise TTError(f"--param and the tuned values both set {', '.join(clash)}: give each "
                      "parameter one way")
    work = [(path, kernel, {**params, **config}, arch, options, seed) for config in configs]
    if jobs > 1 and len(work) > 1:
        context = multiprocessing.get_context("spawn")  # TVM does not survive fork
        with concurrent.futures.ProcessPoolExecutor(min(jobs, len(work)), mp_context=context) as pool:
            scores = list(pool.map(score, work))
    else:
        scores = [score(job) for job in work]
    rows = sorted(zip(configs, scores), key=lambda row: row[1].get("time_us", float("inf")))
    best = rows[0][0] if "time_us" in rows[0][1] else None
    return rows, best


def table(rows: list) -> str:
    """The ranked table `tt tune` prints."""
    lines = [f"{'rank':>4}  {'model time':>12}  {'bound':<8} config"]
    for rank, (config, found) in enumerate(rows, 1):
        text = ", ".join(f"{k}={v!r}" for k, v in config.items())
        if "error" in found:
            lines.append(f"{'-':>4}  {'refused':>12}  {'':<8} {text}: {found['error']}")
        else:
            cached = " (cached)" if found.get("cached") else ""
            lines.append(f"{rank:>4}  {found['time_us']:>9.1f} us  {found['bound']:<8} {text}{cached}")
    return "\n".join(lines)
