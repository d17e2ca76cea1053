"""canonicalize_tile_program's element reads: a block the reader computes value by value.

Dequantizing kernels unpack packed integers with an index remap and bit operations:

    T.copy(B[bx * bn, k * bk // 2], B_shared)           # uint8, two 4-bit values a byte
    T.copy(B_shared, B_local)
    for i, j in T.Parallel(bn, bk):
        B_dq[i, j] = T.reinterpret("int8", ((B_local[i, j // 2] >> (j % 2 * 4)) & 15) << 4) >> 4

No tile engine does that: the FPU and the SFPU work on whole tiles of floats, element (i, j)
from element (i, j). The reader's RISC-V core can: it reads the source tensor's tiles into a
scratch tile and computes each element of the block in integer arithmetic. Such a nest (a
whole 2-D on-chip block, integer-valued or a float given as its bits, `T.reinterpret(float16,
...)`, that reads blocks copied from one tensor at indices other than its own or uses bit
operations) becomes a marked copy from that tensor, with the
value rewritten to read the tensor itself (`B[bx * bn + i, k * bk // 2 + j // 2]`):

    tl.tileop.copy(B[...] region, B_dq region, "elements", value, i, j)

and the copies that only fed it are dropped. Layout, CBs and pipelining then treat it as the
one-block copy it is; the reader lowers it (`tt.elements_in`).

The same path keeps a program in one exponent family. tt-metal builds a program only when its
CBs agree on the exponent width they set the unpackers to (`tt_ir.dtypes.exponent_family`):
int8 tiles next to bfloat16 ones are refused. In a kernel whose data has both families, a
whole-block copy of an integer tensor into an integer block (`T.copy(Wq[k * bk, bx * bn], wq)`)
becomes an element read too: the reader writes the integers as float32, and the int8 tiles
only ever reach its scratch tile (raw bytes, of no family).
"""

from __future__ import annotations

from typing import Any

from tt_ir import dtypes, tir
from tt_passes._canon_staging import ON_CHIP, covers_block, exponent_families, parallel_nest
from tt_passes._canon_versions import reads_on_chip, written_on_chip

MARK = "elements"


def is_elements(call: Any) -> bool:
    """Whether a `tl.tileop.copy` is a block this module made."""
    return len(call.args) > 2 and isinstance(call.args[2], tir.StringImm) \
        and call.args[2].value == MARK


def value_of(call: Any) -> tuple:
    """(value, i, j) of a marked copy: the element's value over the tensor, in the block's
    row and column variables."""
    return call.args[3], call.args[4], call.args[5]


def _copies(body: Any) -> list:
    return [c for c in tir.collect(body, tir.Call) if tir.is_call(c, "tl.tileop.copy")
            and len(c.args) == 2]


def _sources(body: Any) -> dict:
    """{on-chip buffer: (tensor, mins, extents)} of blocks written only by one whole-block
    copy from a tensor region, or by an on-chip copy of such a block."""
    writers: dict = {}
    for call in _copies(body):
        dst = tir.decode_region(call.args[1]).buffer
        writers.setdefault(dst, []).append(call)
    for buf in written_on_chip(body, copies=False):  # stores, fills, reductions, gemms
        writers.setdefault(buf, []).append(None)
    out: dict = {}
    for _ in range(4):  # chains: tensor -> shared -> fragment
        for buf, calls in writers.items():
            if len(calls) != 1 or calls[0] is None or tir.scope_of(buf) not in ON_CHIP:
                continue
            src = tir.decode_region(calls[0].args[0])
            if tir.scope_of(src.buffer) == "global":
                out[buf] = (src.buffer, list(src.mins), list(src.extents))
            elif src.buffer in out and all(tir.as_int(m) == 0 for m in src.mins):
                out[buf] = out[src.buffer]
    return out


def _block_dims(extents: list, n: int) -> list:
    """The dims of a tensor region that the n dims of its on-chip block run along: those of
    extent other than 1 (`Bq[bz, r:r + bn, c:c + bk]` -> [1, 2]), else the last n."""
    wide = [d for d, e in enumerate(extents) if tir.as_int(e) != 1]
    return wide if len(wide) == n else list(range(len(extents) - n, len(extents)))


