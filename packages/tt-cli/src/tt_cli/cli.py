"""The `tt` command (also installed as `tilelang-tt`).

Every subcommand has --help with examples. Compiler and emulator errors print as one
message without a traceback (`-v` shows it) and exit with status 2.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

import click

from tt_cli import _report
from tt_ir import TTError


class Context:
    def __init__(self, verbose: bool, dump_ir: str | None, time_passes: bool):
        self.verbose = verbose
        self.dump_ir = dump_ir
        self.time_passes = time_passes
        self.compile_options: dict = {}

    def options(self, **extra) -> dict:
        """The kernel file's options (`extra`), then --option, --dump-ir and --time-passes over them."""
        opts = dict(extra)
        opts.update(self.compile_options)
        if self.dump_ir:
            opts["dump_ir"] = self.dump_ir
        if self.time_passes:
            opts["time_passes"] = True
        return opts


def _progress(message: str) -> None:
    click.echo(message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--dump-ir", metavar="DIR", help="Write the IR after every pass into DIR.")
@click.option("--time-passes", is_flag=True, help="Print the wall time of every pass.")
@click.option("-v", "--verbose", is_flag=True, help="Show Python tracebacks on errors.")
@click.version_option(package_name="tt-cli")
@click.pass_context
def cli(ctx: click.Context, dump_ir: str | None, time_passes: bool, verbose: bool) -> None:
    """tilelang-tt: compile TileLang kernels for Tenstorrent chips and run them.

    \b
    Examples:
      tt compile examples/gemm.py -o build/gemm
      tt run examples/quickstart.py
      tt inspect build/gemm
    """
    ctx.obj = Context(verbose, dump_ir, time_passes)


def _option_flag(command):
    """`--option KEY=VALUE` (repeatable): any compiler option (tt_passes.Options), e.g. cb_depth=1."""

    def store(ctx: click.Context, _param, pairs: tuple[str, ...]):
        from tt_cli import _loader

        ctx.find_object(Context).compile_options = _loader.parse_options(pairs)
        return pairs

    return click.option(
        "--option", "compile_options", multiple=True, metavar="KEY=VALUE", expose_value=False, callback=store,
        help="Compiler option (repeatable), e.g. --option cb_depth=1 --option math_fidelity=HiFi2 "
             "--option 'grid=(4,4)'; an unknown KEY lists the valid ones.",
    )(command)


# ---- compile ----------------------------------------------------------------------------
def _compile_file(ctx: Context, file: str, kernel: str | None, params: tuple[str, ...], arch: str | None):
    from tt_cli import _loader
    from tt_cli._driver import compile as tt_compile

    loaded = _loader.load_kernel(Path(file), kernel, _loader.parse_params(params))
    arch = arch or loaded.arch or "wormhole_b0"
    _progress(f"compiling {loaded.name} for {arch} ...")
    options = ctx.options(**(loaded.options or {}))
    compiled = tt_compile(loaded.func, out_idx=loaded.out_idx, arch=arch, **options)
    return loaded, compiled


@cli.command("compile")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "output", required=True, type=click.Path(file_okay=False), help="Artifact directory.")
@click.option("--kernel", help="Kernel to compile when the file defines several.")
@click.option("--param", "params", multiple=True, metavar="K=V", help="Factory parameter (repeatable).")
@click.option("--arch", type=click.Choice(["wormhole_b0", "blackhole"]), help="Target arch (default wormhole_b0).")
@_option_flag
@click.pass_obj
def compile_cmd(ctx: Context, file: str, output: str, kernel: str | None, params: tuple[str, ...], arch: str | None) -> None:
    """Compile FILE.py into reader/compute/writer/main.cpp and tt.plan.json.

    The output directory must be new, empty, or an earlier output of tt compile (only its
    five files); only those five files are replaced, anything else is refused.

    \b
    Examples:
      tt compile examples/gemm.py -o build/gemm
      tt compile examples/gemm.py --param M=512 --param N=256 --arch blackhole -o build/g
      tt compile examples/gemm.py --option cb_depth=1 -o build/g1
    """
    from tt_cli._output import check_output_dir, write_artifacts

    check_output_dir(Path(output))  # refuse a directory we may not write into before compiling
    _, compiled = _compile_file(ctx, file, kernel, params, arch)
    click.echo(write_artifacts(compiled.artifacts, Path(output)))


