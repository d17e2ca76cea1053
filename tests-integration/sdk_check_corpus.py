"""`nox -s sdk-check`: compiles every kernel the integration corpus generates, for both
arches, against the real TT-Metalium device headers of the ttnn wheel.

Writes each case's artifacts under one temporary tree per arch and hands the trees to
`python -m tt_codegen.sdk_check`; exits with its status (1: a generated kernel is wrong,
3: SDK drift / stand-in gap).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from corpus import ARCHES, CORPUS, build  # noqa: E402

import tt_cli  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="tt-sdk-check-") as tmp:
        started = time.perf_counter()
        status = 0
        for arch in ARCHES:
            tree = Path(tmp) / arch
            for case in CORPUS:
                func, out_idx, _ = build(case)
                tt_cli.compile(func, out_idx=out_idx, arch=arch, **case.options).save(tree / case.id)
            print(f"sdk-check: {len(CORPUS)} corpus kernels generated for {arch}", flush=True)
            rc = subprocess.run([sys.executable, "-m", "tt_codegen.sdk_check", "--arch", arch, str(tree)]).returncode
            status = status or rc
        print(f"sdk-check: corpus done in {time.perf_counter() - started:.1f} s, status {status}")
        return status


if __name__ == "__main__":
    sys.exit(main())