def _on_tensor(mins: list, extents: list, indices: list) -> list:
    """A block element's indices in the tensor: the region's corner, moved along the block's
    dims by the element's own indices."""
    idx = list(mins)
    for d, i in zip(_block_dims(extents, len(indices)), indices):
        idx[d] = mins[d] + i
    return idx


def _needs_elements(value: Any, ivars: list) -> bool:
    if tir.find(value, lambda x: True, types=tir.BIT_OPS) is not None \
            or tir.find(value, lambda x: tir.op_name(x) in ("tirx.reinterpret",
                                                            "tir.reinterpret"),
                        types=tir.Call) is not None:
        return True
    for load in tir.collect(value, tir.TensorLoad):
        idx = list(load.indices)
        if len(idx) != len(ivars) or not all(isinstance(x, tir.Var) and x.same_as(v)
                                             for x, v in zip(idx, ivars)):
            return True
    return False


def float_bits(value: Any) -> Any:
    """The integer expression of `T.reinterpret(float, bits)` (a float value the reader writes
    as those bits), else None."""
    value = value.value if isinstance(value, tir.Cast) and str(tir.dtype_of(value)) == \
        str(tir.dtype_of(value.value)) else value
    if tir.op_name(value) in ("tirx.reinterpret", "tir.reinterpret") \
            and str(tir.dtype_of(value)).startswith(("float", "bfloat")):
        (bits,) = value.args
        return bits
    return None


def _element_value(store: Any) -> bool:
    """Whether the reader can write the stored value: an integer (converted to its float32
    on chip), or a float given as its bits by a reinterpret of the block's own width."""
    dtype = str(store.buffer.dtype)
    if dtype.startswith(("int", "uint")):
        return True
    bits = float_bits(store.value)
    return bits is not None and str(tir.dtype_of(store.value)) == dtype \
        and dtype in ("float16", "bfloat16", "float32")


def read_elements(body: Any) -> Any:
    """See the module docstring."""
    sources = _sources(body)
    made: list = []

    def visit(s: Any) -> Any:
        if not (isinstance(s, tir.For) and s.kind == tir.ForKind.PARALLEL):
            return s
        nest, inner = parallel_nest(s)
        if not isinstance(inner, tir.BufferStore) or len(inner.buffer.shape) != 2 \
                or not covers_block(nest, inner) or not _element_value(inner):
            return s
        ivars = [v for v, _ in nest]
        loads = tir.collect(inner.value, tir.TensorLoad)
        if not loads or not _needs_elements(inner.value, ivars) \
                or any(x.source not in sources for x in loads):
            return s
        tensors = {sources[x.source][0] for x in loads}
        if len(tensors) != 1:
            return s
        (tensor,) = tensors
        if len(tensor.shape) > 2 and any(tir.as_int(d) is None for d in tensor.shape):
            return s  # its matrices' strides would be runtime values (refused at the copy)

        def on_tensor(x: Any) -> Any:
            _, mins, extents = sources[x.source]
            return tir.load(tensor, _on_tensor(mins, extents, list(x.indices)))

        value = tir.rewrite(inner.value, on_tensor, types=tir.TensorLoad)
        zeros = [tir.const(0, "int32")] * 2
        _, mins, extents = sources[loads[0].source]
        shape = [tir.const(1, "int32")] * len(mins)  # the block's dims take the nest's extents
        for d, (_, n) in zip(_block_dims(extents, 2), nest):
            shape[d] = tir.const(n, "int32")
        copy = tir.call_intrin("handle", "tl.tileop.copy",
                               tir.make_region(tensor, mins, shape, tir.ACCESS_READ),
                               tir.make_region(inner.buffer, zeros,
                                               [tir.const(n, "int32") for _, n in nest],
                                               tir.ACCESS_WRITE),
                               tir.StringImm(MARK), value, ivars[0], ivars[1])
        made.extend(x.source for x in loads)
        return tir.evaluate(copy)

    body = tir.rewrite(body, visit, types=tir.For)
    body = _drop_dead_copies(body, made) if made else body
    return _integer_reads(body) if len(exponent_families(body)) > 1 else body