# ---- run --------------------------------------------------------------------------------
@cli.command("run")
@click.argument("target", type=click.Path())
@click.option("--kernel", help="Kernel to run when the file defines several.")
@click.option("--param", "params", multiple=True, metavar="K=V", help="Factory parameter (repeatable).")
@click.option("--arch", type=click.Choice(["wormhole_b0", "blackhole"]), help="Target arch (files only).")
@click.option("--device", type=click.Choice(["emulator", "hardware"]), default="emulator", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random inputs.")
@click.option("--size", "sizes", multiple=True, metavar="NAME=N",
              help="A runtime size (T.dynamic) of the random inputs (repeatable; default: two granules).")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object (outputs, checks, the model's estimate) for scripts.")
@click.option("--trace", "trace_path", type=click.Path(), metavar="FILE.json",
              help="Write a Chrome/Perfetto trace of the modeled execution (open it in ui.perfetto.dev).")
@_option_flag
@click.pass_obj
def run_cmd(ctx: Context, target: str, kernel, params, arch, device: str, seed: int, sizes, as_json: bool,
            trace_path) -> None:
    """Run FILE.py or an artifact DIR on random inputs.

    When the file defines `reference(*inputs)`, the outputs are compared with it and the
    command prints PASS or FAIL with the max error (exit status 1 on FAIL).

    \b
    Examples:
      tt run examples/quickstart.py
      tt run build/gemm --seed 3
      tt run examples/softmax.py --json > result.json
      tt run examples/dynamic_gemm.py --size m=256 --size n=128
      tt run examples/gemm.py --trace gemm.trace.json
    """
    from tt_cli import _runner

    path = Path(target)
    given = _runner.parse_sizes(sizes)
    if trace_path and device != "emulator":
        raise TTError("--trace lays out the performance model, which reads the emulator's counters: "
                      "use --device emulator")
    if trace_path:  # before the run: a file of the user's is refused, not found out after it
        from tt_runtime._trace import check_trace_target

        check_trace_target(trace_path)
    if path.is_dir() or not path.suffix:
        ok = _runner.run_dir(path, device, seed, arch, _progress, as_json, given, trace_path)
    else:
        loaded, compiled = _compile_file(ctx, target, kernel, params, arch)
        ok = _runner.run_compiled(loaded, compiled, device, seed, _progress, as_json, given, trace_path)
    if not ok:
        sys.exit(1)


# ---- tune -------------------------------------------------------------------------------
@cli.command("tune")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--kernel", help="Kernel to tune when the file defines several.")
@click.option("--param", "params", multiple=True, metavar="K=V", help="Fixed factory parameter (repeatable).")
@click.option("--try", "tries", multiple=True, metavar="K=V1,V2",
              help="Candidate values of a parameter (repeatable; candidates are their product). "
                   "Default: the kernel's @tt_cli.autotune configs.")
@click.option("--arch", type=click.Choice(["wormhole_b0", "blackhole"]), help="Target arch (default wormhole_b0).")
@click.option("--jobs", "-j", type=int, default=os.cpu_count() or 1, show_default=True,
              help="Candidates scored at once, in worker processes.")
@click.option("-o", "--output", "output", type=click.Path(file_okay=False),
              help="Write the best candidate's artifacts here.")
@_option_flag
@click.pass_obj
def tune_cmd(ctx: Context, file: str, kernel, params, tries, arch, jobs: int, output) -> None:
    """Rank a kernel's candidate parameters by the performance model of the silicon.

    Each candidate is compiled, run once on the emulator on random inputs (the model needs
    its counters) and scored; refusals are listed with their reason. Scores are cached by
    the hash of the generated artifacts. Prints a ranked table and the best parameters.

    \b
    Examples:
      tt tune examples/gemm.py --try block_M=64,128 --try block_N=64,128 --try num_stages=1,2
      tt tune examples/gemm.py --param M=512 --try block_K=32,64 -o build/best
    """
    from tt_cli import _loader, _tuner
    from tt_cli._output import check_output_dir, write_artifacts

    if output:
        check_output_dir(Path(output))
    arch = arch or "wormhole_b0"
    fixed = _loader.parse_params(params)
    rows, best = _tuner.tune(file, kernel, fixed, _tuner.parse_tries(tries), arch,
                             ctx.options(), max(1, jobs))
    click.echo(_tuner.table(rows))
    if best is None:
        raise TTError(f"every candidate was refused; the first: {rows[0][1]['error']}")
    click.echo("best: " + " ".join(f"--param {k}={v!r}" for k, v in best.items()))
    if output:
        _, compiled = _compile_file(ctx, file, kernel, tuple(
            f"{k}={v!r}" for k, v in {**fixed, **best}.items()), arch)
        click.echo(write_artifacts(compiled.artifacts, Path(output)))


# ---- inspect ----------------------------------------------------------------------------
@cli.command("inspect")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the validated plan as JSON, for scripts.")
@click.option("--size", "sizes", multiple=True, metavar="NAME=N",
              help="Show a runtime-size kernel (T.dynamic) at this size (repeatable; default: two granules).")
def inspect_cmd(directory: str, as_json: bool, sizes) -> None:
    """Show the cores, CBs, L1 use and runtime args of an artifact DIR.

    \b
    Examples:
      tt inspect build/gemm
      tt inspect build/gemm --json
      tt inspect build/dynamic_gemm --size m=1024
    """
    import json

    from tt_cli._runner import parse_sizes, read_plan, shaped

    template = read_plan(Path(directory), template=True)
    given = parse_sizes(sizes)
    if as_json:
        click.echo(json.dumps(shaped(template, given, lambda _: None) if given else template, indent=2))
        return
    plan = shaped(template, given, lambda _: None)
    click.echo(_report.inspect_text(plan, template.get("sizes", []), given))


# ---- ir / passes ------------------------------------------------------------------------
@cli.command("ir")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--after", "after", metavar="PASS", help="Print the IR after this pass.")
@click.option("--all", "show_all", is_flag=True, help="Print the IR after every pass.")
@click.option("--kernel", help="Kernel when the file defines several.")
@click.option("--param", "params", multiple=True, metavar="K=V")
@click.option("--arch", type=click.Choice(["wormhole_b0", "blackhole"]), default="wormhole_b0", show_default=True)
@_option_flag
@click.pass_obj
def ir_cmd(ctx: Context, file: str, after: str | None, show_all: bool, kernel, params, arch: str) -> None:
    """Print the TileLang IR of FILE.py, or the IR after a pass / every pass.

    \b
    Examples:
      tt ir examples/gemm.py
      tt ir examples/gemm.py --after split_device_kernel
      tt ir examples/gemm.py --all
    """
    from tt_cli import _irdump, _loader

    loaded = _loader.load_kernel(Path(file), kernel, _loader.parse_params(params))
    click.echo(_irdump.ir_text(loaded.func, arch, after, show_all, ctx.options(**(loaded.options or {}))))


@cli.command("passes")
def passes_cmd() -> None:
    """List the pass pipeline in order with one line on each pass."""
    from tt_cli import _irdump

    click.echo(_irdump.passes_text())


# ---- doctor -----------------------------------------------------------------------------
@cli.command("doctor")
def doctor_cmd() -> None:
    """Check the installation: TVM and its pin, the C++ compiler, the emulator, the SDK."""
    from tt_cli import _doctor

    ok = True
    for line, good in _doctor.checks():
        click.echo(("  ok    " if good else "  FAIL  ") + line)
        ok = ok and good
    if not ok:
        sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs `cli`, turning TTError into one message and exit status 2."""
    verbose = "-v" in (argv or sys.argv[1:]) or "--verbose" in (argv or sys.argv[1:])
    try:
        cli.main(args=argv, standalone_mode=False, prog_name="tt")
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except TTError as e:
        if verbose:
            traceback.print_exc()
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    except SystemExit:
        raise
    except Exception as e:  # an internal error: say so, keep the traceback behind -v
        if verbose:
            traceback.print_exc()
        click.echo(f"internal error: {type(e).__name__}: {e} (run with -v for the traceback; please report it)", err=True)
        sys.exit(3)
