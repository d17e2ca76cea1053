"""Which `api/compute/...` header declares each compute API function, read from the wheel.

tt-codegen includes, in a compute kernel, the header that declares each call it makes
(contracts §4). That table (`tt_codegen/_compute_headers.py`) is generated from the ttnn
wheel by `python -m tt_codegen.sdk_check --write-header-table` and checked against the wheel
by the tests whenever the SDK cache is present.
"""

from __future__ import annotations

import re
from pathlib import Path

# A function definition in the compute API: `ALWI void add_tiles(`, `FORCE_INLINE T get_arg_val(`,
# `[[deprecated("...")]] ALWI void copy_tile_init(`.
_DEF = re.compile(r"^\s*(?:\[\[[^\]]*\]\]\s*)?(?:ALWI|FORCE_INLINE|inline)\s+(?:[\w:<>,*&]+\s+)*?(\w+)\s*\(", re.M)
_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)

COMMON = "api/compute/common.h"


def _headers(inc: Path) -> list[Path]:
    root = inc / "api" / "compute"
    return sorted(p for p in root.rglob("*.h") if "experimental" not in p.parts and "debug" not in p.parts)


def scan_declarations(inc: Path) -> dict[str, str]:
    """Function name -> the header (relative to `hw/inc`) that defines it.

    A name defined in several headers maps to the one whose path sorts first among those
    with the fewest directory levels, so the table does not depend on directory order.
    """
    found: dict[str, list[str]] = {}
    for path in _headers(inc):
        rel = path.relative_to(inc).as_posix()
        for name in _DEF.findall(path.read_text(errors="replace")):
            found.setdefault(name, []).append(rel)
    return {name: min(paths, key=lambda p: (p.count("/"), p)) for name, paths in sorted(found.items())}


def includes_closure(inc: Path, header: str, _seen: set[str] | None = None) -> set[str]:
    """Every header (relative to `hw/inc`) that `header` includes, transitively, inside `hw/inc`."""
    seen = set() if _seen is None else _seen
    path = inc / header
    if header in seen or not path.is_file():
        return seen
    seen.add(header)
    for inc_name in _INCLUDE.findall(path.read_text(errors="replace")):
        for candidate in (inc_name, (Path(header).parent / inc_name).as_posix()):
            if (inc / candidate).is_file():
                includes_closure(inc, candidate, seen)
                break
    return seen


def scan(inc: Path) -> tuple[dict[str, str], list[str], list[str]]:
    """(name -> header, headers that `common.h` brings in, headers that bring in `common.h`)."""
    decls = scan_declarations(inc)
    common_parts = sorted(includes_closure(inc, COMMON))
    with_common = sorted(
        {h for h in set(decls.values()) if h != COMMON and COMMON in includes_closure(inc, h)}
    )
    return decls, common_parts, with_common


def render_table(inc: Path, version: str) -> str:
    """The text of `tt_codegen/_compute_headers.py`."""
    decls, common_parts, with_common = scan(inc)
    lines = [
        f'"""Compute API function -> declaring header, generated from the ttnn {version} wheel.',
        "",
        "Do not edit: `python -m tt_codegen.sdk_check --write-header-table` rewrites this file,",
        "and a test checks it against the wheel when the SDK cache is present.",
        '"""',
        "",
        f'SDK_VERSION = "{version}"',
        "",
        "# Headers that api/compute/common.h includes (itself too).",
        "COMMON_PARTS = frozenset({",
        *[f'    "{h}",' for h in common_parts],
        "})",
        "",
        "# Headers that include api/compute/common.h.",
        "INCLUDES_COMMON = frozenset({",
        *[f'    "{h}",' for h in with_common],
        "})",
        "",
        "DECLARED_IN = {",
        *[f'    "{name}": "{header}",' for name, header in decls.items()],
        "}",
        "",
    ]
    return "\n".join(lines)
