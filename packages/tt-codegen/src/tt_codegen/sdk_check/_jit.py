"""The per-kernel files the tt-metal JIT generates before it compiles a kernel (0.81.x).

For a data-movement kernel: `kernel_includes.hpp` and `chlkc_descriptors.h`. For a compute
kernel: `chlkc_{unpack,math,pack}.cpp`, `defines_generated.h` and `chlkc_descriptors.h`
with the program's real CB formats, math fidelity, approx mode and DST accumulation mode
(all read from the kernel's tt.plan.json).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# tensix_types.h DataFormat codes.
DATA_FORMAT_CODES = {"Float32": 0, "Float16": 1, "Float16_b": 5, "Bfp8_b": 6, "Int32": 8, "Int8": 14, "UInt32": 24,
                     "UInt8": 30}
INVALID_FORMAT = 255
FIDELITY_CODES = {"LoFi": 0, "HiFi2": 2, "HiFi3": 3, "HiFi4": 4}
TRISC_ROLES = ("unpack", "math", "pack")


@dataclass(frozen=True)
class ArchProfile:
    """One board per arch: the device defines the JIT passes (sdk-check.md §3, §9.3)."""

    name: str
    dir_name: str  # hw/inc/internal/tt-1xx/<dir_name>
    llk_name: str  # tt-llk/tt_llk_<llk_name>, hw/ckernels/<llk_name>
    max_cbs: int
    defines: tuple[str, ...]


ARCHES = {
    "wormhole_b0": ArchProfile(
        "wormhole_b0", "wormhole", "wormhole_b0", 32,
        ("ARCH_WORMHOLE", "NUM_DRAM_BANKS=12", "IS_NOT_POW2_NUM_DRAM_BANKS=1", "NUM_L1_BANKS=64",
         "LOG_BASE_2_OF_NUM_L1_BANKS=6", "PCIE_NOC_X=0", "PCIE_NOC_Y=3"),
    ),
    "blackhole": ArchProfile(
        "blackhole", "blackhole", "blackhole", 64,
        ("ARCH_BLACKHOLE", "NUM_DRAM_BANKS=8", "LOG_BASE_2_OF_NUM_DRAM_BANKS=3", "NUM_L1_BANKS=120",
         "IS_NOT_POW2_NUM_L1_BANKS=1", "PCIE_NOC_X=19", "PCIE_NOC_Y=24"),
    ),
}


def _array(ctype: str, name: str, values: list[int]) -> str:
    return f"constexpr {ctype} {name}[{len(values)}] = {{{', '.join(str(v) for v in values)}}};"


def descriptors(plan: dict, arch: ArchProfile) -> str:
    """`chlkc_descriptors.h` for one program."""
    n = arch.max_cbs
    fmt = [INVALID_FORMAT] * n
    size = [0] * n
    for cb in plan["circular_buffers"]:
        if cb["index"] >= n:
            raise ValueError(f"CB {cb['index']} does not exist on {arch.name} ({n} CBs)")
        fmt[cb["index"]] = DATA_FORMAT_CODES[cb["data_format"]]
        size[cb["index"]] = cb["page_size"]
    used = [f != INVALID_FORMAT for f in fmt]
    faces = [4 if u else 0 for u in used]
    r_dim = [16 if u else 0 for u in used]
    tile_r = [32 if u else 0 for u in used]
    two = [2 if u else 0 for u in used]
    zeros = [0] * n
    cc = plan["compute_config"]
    fidelity = FIDELITY_CODES[cc["math_fidelity"]]
    approx = "true" if cc["math_approx_mode"] else "false"
    acc = "true" if cc["fp32_dest_acc_en"] else "false"
    sync = "SyncFull" if cc["dst_full_sync_en"] else "SyncHalf"
    math_block = [
        '#include "llk_defs.h"',
        f"constexpr ckernel::MathFidelity MATH_FIDELITY = static_cast<ckernel::MathFidelity>({fidelity});",
        f"constexpr bool APPROX = {approx};",
    ]
    per_side = []
    for side, ctype in (("unpack", "std::int32_t"), ("pack", "unsigned char")):
        per_side.append([
            _array(ctype, f"{side}_src_format", fmt),
            _array(ctype, f"{side}_dst_format", fmt),
            _array("std::uint8_t", f"{side}_tile_num_faces", faces),
            _array("std::uint8_t", f"{side}_partial_face", zeros),
            _array("std::uint8_t", f"{side}_tile_face_r_dim", r_dim),
            _array("std::uint8_t", f"{side}_narrow_tile", zeros),
            _array("std::uint8_t", f"{side}_tile_r_dim", tile_r),
            _array("std::uint8_t", f"{side}_tile_c_dim", tile_r),
            _array("std::uint16_t", f"{side}_tile_size", size),
            _array("std::uint8_t", f"{side}_num_faces_r_dim", two),
            _array("std::uint8_t", f"{side}_num_faces_c_dim", two),
        ])
    lines = [
        "// Written by tt_codegen.sdk_check as the tt-metal JIT writes it for this program.",
        "#pragma once",
        "#include <cstdint>",
        "",
        "#if defined(UCK_CHLKC_MATH)", *math_block, "#endif",
        "#if defined(UCK_CHLKC_PACK)", *math_block, "#endif",
        "#if !defined(UCK_CHLKC_PACK)", *per_side[0], "#endif",
        "#if !defined(UCK_CHLKC_MATH) && !defined(UCK_CHLKC_UNPACK)", *per_side[1], "#endif",
        "#if defined(UCK_CHLKC_PACK)", _array("std::int32_t", "unpack_src_format", fmt), "#endif",
        "#if defined(UCK_CHLKC_MATH) || defined(UCK_CHLKC_PACK) || defined(UCK_CHLKC_UNPACK)",
        f"constexpr bool DST_ACCUM_MODE = {acc};",
        f"#define DST_SYNC_MODE DstSync::{sync}",
        "#endif",
        "",
    ]
    return "\n".join(lines)


def write_dataflow_files(out: Path, kernel_src: Path, plan: dict, arch: ArchProfile) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "kernel_includes.hpp").write_text(f'#include "{kernel_src.resolve()}"\n')
    (out / "chlkc_descriptors.h").write_text(descriptors(plan, arch))


def write_compute_files(out: Path, kernel_src: Path, plan: dict, kernel: dict, arch: ArchProfile) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for role in TRISC_ROLES:
        text = f'#define TRISC_{role.upper()}\n#include "defines_generated.h"\n#include "{kernel_src.resolve()}"\n'
        (out / f"chlkc_{role}.cpp").write_text(text)
    defines = ["#define NOC_MODE 0", *[f"#define {k} {v}" for k, v in sorted(kernel["defines"].items())]]
    (out / "defines_generated.h").write_text("\n".join(defines) + "\n")
    (out / "chlkc_descriptors.h").write_text(descriptors(plan, arch))
