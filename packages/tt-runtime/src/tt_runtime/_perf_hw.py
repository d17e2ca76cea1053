"""Hardware numbers of the performance model, each with its source.

Owns: the per-architecture data-movement numbers (`ArchPerf`: DRAM bandwidth, the tt-npe
NoC packet-size table, NIU rate, latencies) and the per-tile compute costs (matmul by
fidelity, FPU eltwise, unpacker/packer bandwidth, SFPU estimates). Pure data and three small
lookups; the model itself is `tt_runtime._perf`.

Sources are sections of ``reference/tt-metalium.md`` (§4.3 per-chip facts, §4.4 compute
throughput, §4.5 tt-npe parameters) unless a line says otherwise. Numbers marked
*estimate* have no published source; they are stated here so they can be argued with.
"""

from __future__ import annotations

import dataclasses

# --- compute (§4.4; the same per cycle on Wormhole and Blackhole) -------------------------

#: One 32x32x32 ``matmul_tiles`` = 32768 MAC at 2048 MAC/cycle (LoFi), divided by fidelity.
MATMUL_CYCLES = {"LoFi": 16, "HiFi2": 32, "HiFi3": 48, "HiFi4": 64}
#: Fidelity phases: the divisor of matmul (and ``mul``) throughput.
FIDELITY_PHASES = {"LoFi": 1, "HiFi2": 2, "HiFi3": 3, "HiFi4": 4}
#: FPU eltwise: 8x16 = 128 datums/cycle -> 8 cycles per tile; add/sub always run at LoFi,
#: mul takes 8 cycles per fidelity phase (8 LoFi .. 32 HiFi4).
ELTWISE_MATH_CYCLES = 8
#: Reduce: the FPU pools a 16x16 face per cycle (reference §4.4) -> 4 cycles per 32x32
#: tile; sum/avg scale with fidelity like mul, max does not.
REDUCE_MATH_CYCLES = 4
#: A datacopy (``copy_tile``: unpack to SrcA, one FPU move to DST). *Estimate*: one FPU
#: eltwise pass.
COPY_MATH_CYCLES = 8
#: Engine set-up calls counted by the emulator (its "setup" counters) -> cycles charged to the
#: (unpack, math, pack) threads. *Estimates*: an init rewrites the configuration registers and
#: the replay (MOP) programs of the engines it sets up, a reconfig the data-format registers of
#: one unpacker or the packer; no published figure, so these are a handful of register writes
#: each, with the thread stalled until they take effect.
SETUP_CYCLES = {
    "hw_startup": (64, 64, 64),       # every engine, once per kernel
    "fpu_init": (48, 48, 0),          # matmul_init, copy_init, add_init, reduce_init, bcast ... inits
    "sfpu_init": (0, 16, 0),          # *_tile_init of an SFPU op
    "unpack_reconfig": (24, 0, 0),    # reconfig_data_format(_srca/_srcb)
    "pack_reconfig": (0, 0, 24),      # pack_reconfig_data_format, pack_reconfig_l1_acc, reduce_uninit
}
#: Unpacker bandwidth, L1 -> SrcA/SrcB, shared by both unpackers: 80 B/cycle. Source:
#: tt-metal's own op model (ttnn binary/unary ``create_op_performance_model``: "80 B/cycle
#: unpacker BW shared; 128 datums per cycle math, but unpacker cant keep up"), written for
#: Grayskull and used by ttnn for every arch. It is what makes eltwise unpack-bound (§4.4).
UNPACK_BYTES_PER_CYCLE = 80.0
#: Packer bandwidth, DST -> L1. *Estimate*: no published number; taken equal to the unpacker.
PACK_BYTES_PER_CYCLE = 80.0
#: SFPU: 32 lanes, ``iterations = 8`` per face, 4 faces -> 32 iterations per tile (§4.4).
SFPU_ITERATIONS_PER_TILE = 32
#: SFPU instructions per iteration (load, the function, store). *Estimates* from the shape
#: of each function (compare/move; polynomial or table approximation; Newton steps;
#: compositions of exp and recip; two loads for DST-DST binary ops; a reciprocal for binary
#: div, while div by a scalar is a multiply), not measurements; approx mode is not
#: distinguished.
SFPU_INSTRUCTIONS = {
    "fill": 2, "abs": 3, "negative": 3, "square": 3,
    "relu": 4, "relu_max": 4, "relu_min": 4, "sign": 4,
    "gtz": 4, "gez": 4, "ltz": 4, "lez": 4, "eqz": 4, "nez": 4, "trunc": 6, "floor": 6, "ceil": 6,
    "typecast": 8, "where": 6,
    "add_scalar": 4, "sub_scalar": 4, "mul_scalar": 4, "rsub_scalar": 4, "div_scalar": 4,
    "max_scalar": 4, "min_scalar": 4,
    "binary_add": 5, "binary_sub": 5, "binary_mul": 5, "binary_rsub": 5, "binary_max": 5, "binary_min": 5,
    "binary_div": 20,
    "exp": 16, "exp2": 16, "log": 16, "sqrt": 16, "rsqrt": 16, "recip": 16,
    "sigmoid": 24, "tanh": 24, "gelu": 24, "silu": 24,
}
#: Instructions per iteration for an SFPU op missing from the table (*estimate*).
SFPU_DEFAULT_INSTRUCTIONS = 16
#: Multiply-accumulates per matmul tile: 32^3; FLOPs are twice that.
MATMUL_TILE_FLOPS = 2 * 32**3
#: Matrix-engine FLOP/cycle per core at LoFi (8x16 . 16x16 per cycle, §4.4).
LOFI_FLOPS_PER_CYCLE = 4096

