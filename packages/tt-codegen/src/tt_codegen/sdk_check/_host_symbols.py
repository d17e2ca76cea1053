"""The host calls of a generated main.cpp against what the ttnn wheel's libtt_metal.so exports.

The wheel ships no host headers, so main.cpp cannot be compiled against the SDK (the emulator
compiles it against our own host API); the library can still say whether each host function
main.cpp calls exists, with the parameter types main.cpp's arguments convert to. `HOST_CALLS`
maps each call, as main.cpp spells it, to the demangled signature the library must export.
A call the SDK defines inline in its headers (a template, a one-line accessor) is not in the
library: its entry names the exported function the inline one calls instead, and says so.

`host_calls(main_cpp)` finds the host calls in a main.cpp; `check_host_calls` reports every
call missing from the table and every table entry missing from the library, so a renamed or
removed API fails when the wheel pin moves, and a new call in main.cpp.j2 must be added here.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

_NS = "tt::tt_metal::"
_D = _NS + "distributed::"
_CORES = "std::variant<tt::xy_pair, tt::tt_metal::CoreRange, tt::tt_metal::CoreRangeSet> const&"
_STR = "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&"

# main.cpp call -> (exported demangled signature, how main.cpp reaches it)
HOST_CALLS: dict[str, tuple[str, str]] = {
    "distributed::MeshDevice::create_unit_mesh": (
        _D + "MeshDevice::create_unit_mesh(int, unsigned long, unsigned long, unsigned long, "
        "tt::tt_metal::DispatchCoreConfig const&, std::span<unsigned int const, 18446744073709551615ul>, unsigned long)",
        "direct (defaulted arguments)"),
    "mesh_command_queue": (_D + "MeshDevice::mesh_command_queue(std::optional<unsigned char>) const", "direct"),
    "distributed::MeshBuffer::create": (
        _D + "MeshBuffer::create(std::variant<tt::tt_metal::distributed::ReplicatedBufferConfig, "
        "tt::tt_metal::distributed::ShardedBufferConfig> const&, tt::tt_metal::distributed::DeviceLocalBufferConfig "
        "const&, tt::tt_metal::distributed::MeshDevice*, std::optional<unsigned long>)", "direct"),
    "address": (_D + "MeshBuffer::size() const",
                "MeshBuffer::address() is inline in mesh_buffer.hpp; its class is checked through size()"),
    "CreateProgram": (_NS + "CreateProgram()", "direct"),
    "CircularBufferConfig": (
        _NS + "CircularBufferConfig::CircularBufferConfig(unsigned int, std::map<unsigned char, tt::DataFormat, "
        "std::less<unsigned char>, std::allocator<std::pair<unsigned char const, tt::DataFormat> > > const&)",
        "direct (the CB index converts to unsigned char)"),
    "set_page_size": (_NS + "CircularBufferConfig::set_page_size(unsigned char, unsigned int)", "direct"),
    "CreateCircularBuffer": (
        _NS + f"CreateCircularBuffer(tt::tt_metal::Program&, {_CORES}, tt::tt_metal::CircularBufferConfig const&)",
        "direct"),
    "CreateSemaphore": (
        _NS + "CreateSemaphore(tt::tt_metal::Program&, std::variant<tt::tt_metal::CoreRange, "
        "tt::tt_metal::CoreRangeSet> const&, unsigned int)", "direct"),
    "TensorAccessorArgs": (
        _NS + "TensorAccessorArgs::TensorAccessorArgs(tt::tt_metal::distributed::MeshBuffer const&, "
        "Flags<tensor_accessor::ArgConfig>)", "direct (defaulted flags)"),
    "append_to": (_NS + "TensorAccessorArgs::append_to(std::vector<unsigned int, std::allocator<unsigned int> >&) "
                  "const", "direct"),
    "CreateKernel": (
        _NS + f"CreateKernel(tt::tt_metal::Program&, {_STR}, {_CORES}, std::variant<tt::tt_metal::DataMovementConfig, "
        "tt::tt_metal::ComputeConfig> const&)", "direct"),
    "worker_core_from_logical_core": (_D + "MeshDevice::worker_core_from_logical_core(tt::xy_pair const&) const",
                                      "direct"),
    "SetRuntimeArgs": (
        _NS + f"SetRuntimeArgs(tt::tt_metal::Program const&, unsigned int, {_CORES}, "
        "std::span<unsigned int const, 18446744073709551615ul>)", "direct (the vector converts to a span)"),
    "CoreRangeSet": (_NS + "CoreRangeSet::CoreRangeSet(std::span<tt::tt_metal::CoreRange const, "
                     "18446744073709551615ul>)", "direct (a vector converts to a span)"),
    "CoreRange": (_NS + "CoreRange::CoreRange(tt::xy_pair const&, tt::xy_pair const&)", "direct"),
    "distributed::EnqueueWriteMeshBuffer": (
        _D + "MeshCommandQueueBase::enqueue_write_mesh_buffer(std::shared_ptr<tt::tt_metal::distributed::MeshBuffer> "
        "const&, void const*, bool)", "a template in distributed.hpp; checked through the queue method it calls"),
    "distributed::EnqueueReadMeshBuffer": (
        _D + "MeshCommandQueueBase::enqueue_read_mesh_buffer(void*, std::shared_ptr<tt::tt_metal::distributed::"
        "MeshBuffer> const&, bool)", "a template in distributed.hpp; checked through the queue method it calls"),
    "distributed::MeshCoordinateRange": (
        _D + "MeshCoordinateRange::MeshCoordinateRange(tt::tt_metal::distributed::MeshShape const&)", "direct"),
    "shape": (_D + "MeshDevice::shape() const", "direct"),
    "add_program": (_D + "MeshWorkload::add_program(tt::tt_metal::distributed::MeshCoordinateRange const&, "
                    "tt::tt_metal::Program&&)", "direct"),
    "distributed::EnqueueMeshWorkload": (
        _D + "EnqueueMeshWorkload(tt::tt_metal::distributed::MeshCommandQueue&, tt::tt_metal::distributed::"
        "MeshWorkload&, bool)", "direct"),
    "distributed::Finish": (
        _D + "Finish(tt::tt_metal::distributed::MeshCommandQueue&, std::span<ttsl::StrongType<unsigned char, "
        "tt::tt_metal::SubDeviceIdTag> const, 18446744073709551615ul>)", "direct (defaulted sub-devices)"),
    "close": (_D + "MeshDevice::close()", "direct"),
}

# Calls into the host API, as main.cpp.j2 writes them: free functions and constructors of the
# tt_metal namespaces, and methods called on SDK objects.
_FREE = re.compile(r"(?<![\w:.>])((?:distributed::)?(?:MeshDevice::\w+|MeshBuffer::\w+|[A-Z]\w*))\s*[({]")
_DECL = re.compile(r"(?<![\w:.>])((?:distributed::)?[A-Z]\w*)\s+\w+\s*\(")  # `CircularBufferConfig cfg(...)`
_METHOD = re.compile(r"(?:->|\.)\s*(\w+)\s*\(")
# main.cpp's own types, and SDK aggregates / header-only types (no function to look up)
_OURS = {"Tensor", "Format", "Options", "UsageError", "NpyFile", "CoreCoord", "DataMovementConfig", "ComputeConfig",
         "DeviceLocalBufferConfig", "ReplicatedBufferConfig", "MeshWorkload", "KernelHandle", "Program"}
_SDK_METHODS = {"mesh_command_queue", "address", "set_page_size", "append_to", "worker_core_from_logical_core",
                "shape", "add_program", "close"}


def host_calls(main_cpp: str) -> set[str]:
    """The host API calls a generated main.cpp makes (comments and strings ignored)."""
    code = re.sub(r"//[^\n]*|\"(?:\\.|[^\"\\])*\"", " ", main_cpp)
    calls = {m.group(1) for m in (*_FREE.finditer(code), *_DECL.finditer(code))} - _OURS
    calls = {c for c in calls if not c.isupper() and c not in ("std",)}
    calls |= {m.group(1) for m in _METHOD.finditer(code)} & _SDK_METHODS
    return calls


def check_host_calls(main_cpp: str, exported: set[str]) -> list[str]:
    """Problems: a call main.cpp makes that the table does not list, or a listed symbol that
    the library does not export."""
    problems = []
    for call in sorted(host_calls(main_cpp)):
        if call not in HOST_CALLS and f"distributed::{call}" not in HOST_CALLS:
            problems.append(f"main.cpp calls {call}, which tt_codegen/sdk_check/_host_symbols.py does not list: "
                            "add the symbol the library exports for it")
    for call, (symbol, _how) in HOST_CALLS.items():
        if symbol not in exported:
            problems.append(f"{call}: libtt_metal.so does not export {symbol}")
    return problems


def library(wheel: Path, dest: Path) -> Path:
    """libtt_metal.so from the wheel, extracted once into `dest`."""
    out = dest / "libtt_metal.so"
    if not out.is_file():
        dest.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as zf, zf.open("ttnn/build/lib/libtt_metal.so") as src, \
                open(out.with_suffix(".tmp"), "wb") as dst:
            shutil.copyfileobj(src, dst)
        out.with_suffix(".tmp").rename(out)
    return out


@functools.cache
def exported_symbols(lib: Path) -> frozenset[str]:
    """The demangled names of the functions `lib` exports (`nm -D --defined-only -C`)."""
    proc = subprocess.run(["nm", "-D", "--defined-only", "-C", str(lib)], capture_output=True, text=True,
                          check=True)
    out = set()
    for line in proc.stdout.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in "TtWw":
            out.add(parts[2].strip())
    return frozenset(out)
