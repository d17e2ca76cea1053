"""Compiles one generated kernel the way the tt-metal JIT does, with clang-19 for rv32.

Readers and writers become objects (`-Os -c`) through the BRISC/NCRISC wrapper TUs;
compute kernels are parsed (`-fsyntax-only`) once per TRISC role against the real compute
API, LLK and tt-llk headers and our SFPI stand-in. Each diagnostic is classified by the file
it points at: the generated kernel (our bug) or anything else (SDK drift / stand-in gap).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tt_codegen.sdk_check import _jit
from tt_codegen.sdk_check._sdk import CLANG, LIBSTDCXX_VERSION, NEWLIB_INCLUDE, Sdk

STANDIN = Path(__file__).parent / "standin"

COMMON_FLAGS = (
    "--target=riscv32-unknown-elf", "-march=rv32im", "-mabi=ilp32", "-std=c++17",
    "-ffast-math", "-fno-exceptions", "-fno-rtti", "-fno-use-cxa-atexit",
    "-Wall", "-Werror", "-Wno-unknown-pragmas", "-Wno-deprecated-declarations",
    "-Wno-error=parentheses", "-Wno-error=unused-but-set-variable", "-Wno-unused-variable",
    "-Wno-unused-function", "-Wno-unknown-warning-option",
    # SFPI's GCC knows `rvtt_l1_ptr` (tt_l1_ptr); clang does not, and that is no kernel bug.
    "-Wno-unknown-attributes",
    "-fno-color-diagnostics", "-fno-caret-diagnostics", "-ferror-limit=50",
)

# "path:line:col: error: message"
_DIAG = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<kind>error|warning|fatal error): (?P<msg>.*)$", re.M)


@dataclass(frozen=True)
class Diagnostic:
    path: str
    line: int
    col: int
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.kind}: {self.message}"


@dataclass
class Result:
    """One compile of one kernel for one processor."""

    kernel: Path
    target: str  # "brisc", "ncrisc", "trisc0/unpack", ...
    command: list[str]
    returncode: int
    output: str
    ours: list[Diagnostic] = field(default_factory=list)
    theirs: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def include_dirs(sdk: Sdk, arch: _jit.ArchProfile, compute: bool) -> list[Path]:
    """The JIT's include path (sdk-check.md §3), in order; missing directories are dropped."""
    r = sdk.root
    m = r / "tt_metal"
    arch_inc = m / "hw" / "inc" / "internal" / "tt-1xx" / arch.dir_name
    dirs = [
        r, r / "ttnn", r / "ttnn" / "cpp", m, m / "include", m / "hw" / "inc", m / "hostdevcommon" / "api",
        m / "hw" / "inc" / "debug", m / "api", m / "tt-llk" / "common", m / "tt-llk" / "tools" / "include",
        m / "hw" / "ckernels" / arch.llk_name / "metal" / "common",
        m / "hw" / "ckernels" / arch.llk_name / "metal" / "llk_io",
        m / "hw" / "inc" / "internal" / "tt-1xx", arch_inc, arch_inc / f"{arch.llk_name}_defines", arch_inc / "noc",
        m / "tt-llk" / f"tt_llk_{arch.llk_name}" / "common" / "inc",
        m / "tt-llk" / f"tt_llk_{arch.llk_name}" / "llk_lib",
        m / "tt-llk" / f"tt_llk_{arch.llk_name}" / "llk_lib" / "hal",
    ]
    if compute:
        dirs += [
            m / "hw" / "ckernels" / arch.llk_name / "metal" / "llk_api",
            m / "hw" / "ckernels" / arch.llk_name / "metal" / "llk_api" / "llk_sfpu",
            STANDIN / "sfpi",
        ]
    dirs.append(m / "hw" / "firmware" / "src" / "tt-1xx")
    return [d for d in dirs if d.is_dir()]


def _system_includes() -> list[str]:
    return [
        "-nostdinc++",
        "-isystem", str(STANDIN / "stdcxx"),
        "-isystem", f"/usr/include/c++/{LIBSTDCXX_VERSION}",
        "-isystem", f"/usr/include/x86_64-linux-gnu/c++/{LIBSTDCXX_VERSION}",
        "-isystem", str(NEWLIB_INCLUDE),
    ]


