"""The README's Python example runs as written and gives numpy's answer."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_python_example_runs(tmp_path):
    readme = (ROOT / "README.md").read_text()
    (block,) = re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
    script = tmp_path / "readme_example.py"
    script.write_text(block + textwrap_check())
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "readme example: OK"


def textwrap_check() -> str:
    """Appended to the example: compare its `c` with numpy (inputs are bf16-rounded by the call)."""
    return (
        "\nimport ml_dtypes\n"
        "a = np.random.default_rng(1).random((256, 256)).astype(np.float32)\n"
        "b = np.random.default_rng(2).random((256, 256)).astype(np.float32)\n"
        "c = kernel(a, b)\n"
        "ref = a.astype(ml_dtypes.bfloat16).astype(np.float64) + b.astype(ml_dtypes.bfloat16).astype(np.float64)\n"
        "assert c.shape == (256, 256)\n"
        "assert np.max(np.abs(c.astype(np.float64) - ref)) <= 2 ** -8 * np.abs(ref).max()\n"
        "print('readme example: OK')\n"
    )
