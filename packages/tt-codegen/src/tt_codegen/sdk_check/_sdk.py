"""The SDK side of sdk-check: the ttnn wheel's device headers and the Debian toolchain.

`setup()` downloads the pinned ttnn wheel with pip (nothing is installed or imported),
unpacks only its header trees into the cache and checks for clang-19 and newlib's headers
(installing them with apt-get when running as root). The cache lives under
`$TT_SDK_CACHE` or `~/.cache/tilelang-tt/sdk` and is never committed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

TTNN_VERSION = "0.81.1"
CLANG = "clang++-19"
NEWLIB_INCLUDE = Path("/usr/include/newlib")
LIBSTDCXX_VERSION = "12"
APT_PACKAGES = ("clang-19", "libnewlib-dev")

# Subtrees of the wheel that kernels compile against (about 50 MB of 350).
_HEADER_TREES = (
    "ttnn/tt_metal/hw/",
    "ttnn/tt_metal/tt-llk/tt_llk_wormhole_b0/",
    "ttnn/tt_metal/tt-llk/tt_llk_blackhole/",
    "ttnn/tt_metal/tt-llk/common/",
    "ttnn/tt_metal/tt-llk/tools/include/",
    "ttnn/tt_metal/hostdevcommon/",
    "ttnn/tt_metal/api/",
    "ttnn/ttnn/cpp/",
    "ttnn/tt_metal/sfpi-version",
)


class SdkSetupError(RuntimeError):
    """The SDK or the toolchain could not be made ready; the message says what to run."""


@dataclass(frozen=True)
class Sdk:
    """An unpacked wheel: `root` is its `ttnn/` directory (the tt-metal root layout)."""

    root: Path
    version: str

    @property
    def hw_inc(self) -> Path:
        return self.root / "tt_metal" / "hw" / "inc"

    @property
    def sfpi_version(self) -> str:
        """The `sfpi_version='7.89.0'` line of the wheel's `tt_metal/sfpi-version` (a shell file)."""
        path = self.root / "tt_metal" / "sfpi-version"
        if not path.is_file():
            return "unknown"
        match = re.search(r"^sfpi_version=['\"]?([^'\"\s]+)", path.read_text(), re.MULTILINE)
        return match.group(1) if match else "unknown"


def cache_dir() -> Path:
    return Path(os.environ.get("TT_SDK_CACHE", Path.home() / ".cache" / "tilelang-tt" / "sdk"))


def find_sdk(version: str = TTNN_VERSION) -> Sdk | None:
    """The unpacked SDK in the cache, or None when `setup()` has not run."""
    root = cache_dir() / version / "ttnn"
    marker = root / "tt_metal" / "hw" / "inc" / "api" / "compute" / "matmul.h"
    return Sdk(root, version) if marker.is_file() else None


def _download_wheel(version: str, dest: Path) -> Path:
    found = sorted(dest.glob(f"ttnn-{version}-*.whl"))
    if found:
        return found[0]
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--python-version", "3.10", "--platform", "manylinux_2_34_x86_64",
        "-d", str(dest), f"ttnn=={version}",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    found = sorted(dest.glob(f"ttnn-{version}-*.whl"))
    if proc.returncode != 0 or not found:
        raise SdkSetupError(f"pip could not download ttnn=={version}:\n$ {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return found[0]


def _unpack_headers(wheel: Path, root: Path) -> None:
    tmp = root.with_name(root.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            if name.startswith(_HEADER_TREES) and not name.endswith("/"):
                zf.extract(name, tmp)
    shutil.rmtree(root, ignore_errors=True)
    tmp.rename(root)


def toolchain_problems() -> list[str]:
    """What is missing from the Debian toolchain, as messages (empty when ready)."""
    problems = []
    if shutil.which(CLANG) is None:
        problems.append(f"{CLANG} is not on PATH")
    if not (NEWLIB_INCLUDE / "stdint.h").is_file():
        problems.append(f"newlib headers are missing ({NEWLIB_INCLUDE}/stdint.h)")
    if not Path(f"/usr/include/c++/{LIBSTDCXX_VERSION}").is_dir():
        problems.append(f"libstdc++ {LIBSTDCXX_VERSION} headers are missing (/usr/include/c++/{LIBSTDCXX_VERSION})")
    return problems


def _install_toolchain() -> None:
    if not toolchain_problems():
        return
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        raise SdkSetupError(
            "; ".join(toolchain_problems())
            + f". Install them: apt-get install -y --no-install-recommends {' '.join(APT_PACKAGES)}"
        )
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in ([apt, "update", "-qq"], [apt, "install", "-y", "-qq", "--no-install-recommends", *APT_PACKAGES]):
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            raise SdkSetupError(f"$ {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    if toolchain_problems():
        raise SdkSetupError("; ".join(toolchain_problems()) + " after apt-get install")


def setup(version: str = TTNN_VERSION) -> Sdk:
    """Makes the SDK headers and the toolchain ready; idempotent and cached."""
    _install_toolchain()
    sdk = find_sdk(version)
    if sdk is not None:
        return sdk
    base = cache_dir() / version
    base.mkdir(parents=True, exist_ok=True)
    wheel = _download_wheel(version, cache_dir() / "whl")
    _unpack_headers(wheel, base / "ttnn.tmp")
    extracted = base / "ttnn.tmp" / "ttnn"
    shutil.rmtree(base / "ttnn", ignore_errors=True)
    extracted.rename(base / "ttnn")
    shutil.rmtree(base / "ttnn.tmp", ignore_errors=True)
    sdk = find_sdk(version)
    if sdk is None:
        raise SdkSetupError(f"the ttnn {version} wheel did not contain the expected device headers")
    return sdk
