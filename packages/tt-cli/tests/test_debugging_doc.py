"""docs/debugging.md stays true: every ```sh block runs, in order, and prints what its ```text block shows.

The blocks run with bash (`-e`: a failing command fails the test; a command that is meant to
fail is written `... || echo "exit status $?"`) in one scratch directory that holds a link to
examples/, with this interpreter's bin directory first on PATH. Each non-`...` line of a
```text block must be part of a line of that block's combined stdout and stderr.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "debugging.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```\n", re.S | re.M)


def blocks(text: str) -> list[tuple[str, list[str]]]:
    """(sh script, expected lines of the ```text block right after it, if any) in document order."""
    found = [(m.group(1), m.group(2), m.start(), m.end()) for m in FENCE.finditer(text)]
    out = []
    for i, (lang, body, _, end) in enumerate(found):
        if lang != "sh":
            continue
        expected: list[str] = []
        if i + 1 < len(found) and found[i + 1][0] == "text" and not text[end:found[i + 1][2]].strip():
            expected = [ln for ln in found[i + 1][1].splitlines() if ln.strip() and ln.strip() != "..."]
        out.append((body, expected))
    return out


def test_every_sh_block_of_the_debugging_guide_runs_and_prints_what_it_shows(tmp_path):
    scripts = blocks(DOC.read_text())
    assert len(scripts) >= 8 and all(expected for _, expected in scripts[:2])
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    for script, expected in scripts:
        proc = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0, f"{script}\nexited {proc.returncode}:\n{output}"
        lines = [ln.rstrip() for ln in output.splitlines()]
        for want in expected:
            assert any(want.strip() in ln for ln in lines), (
                f"{script}\ndid not print the line\n  {want}\nit printed:\n{output}")
