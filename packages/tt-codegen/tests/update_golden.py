"""Rewrites tests/golden/<name>/ from the GEMM fixtures: `python tests/update_golden.py`.

Review the diff before committing: these files are the reviewed expectation.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from fixtures import gemm  # noqa: E402
from fixtures._common import OWN_GOLDEN_ROOT  # noqa: E402

if __name__ == "__main__":
    for name in gemm.CONFIGS:
        out = gemm.artifacts(name).write(OWN_GOLDEN_ROOT / name)
        print(f"wrote {out}")
