"""CLI: `python -m tt_codegen.sdk_check [--setup] [--arch A]... [DIR...]`.

Exit status: 0 all kernels compile; 1 a diagnostic in a generated kernel (our bug);
3 diagnostics only in the SDK or our stand-ins (SDK drift / stand-in gap); 2 usage or setup.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

from tt_codegen.sdk_check import ARCHES, check_artifact_dir, find_artifact_dirs, find_sdk, setup
from tt_codegen.sdk_check._sdk import SdkSetupError

EXIT_OK, EXIT_KERNEL, EXIT_USAGE, EXIT_SDK = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m tt_codegen.sdk_check", description=__doc__.split("\n\n")[0])
    p.add_argument("dirs", nargs="*", type=Path, help="artifact directories (or trees holding them)")
    p.add_argument("--arch", action="append", choices=ARCHES, help="repeatable; default: both")
    p.add_argument("--setup", action="store_true", help="download/unpack the wheel, check/install clang-19")
    p.add_argument("--write-header-table", action="store_true",
                   help="regenerate tt_codegen/_compute_headers.py from the wheel")
    p.add_argument("--keep", type=Path, help="keep the JIT work directory here")
    return p


def _write_header_table(sdk) -> None:
    from tt_codegen.sdk_check._headers import render_table

    path = Path(__file__).resolve().parents[1] / "_compute_headers.py"
    path.write_text(render_table(sdk.hw_inc, sdk.version))
    print(f"wrote {path}")


def _report(reports) -> int:
    status = EXIT_OK
    for rep in reports:
        name = f"{rep.artifact_dir}/{rep.role} [{rep.arch}]"
        if rep.ok:
            print(f"ok    {name}")
            continue
        if rep.kernel_errors:
            status = EXIT_KERNEL
            print(f"FAIL  {name}: generated kernel does not compile against the TT-Metalium headers")
            for d in rep.kernel_errors:
                print(f"      {d}")
        if rep.sdk_errors or rep.unexplained:
            status = status or EXIT_SDK
            print(f"FAIL  {name}: SDK drift / stand-in gap (diagnostics outside the generated kernel)")
            for d in rep.sdk_errors:
                print(f"      {d}")
            for r in rep.unexplained:
                print(f"      {r.target}: exit {r.returncode}\n      $ {' '.join(r.command)}\n{r.output[-1500:]}")
    return status


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        sdk = setup() if args.setup else find_sdk()
    except SdkSetupError as err:
        print(f"sdk-check: setup failed: {err}", file=sys.stderr)
        return EXIT_USAGE
    if sdk is None:
        print("sdk-check: no SDK in the cache; run `python -m tt_codegen.sdk_check --setup` first", file=sys.stderr)
        return EXIT_USAGE
    if args.setup:
        print(f"sdk-check: ttnn {sdk.version} headers at {sdk.root} (sfpi-version {sdk.sfpi_version})")
    if args.write_header_table:
        _write_header_table(sdk)
    if not args.dirs:
        return EXIT_OK
    try:
        dirs = find_artifact_dirs(args.dirs)
    except FileNotFoundError as err:
        print(f"sdk-check: {err}", file=sys.stderr)
        return EXIT_USAGE
    if not dirs:
        print("sdk-check: no tt.plan.json under the given directories", file=sys.stderr)
        return EXIT_USAGE
    reports = []
    with tempfile.TemporaryDirectory(prefix="sdk-check-") as tmp:
        work_root = args.keep or Path(tmp)
        for d in dirs:
            key = hashlib.sha256(str(d.resolve()).encode()).hexdigest()[:12]
            for arch in args.arch or ARCHES:
                reports += check_artifact_dir(sdk, arch, d, work_root / key)
    status = _report(reports)
    failed = sum(not r.ok for r in reports)
    print(f"sdk-check: {len(reports) - failed}/{len(reports)} kernel builds ok "
          f"(ttnn {sdk.version}, {', '.join(args.arch or ARCHES)})")
    return _check_hosts(sdk, dirs, status)


def _check_hosts(sdk, dirs: list[Path], status: int) -> int:
    """Every host call of each main.cpp against the wheel's libtt_metal.so (see _host_symbols)."""
    from tt_codegen.sdk_check import _host_symbols as hs
    from tt_codegen.sdk_check._sdk import _download_wheel, cache_dir

    try:
        lib = hs.library(_download_wheel(sdk.version, cache_dir() / "whl"), cache_dir() / sdk.version / "lib")
        exported = hs.exported_symbols(lib)
    except (OSError, KeyError, SdkSetupError) as err:
        print(f"sdk-check: cannot read libtt_metal.so from the ttnn {sdk.version} wheel: {err}", file=sys.stderr)
        return status or EXIT_SDK
    ok = 0
    for d in dirs:
        main_cpp = d / "main.cpp"
        if not main_cpp.is_file():
            continue
        problems = hs.check_host_calls(main_cpp.read_text(), exported)
        if not problems:
            ok += 1
            continue
        print(f"FAIL  {main_cpp}: host calls")
        for problem in problems:
            print(f"      {problem}")
        status = status or (EXIT_SDK if all("does not export" in p for p in problems) else EXIT_KERNEL)
    print(f"sdk-check: {ok}/{len(dirs)} host programs call only what libtt_metal.so (ttnn {sdk.version}) exports")
    return status


if __name__ == "__main__":
    sys.exit(main())