#: Program launch on the device (firmware go signal, kernel start, CB setup). *Estimate*
#: in microseconds; host dispatch (10-100 us per program without trace, §5.1) is excluded.
LAUNCH_OVERHEAD_US = 2.0


@dataclasses.dataclass(frozen=True)
class ArchPerf:
    """Data-movement numbers of one architecture.

    Attributes:
        name: Architecture name as in `tt_ir.get_arch`.
        clock_ghz: AI clock (§4.3).
        dram_gbps: Chip DRAM bandwidth, spec (§4.3, §5.2).
        num_dram_banks: Interleaving banks (§4.2).
        noc_table: tt-npe achievable single-transfer bandwidth, (packet bytes, B/cycle) (§4.5).
        niu_bytes_per_cycle: tt-npe worker NIU injection/absorption rate (§4.5).
        read_latency: NoC read round trip, "otherwise" case (not same row/column) (§4.5).
        write_latency: ``40 + per_hop * hops`` at the mean hop count of one NoC's route on
            the torus (mean ring distance (n-1)/2 per dimension of the NoC grid, §4.3, §4.5).
    """

    name: str
    clock_ghz: float
    dram_gbps: float
    num_dram_banks: int
    noc_table: tuple[tuple[int, float], ...]
    niu_bytes_per_cycle: float
    read_latency: float
    write_latency: float

    @property
    def dram_bytes_per_cycle(self) -> float:
        """Chip DRAM bandwidth in bytes per AI-clock cycle."""
        return self.dram_gbps / self.clock_ghz

    def noc_bytes_per_cycle(self, packet: int) -> float:
        """Achievable bytes/cycle of a stream of ``packet``-byte transfers into one core.

        Linear interpolation in the tt-npe table (proportional below its first entry, flat
        above its last), capped by the worker NIU rate.
        """
        table = self.noc_table
        if packet <= table[0][0]:
            rate = table[0][1] * packet / table[0][0]
        elif packet >= table[-1][0]:
            rate = table[-1][1]
        else:
            rate = next(_lerp(lo, hi, packet) for lo, hi in zip(table, table[1:]) if packet <= hi[0])
        return min(rate, self.niu_bytes_per_cycle)


def _lerp(lo: tuple[int, float], hi: tuple[int, float], x: int) -> float:
    return lo[1] + (hi[1] - lo[1]) * (x - lo[0]) / (hi[0] - lo[0])


def _write_latency(noc_grid: tuple[int, int], per_hop: float) -> float:
    hops = sum((n - 1) / 2 for n in noc_grid)
    return 40 + per_hop * hops


ARCH_PERF = {
    "wormhole_b0": ArchPerf(
        name="wormhole_b0", clock_ghz=1.0, dram_gbps=288.0, num_dram_banks=12,
        noc_table=((128, 5.5), (256, 10.1), (512, 18.0), (1024, 27.4), (2048, 30.0), (8192, 30.0)),
        niu_bytes_per_cycle=28.1, read_latency=270, write_latency=_write_latency((10, 12), 10)),
    "blackhole": ArchPerf(
        name="blackhole", clock_ghz=1.35, dram_gbps=512.0, num_dram_banks=8,
        noc_table=((128, 6.0), (256, 12.1), (512, 24.2), (1024, 48.0), (2048, 57.7), (4096, 58.7),
                   (8192, 60.4), (16384, 60.9)),
        niu_bytes_per_cycle=60.9, read_latency=329, write_latency=_write_latency((17, 12), 11)),
}


def sfpu_cycles(kind: str) -> int:
    """Estimated SFPU cycles per tile for the counter ``sfpu_<op>``."""
    op = kind.removeprefix("sfpu_")
    return SFPU_ITERATIONS_PER_TILE * SFPU_INSTRUCTIONS.get(op, SFPU_DEFAULT_INSTRUCTIONS)