def command(
    sdk: Sdk, arch: _jit.ArchProfile, target: str, wrapper: str, defines: list[str], syntax_only: bool
) -> list[str]:
    compute = target.startswith("trisc")
    cmd = [CLANG, *COMMON_FLAGS, "-O3" if compute else "-Os"]
    cmd += ["-fsyntax-only"] if syntax_only else ["-c", "-o", f"{target.replace('/', '_')}.o"]
    cmd += _system_includes()
    cmd += ["-I."]
    for d in include_dirs(sdk, arch, compute):
        cmd += ["-isystem", str(d)]
    cmd += [f"-D{d}" for d in defines]
    cmd.append(str(sdk.root / "tt_metal" / "hw" / "firmware" / "src" / "tt-1xx" / wrapper))
    return cmd


def _defines(arch: _jit.ArchProfile, processor: list[str], compile_args: list[int]) -> list[str]:
    cta = ",".join(str(int(a)) for a in compile_args)
    return [
        *arch.defines, "TENSIX_FIRMWARE", "LOCAL_MEM_EN=0", "PROGRAMMABLE_CORE_TYPE=0", *processor,
        "DISPATCH_MESSAGE_ADDR=0", "KERNEL_BUILD", f"KERNEL_COMPILE_TIME_ARGS={cta}",
    ]


def classify(output: str, kernel: Path) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(diagnostics in the generated kernel, diagnostics anywhere else)."""
    kernel_path = str(kernel.resolve())
    ours, theirs = [], []
    for m in _DIAG.finditer(output):
        d = Diagnostic(m["path"], int(m["line"]), int(m["col"]), m["kind"], m["msg"])
        if d.kind == "warning" and "-Werror" not in d.message and "[-W" not in d.message:
            continue
        (ours if str(Path(m["path"]).resolve()) == kernel_path else theirs).append(d)
    return ours, theirs


def _run(kernel: Path, target: str, cmd: list[str], cwd: Path) -> Result:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    output = proc.stdout + proc.stderr
    ours, theirs = classify(output, kernel)
    return Result(kernel, target, cmd, proc.returncode, output, ours, theirs)


def check_dataflow(sdk: Sdk, arch_name: str, kernel_src: Path, plan: dict, kernel: dict, work: Path) -> list[Result]:
    """Compiles a reader/writer to an object for the processor the plan assigns it."""
    arch = _jit.ARCHES[arch_name]
    processor = kernel["processor"]
    target, wrapper, index = ("brisc", "brisck.cc", 0) if processor == "RISCV_0" else ("ncrisc", "ncrisck.cc", 1)
    noc = 1 if kernel["noc"] == "NOC_1" else 0
    _jit.write_dataflow_files(work, kernel_src, plan, arch)
    processor_defines = [f"COMPILE_FOR_{target.upper()}", f"PROCESSOR_INDEX={index}", f"NOC_INDEX={noc}", "NOC_MODE=0"]
    processor_defines += [f"{k}={v}" for k, v in sorted(kernel["defines"].items())]
    defines = _defines(arch, processor_defines, kernel["compile_args"])
    return [_run(kernel_src, target, command(sdk, arch, target, wrapper, defines, syntax_only=False), work)]


def check_compute(sdk: Sdk, arch_name: str, kernel_src: Path, plan: dict, kernel: dict, work: Path) -> list[Result]:
    """Parses a compute kernel once per TRISC role (UNPACK, MATH, PACK)."""
    arch = _jit.ARCHES[arch_name]
    _jit.write_compute_files(work, kernel_src, plan, kernel, arch)
    results = []
    for n, role in enumerate(_jit.TRISC_ROLES):
        processor_defines = [
            f"UCK_CHLKC_{role.upper()}", f"NAMESPACE=chlkc_{role}", f"COMPILE_FOR_TRISC={n}", f"PROCESSOR_INDEX={2 + n}",
        ]
        defines = _defines(arch, processor_defines, kernel["compile_args"])
        cmd = command(sdk, arch, f"trisc{n}", "trisck.cc", defines, syntax_only=True)
        results.append(_run(kernel_src, f"trisc{n}/{role}", cmd, work))
    return results