def tensor_element_blocks(body: Any) -> Any:
    """`for i in T.Parallel(bm): v[i] = X[by]` (or a 2-D nest): an on-chip block every element
    of which is one element of a tensor, picked by indices free of the nest's variables
    (attention sinks: a head's value broadcast over the block's rows). It becomes a marked
    copy the reader fills from that element's bits (same dtype: nothing to convert)."""
    def visit(s: Any) -> Any:
        if not (isinstance(s, tir.For) and s.kind == tir.ForKind.PARALLEL):
            return s
        nest, inner = parallel_nest(s)
        if not isinstance(inner, tir.BufferStore) or not covers_block(nest, inner) \
                or tir.scope_of(inner.buffer) not in ON_CHIP or len(nest) > 2:
            return s
        value = inner.value
        if not isinstance(value, tir.TensorLoad) or tir.scope_of(value.source) != "global" \
                or str(value.source.dtype) != str(inner.buffer.dtype) \
                or str(inner.buffer.dtype) not in ("float32", "float16", "bfloat16"):
            return s
        ivars = [v for v, _ in nest]
        if any(tir.find(x, lambda v: any(v.same_as(w) for w in ivars), types=tir.Var) is not None
               for x in value.indices):
            return s
        tensor = value.source
        if len(tensor.shape) > 2:  # the reader addresses an element by (row, column) of a matrix
            return s
        ones = [tir.const(1, "int32")] * len(value.indices)
        zeros = [tir.const(0, "int32")] * len(nest)
        shape = [tir.const(n, "int32") for _, n in nest]
        j = ivars[1] if len(ivars) == 2 else tir.make_var("j")
        copy = tir.call_intrin("handle", "tl.tileop.copy",
                               tir.make_region(tensor, list(value.indices), ones, tir.ACCESS_READ),
                               tir.make_region(inner.buffer, zeros, shape, tir.ACCESS_WRITE),
                               tir.StringImm(MARK), value, ivars[0], j)
        return tir.evaluate(copy)

    return tir.rewrite(body, visit, types=tir.For)


def _integer_reads(body: Any) -> Any:
    """Whole-block copies of integer tensors into integer blocks, as element reads (a kernel
    whose data mixes exponent families: see the module docstring)."""
    def visit(s: Any) -> Any:
        call = s.value
        if not (tir.is_call(call, "tl.tileop.copy") and len(call.args) == 2):
            return s
        src, dst = (tir.decode_region(r) for r in call.args)
        if tir.scope_of(src.buffer) != "global" or tir.scope_of(dst.buffer) not in ON_CHIP \
                or str(src.buffer.dtype) not in dtypes.INTEGER_DTYPES \
                or str(dst.buffer.dtype) not in dtypes.INTEGER_DTYPES \
                or len(dst.buffer.shape) != 2 or len(src.mins) != 2 \
                or any(tir.as_int(m) != 0 for m in dst.mins) \
                or [tir.as_int(e) for e in dst.extents] != [tir.as_int(d) for d in dst.buffer.shape]:
            return s
        i, j = tir.make_var("i"), tir.make_var("j")
        value = tir.load(src.buffer, [src.mins[0] + i, src.mins[1] + j])
        return tir.evaluate(tir.call_intrin("handle", "tl.tileop.copy", call.args[0], call.args[1],
                                            tir.StringImm(MARK), value, i, j))

    return tir.rewrite(body, visit, types=tir.Evaluate)


def _drop_dead_copies(body: Any, fed: list) -> Any:
    """The copies into the blocks that only fed element reads, and then into their own
    sources (the chain back to the tensor), once nothing reads them."""
    writer = {tir.decode_region(c.args[1]).buffer: tir.decode_region(c.args[0]).buffer
              for c in _copies(body)}
    chain: list = []
    for buf in fed:
        while buf is not None and tir.scope_of(buf) in ON_CHIP and buf not in chain:
            chain.append(buf)
            buf = writer.get(buf)
    for _ in range(len(chain)):
        read = set(reads_on_chip(body)) | {tir.decode_region(c.args[0]).buffer
                                            for c in _copies(body)}  # copies to tensors too
        dead = [b for b in chain if b not in read]
        if not dead:
            return body

        def visit(s: Any, dead: list = dead) -> Any:
            call = s.value if isinstance(s, tir.Evaluate) else None
            if call is not None and tir.is_call(call, "tl.tileop.copy") and len(call.args) == 2 \
                    and tir.decode_region(call.args[1]).buffer in dead:
                return tir.evaluate(tir.const(0, "int32"))
            return s

        body = tir.rewrite(body, visit, types=tir.Evaluate)
        chain = [b for b in chain if b not in dead]
    return body
