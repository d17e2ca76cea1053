"""lower_tt_tile_intrinsics: TileLang tile ops become TT tile intrinsics on CBs.

Requires: `lower_shared_to_cb` (CB indices in `tt.cbs`), `grid_to_core_grid` (uint32
block variables), `tt.buffers`, `tt.work`.
Rewrites (each intrinsic is `call_extern("tt.<name>", ...)`, internal to tt-passes):

    T.copy(A[r, c], A_s)            -> tt.copy_in(cb, "A", row0, col0, h, w, guard_r, guard_c)
    T.copy(C_l, C[r, c])            -> tt.copy_out(cb, "C", row0, col0, h, w, guard_r, guard_c)
    T.clear(C_l) / T.fill(C_l, 0)   -> tt.acc_clear(cb)
    T.gemm(A_s, B_s, C_l[, transpose_B]) -> tt.matmul_block(cbA, cbB, cbC, mt, nt, kt, transpose_B)
    T.Parallel: C[i, j] = X[i, j] (+|-|*) Y[i, j] -> tt.binary_block("add"|"sub"|"mul", cbX, cbY, cbC, h, w)
    T.Parallel: C[i, j] = T.max(C[i, j], 0)      -> tt.unary_block("relu", cbC, h, w)
    T.Parallel: C[i, j] = <any other tree>       -> tt.expr_block(<tree>, cbC, h, w, in0..in7)
    T.reduce_sum/max(X, S, dim)      -> tt.reduce_block("sum"|"max", "row"|"col", cbX, cbScaler,
                                                         cbS, h, w)   (dim 1: row, 0: col)
    (once, at the top of the kernel, per reduced source) -> tt.scaler_fill(cbScaler)
    T.copy marked "im2col" / "elements" (canonicalize) -> tt.im2col_in(...) / tt.elements_in(
                                        cb, "B", h, w, scratch, value, i, j): reader-made blocks
    T.Parallel of an index mask or an index value -> tt.index_block(cb, cond, i, j, yes, no, h, w)
    T.print(value, msg)              -> tt.print("msg", value)   (the reader prints)

An expression tree (tt_passes._expr) has tile leaves `$k` (the k-th input CB; the 8
input slots are padded with the first) and `acc` (C itself: a gemm accumulator, or a
block an earlier T.Parallel wrote), + - * / max min of tiles or with float constants,
and exp/exp2/log/sqrt/rsqrt/abs/sigmoid/tanh/negation/relu, and broadcasts: a vector
CB (`reduced` row: a (bm, 1) / (bm,) buffer indexed [i, 0] / [i], values in tile column 0;
`reduced` col: (1, bn) / (bn,) indexed [0, j], row 0), an input or a reduction's on-chip
intermediate, is the right operand of `sub_col` / `add_row` / ... (tt_passes._expr) next
to a CB leaf. Its DST registers per
tile (`slots`) shrink C's DST sub-block (`unit`) so that it fits: unit x slots <= DST
for an elementwise output; unit + slots - 1 <= DST for an accumulator, whose tiles
stay in DST (an accumulator that held its whole block across K is restreamed by the
smaller sub-block; with partials, the partials CB follows).

row0/col0 are uint32 tile coordinates of the block in the tensor's tile grid (the
TileLang element offsets divided by 32); h, w the block's tiles; guard_r/guard_c are
1 when some block reaches past the tensor's last tile row/column (partial blocks),
so that readers zero-fill and writers skip those tiles. Serial loops get uint32
variables (their `num_stages` annotations have been read by propagate_tt_layout and
are dropped); `tt.source_line` attrs become `tt.comment` attrs "kernel.py:N  <op>".
Restream: an accumulator CB marked `restream = [sh, sw]` by lower_shared_to_cb (its
block exceeds DST and K has several blocks) has its block program wrapped in
sub-block loops `si`, `sj`, with every intrinsic narrowed to the sub-block (A copies
to sh tile rows, B copies to sw tile columns, gemm/epilogue/store to sh x sw), and
the A, B and accumulator CB records shrink to those blocks: each sub-block then
accumulates over all of K inside DST.
A reduced output CB (`reduced` row/col) is copied out with its logical extents: (bm, 1)
at column 0 of an (M, 32) tensor (a row reduction's values are in tile column 0), or
(bn,) / (1, bn) at row 0 of a (32, N) tensor; the writer writes whole tiles (the other
columns/rows are zero: reduce_init's packer masks).
Refuses (naming the op and the line): T.reduce_min/abssum/absmax, reductions of non-2-D
blocks, clear=False, and other tile ops; copies that move
part of an on-chip buffer or are not 2-D; offsets that are not affine multiples of
32; fills with a non-zero value; T.Parallel ops outside the tree's op set (named), operands
that are not [i, j] loads of same-shape shared/fragment blocks loaded from tensors, an
output read before it is written, broadcast operands indexed otherwise, read from an
output CB, or not next to a CB leaf, the accumulator read more than once, more than 8
input tiles, and a tree whose one tile needs more DST registers than DST holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tt_ir import tir
from tt_passes import _build as B
from tt_passes import _expr, _meta, _sizes
from tt_passes._base import TTPass, kernel_func, with_kernel_body
from tt_passes._canon_elements import is_elements, value_of
from tt_passes._canon_im2col import is_im2col, params
from tt_passes._canon_masks import constant_value, index_select
from tt_passes._canon_versions import reads_on_chip
from tt_passes.grid_to_core_grid import NAMES, block_vars
from tt_passes.insert_dst_management import choose_subblock

TILE = 32
TILE_OP_NAMES = {"tl.tileop.copy": "T.copy", "tl.tileop.gemm": "T.gemm",
                 "tl.tileop.fill": "T.fill", "tl.tileop.reduce": "T.reduce"}


# --- decide: affine tile offsets ---------------------------------------------------
def affine(expr: Any) -> tuple[list, int] | None:
    """expr = sum(coef * var) + const, as ([(var, coef)], const); None if not affine."""
    if isinstance(expr, tir.Cast):
        return affine(expr.value)
    if isinstance(expr, tir.IntImm):
        return [], int(expr.value)
    if isinstance(expr, tir.Var):
        return [(expr, 1)], 0
    kind = type(expr).__name__
    if kind in ("Add", "Sub"):
        a, b = affine(expr.a), affine(expr.b)
        if a is None or b is None:
            return None
        sign = 1 if kind == "Add" else -1
        return a[0] + [(v, sign * c) for v, c in b[0]], a[1] + sign * b[1]
    if kind == "Mul":
        a, b = affine(expr.a), affine(expr.b)
        if a is None or b is None:
            return None
        if not b[0]:
            return [(v, c * b[1]) for v, c in a[0]], a[1] * b[1]
        if not a[0]:
            return [(v, c * a[1]) for v, c in b[0]], a[1] * b[1]
    if kind in ("FloorDiv", "Div") and isinstance(expr.b, tir.IntImm) and int(expr.b.value) > 0 \
            and affine(expr.a) is not None:
        terms, const = affine(expr.a)
        d = int(expr.b.value)
        if const % d == 0 and all(c % d == 0 for _, c in terms):  # `k * 128 // 2` is k * 64
            return [(v, c // d) for v, c in terms], const // d
        return [(expr, 1)], 0  # an integer atom (GQA's KV head `by // groups`)
    if kind in ("FloorMod", "Mod") and isinstance(expr.b, tir.IntImm) and int(expr.b.value) > 0 \
            and affine(expr.a) is not None:
        return [(expr, 1)], 0  # an integer atom (a head folded with the batch: `bz % heads`)
    return None


def tile_offset(terms: list, const: int, vmap: dict) -> Any:
    """The uint32 tile coordinate sum(coef/32 * var) + const/32 (negative coefficients,
    as in `(n - 1 - k) * bk`, are subtracted: the sum is in range, uint32 wraps exactly).
    A term may be an integer atom (`by // 2`) instead of a variable."""
    pos = [B.mul(_mapped(v, vmap), c // TILE) for v, c in terms if c > 0]
    neg = [B.mul(_mapped(v, vmap), -c // TILE) for v, c in terms if c < 0]
    total = B.add(*pos, const // TILE)
    return total - B.add(*neg) if neg else total


def _mapped(v: Any, vmap: dict) -> Any:
    if not isinstance(v, tir.Var):  # an atom: its variables mapped, as uint32
        return tir.cast(B.U32, tir.substitute(v, vmap))
    for old, new in vmap.items():
        if old.same_as(v):
            return new
    return v


def _top(v: Any, extents: dict) -> int | None:
    """The largest value of a variable or an atom `x // d`, `x % d` over the variables' ranges."""
    if isinstance(v, tir.Var):
        ext = next((e for k, e in extents.items() if k.same_as(v)), None)
        return None if ext is None else ext - 1
    terms, const = affine(v.a)
    tops = [_top(x, extents) for x, _ in terms]
    d = int(v.b.value)
    if type(v).__name__ in ("FloorMod", "Mod"):  # x % d < d, and <= x when x >= 0
        high = None if any(t is None for t in tops) else \
            const + sum(c * t for (_, c), t in zip(terms, tops) if c > 0)
        return d - 1 if high is None else min(d - 1, high)
    if any(t is None for t in tops):
        return None
    return (const + sum(c * t for (_, c), t in zip(terms, tops) if c > 0)) // d


def max_offset(terms: list, const: int, extents: dict) -> int | None:
    """Largest tile coordinate over the variables' ranges (None if unbounded)."""
    total = const // TILE
    for v, c in terms:
        top = _top(v, extents)
        if top is None:
            return None
        total += (c // TILE) * top if c > 0 else 0
    return total


def fits_sizes(terms: list, const: int, block: int, tiles: Any, extents: dict, sizes: dict) -> bool:
    """Whether a block of `block` tiles at tile offset sum(c/32 * v) + const/32 stays inside
    `tiles` (a monomial of runtime-size units) for every size: with the variables' extents ints
    or monomials (`sizes`), `tiles - top - block` is a polynomial in units >= 1 that is never
    negative when its non-constant coefficients are not and its value at all units 1 is not."""
    poly: dict = {}

    def add(mono: tuple, coef: int) -> None:
        poly[mono[1]] = poly.get(mono[1], 0) + coef * mono[0]

    add(_sizes.mono(tiles), 1)
    add((const // TILE + block, ()), -1)
    for v, c in terms:
        if c <= 0:
            continue
        ext = next((e for k, e in extents.items() if k.same_as(v)), None)
        if ext is None:
            ext = next((e for k, e in sizes.items() if k.same_as(v)), None)
        if ext is None:
            return False
        add(_sizes.mono(ext), -(c // TILE))   # top of v is ext - 1
        add((c // TILE, ()), 1)
    if any(coef < 0 for units, coef in poly.items() if units):
        return False
    return sum(poly.values()) >= 0


# --- rewrite -----------------------------------------------------------------------
@dataclass
class _Lowering:
    """State of one rewrite: CBs, tensors, loop-variable map and extents."""

    owner: Any
    cbs: dict
    buffers: dict
    extents: dict
    vmap: dict = field(default_factory=dict)
    expr_slots: dict = field(default_factory=dict)  # out CB -> DST slots per tile
    expr_text: dict = field(default_factory=dict)   # out CB -> (T.Parallel text, line)
    produced: set = field(default_factory=set)      # non-accumulator CBs written so far
    scalers: dict = field(default_factory=dict)     # scaler CB index -> CB (reductions)
    depth: int = 0                                  # serial loops around the current op
    units: set = field(default_factory=set)         # runtime-size units (T.dynamic)
    size_extents: dict = field(default_factory=dict)  # var -> monomial trip count of units
    first_depth: dict = field(default_factory=dict)  # intermediate CB -> depth of its first write
    finalized: set = field(default_factory=set)      # on-chip accumulators packed to their CB

    def stmt(self, s: Any, line: str | None = None) -> Any:
        if isinstance(s, tir.SeqStmt):
            out, items, k = [], list(s.seq), 0
            while k < len(items):
                out += self.finalize(items[k])
                fused = self.copy_then_gemm(items[k], items[k + 1]) if k + 1 < len(items) else None
                if fused is not None:
                    out.append(fused)
                    k += 2
                    continue
                rescaled = self.rewrite_then_gemm(items, k, line)
                if rescaled is not None:
                    stmts, k = rescaled
                    out += stmts
                    continue
                out.append(self.stmt(items[k], line))
                k += 1
            return B.seq(*out)
        if isinstance(s, tir.AttrStmt):
            return self.attr(s, line)
        if isinstance(s, tir.For):
            return self.loop(s, line)
        if isinstance(s, tir.Evaluate):
            return self.evaluate(s, line)
        if isinstance(s, tir.IfThenElse):
            raise self.fail("data-dependent `if` in a kernel body is not supported yet",
                            "if", line,
                            hint="compute both outcomes and select on tiles inside T.Parallel "
                                 "(`T.if_then_else(cond, a, b)`), or make the condition an index "
                                 "condition (affine in the block indices and loop variables)")
        if isinstance(s, tir.BufferStore) and tir.scope_of(s.buffer) in ("local", "local.var") \
                and [tir.as_int(d) for d in s.buffer.shape] in ([1], []):
            raise self.fail(f"scalar variable '{s.buffer.name}' is written where its value cannot "
                            "be known when compiling: a scalar is forwarded into the code that "
                            "reads it only when it is written once before its uses (per loop "
                            "trip, for one declared in the loop); one carried across loop trips "
                            "or written from tile data has no Tenstorrent form here",
                            f"store to '{s.buffer.name}'", line,
                            hint="compute it from the block indices and loop variables where it "
                                 "is used (`start = k * bk` inside the loop), or keep the value "
                                 "in a block and use T.Parallel / T.reduce_*")
        if isinstance(s, tir.BufferStore):
            raise self.fail("element stores outside T.Parallel are not supported",
                            f"store to '{s.buffer.name}'", line,
                            hint="store whole blocks: a T.Parallel nest over the block, or "
                                 "T.fill / T.copy")
        return s  # Bind, AllocBuffer

    def attr(self, s: Any, line: str | None) -> Any:
        here = tir.source_line_of(s)
        if here is None:
            return s.with_body(self.stmt(s.body, line)) if hasattr(s, "with_body") else \
                tir.AttrStmt(s.node, s.attr_key, s.value, self.stmt(s.body, line))
        return self.stmt(s.body, here)

    def loop(self, s: Any, line: str | None) -> Any:
        if s.kind == tir.ForKind.PARALLEL:
            return self.parallel(s, line)
        n = tir.as_int(s.extent)
        size = _sizes.of_expr(s.extent) if n is None else None
        if size is not None and size[1] and set(size[1]) <= self.units:
            n = B.as_expr(_sizes.expr(size))  # a trip count of runtime sizes (K / block_K)
        elif n is None:  # the persistent block loop
            return tir.For(s.loop_var, s.min, s.extent, s.kind, self.stmt(s.body, line))
        new = B.var(str(s.loop_var.name))
        self.vmap[s.loop_var] = new
        if isinstance(n, int):
            self.extents[new] = n
        else:
            self.size_extents[new] = size
        body = tir.substitute(s.body, {s.loop_var: tir.Cast(tir.dtype_of(s.loop_var), new)})
        self.depth += 1
        inner = self.stmt(body, line)
        self.depth -= 1
        return tir.For(new, B.u32(0), B.as_expr(n), tir.ForKind.SERIAL, inner)

    def finalize(self, s: Any) -> list:
        """Before the first statement that reads a GEMM accumulator kept on chip (other than
        an epilogue rewriting it in place): `tt.pack_out(acc)` (its K loop is done: DST is
        packed to its CB, as for a stored accumulator) and `tt.cb_in(acc)` (readers wait)."""
        written = {str(x.buffer.name) for x in tir.collect(s, tir.BufferStore)}
        written |= {str(tir.decode_gemm(c).C.buffer.name) for c in tir.collect(s, tir.Call)
                    if tir.is_call(c, "tl.tileop.gemm")}  # its producer is inside `s`
        out = []
        for name in sorted({str(b.name) for b in reads_on_chip(s)}):
            cb = self.cbs.get(name)
            if cb is None or not cb.accumulator or cb.role != "intermediate" \
                    or name in written or cb.index in self.finalized:
                continue
            self.finalized.add(cb.index)
            self.produced.add(cb.index)
            out += [B.extern("tt.pack_out", cb.index), B.extern("tt.cb_in", cb.index)]
        return out

    def copy_then_gemm(self, first: Any, second: Any) -> Any | None:
        """`T.copy(X, C)` of a whole on-chip block then `T.gemm(A, B, C)` onto C kept in a
        CB (attention's mask, then Q @ K^T): one tt.matmul_onto starting from X."""
        (copy, _), (gemm, line) = _tile_call(first), _tile_call(second)
        if not (tir.is_call(copy, "tl.tileop.copy") and tir.is_call(gemm, "tl.tileop.gemm")):
            return None
        src, dst = (tir.decode_region(a) for a in copy.args[:2])
        c = self.cbs.get(str(tir.decode_gemm(gemm).C.buffer.name))
        x = self.cbs.get(str(src.buffer.name))
        if c is None or x is None or c.accumulator or str(dst.buffer.name) != c.name \
                or x.block != c.block or c.role != "intermediate" \
                or any(tir.as_int(m) != 0 for m in list(src.mins) + list(dst.mins)):
            return None
        if x.role != "input" and x.index not in self.produced:
            return None
        return self.gemm(gemm, line, init=x)

    def rewrite_then_gemm(self, items: list, k: int, line: str | None) -> tuple | None:
        """`C[i, j] = f(C[i, j], ...)` on a gemm target kept in a CB, tensor copies into other
        blocks, then `T.gemm(A, B, C)` (attention's `acc_o *= scale[i]`, V's copy, `P @ V`):
        the copies, then one tt.matmul_onto_expr computing f into DST and accumulating the
        products onto it (one pack of C instead of two). None when the pattern differs."""
        first = items[k]
        here = tir.source_line_of(first) if isinstance(first, tir.AttrStmt) else None
        nest = first.body if here is not None else first
        if not (isinstance(nest, tir.For) and nest.kind == tir.ForKind.PARALLEL):
            return None
        loops, store = [], nest
        while isinstance(store, tir.For) and store.kind == tir.ForKind.PARALLEL:
            loops.append(store)
            store = store.body
        c = self.cbs.get(str(store.buffer.name)) if isinstance(store, tir.BufferStore) else None
        ivars = [f.loop_var for f in loops]
        if c is None or c.accumulator or c.role != "intermediate" or c.index not in self.produced \
                or len(ivars) != 2 or not _same_vars(store.indices, ivars) \
                or [tir.as_int(f.extent) for f in loops] != [c.block[0] * TILE, c.block[1] * TILE]:
            return None
        j = k + 1
        while j < len(items) and _is_tensor_copy(items[j], c.name):
            j += 1
        gemm, gline = _tile_call(items[j]) if j < len(items) else (None, None)
        if not tir.is_call(gemm, "tl.tileop.gemm") or \
                str(tir.decode_gemm(gemm).C.buffer.name) != c.name:
            return None
        g = tir.decode_gemm(gemm)
        a, b = self.cbs.get(str(g.A.buffer.name)), self.cbs.get(str(g.B.buffer.name))
        if a is None or b is None or c.name in (a.name, b.name):
            return None
        inputs: list = []
        text = f"{c.name}[i, j] = {B.show(store.value)}"
        try:
            tree = _expr.from_tir(store.value, lambda ld: self.leaf(ld, c, ivars, inputs, text,
                                                                    here or line))
            _expr.check_acc(tree)
        except _expr.Unsupported:
            return None
        if tree.has_acc:
            return None
        moved = [self.stmt(items[m], line) for m in range(k + 1, j)]
        tree = _expr.unfuse_bcast(tree, lambda x, y: inputs[x].data_format == inputs[y].data_format)
        self.expr_slots[c.index] = max(self.expr_slots.get(c.index, 1), _expr.slots(tree))
        self.expr_text[c.index] = (text, here or line)
        mt, kt = a.block
        nt = b.block[0] if g.transpose_B else b.block[1]
        op = B.extern("tt.matmul_onto_expr", _expr.to_ir(tree), a.index, b.index, c.index, mt, nt, kt,
                      int(g.transpose_B), *[x.index for x in inputs])
        note = f"{text}; T.gemm({a.name}, {b.name}, {c.name}) (one DST pass)"
        return moved + [B.comment(_where(gline, note), self.produce(op, c))], j + 1

    def produce(self, op: Any, out: Any) -> Any:
        """`op` writing `out`, with the CB protocol of an on-chip (intermediate) value: its
        first write is followed by `tt.cb_in(out)` (compute waits before the first read and
        pops at the end of the sequence, like a block that arrived); a rewrite inside a
        deeper loop (loop-carried) reads the old block at the CB front, pushes the new one
        behind it, pops the old one and waits for the new one (now at the front)."""
        again = out.index in self.produced
        self.produced.add(out.index)
        if out.role != "intermediate":
            return op
        first = self.first_depth.setdefault(out.index, self.depth)
        if self.depth > first or again:  # the new block ends up at the front: reads wait for it
            n = out.block_tiles
            return B.seq(B.extern("cb_wait_front", out.index, n), op,
                         B.extern("cb_pop_front", out.index, n),
                         B.extern("cb_wait_front", out.index, n))
        return B.seq(op, B.extern("tt.cb_in", out.index))

    def evaluate(self, s: Any, line: str | None) -> Any:
        call = s.value
        name = tir.op_name(call)
        if name == "tl.tileop.copy":
            return self.copy(call, line)
        if name == "tl.tileop.gemm":
            return self.gemm(call, line)
        if name == "tl.tileop.fill":
            return self.fill(call, line)
        if name == "tl.tileop.reduce":
            return self.reduce(call, line)
        if name is not None and name.startswith("tl."):
            op = TILE_OP_NAMES.get(name, name)
            raise self.fail(f"tile op {op} is not supported by the TT pipeline yet", op, line,
                            hint="express it with the tile ops that are lowered: T.copy, T.gemm, "
                                 "T.fill / T.clear, T.reduce_*, T.transpose and T.Parallel nests")
        return s

    # -- copies
    def copy(self, call: Any, line: str | None) -> Any:
        src, dst = tir.decode_region(call.args[0]), tir.decode_region(call.args[1])
        text = f"T.copy({self.region_text(src)}, {self.region_text(dst)})"
        if str(dst.buffer.name) in self.cbs and tir.scope_of(src.buffer) == "global":
            cb = self.cbs[str(dst.buffer.name)]
            if cb.transpose is not None:  # a rank-1 tensor into a column vector
                return self.transposed_in(cb, src, dst, text, line)
            if is_im2col(call):
                text = f"T.im2col({src.buffer.name}, {dst.buffer.name})"
                return B.comment(_where(line, text), self.gather(call, cb, src, text, line))
            if is_elements(call):
                value, i, j = value_of(call)
                text = f"{dst.buffer.name}[{i.name}, {j.name}] = {B.show(value)}"
                return B.comment(_where(line, text), self.elements(call, cb, src))
            op = self.transfer("tt.copy_in", cb, src, dst, text, line)
        elif str(src.buffer.name) in self.cbs and tir.scope_of(dst.buffer) == "global":
            cb = self.cbs[str(src.buffer.name)]
            if cb.transpose is not None:  # a column vector out to a rank-1 tensor
                return self.transposed_out(cb, dst, src, text, line)
            op = self.transfer("tt.copy_out", cb, dst, src, text, line)
        elif str(src.buffer.name) in self.cbs and str(dst.buffer.name) in self.cbs:
            op = self.on_chip_copy(self.cbs[str(src.buffer.name)], self.cbs[str(dst.buffer.name)],
                                   src, dst, text, line)
        else:
            raise self.fail("only copies between a tensor and a shared/fragment buffer are "
                            "supported", text, line,
                            hint="copy a tensor region into a shared/fragment buffer, a buffer "
                                 "into a tensor region, or one whole buffer into another")
        return B.comment(_where(line, text), op)

    def gather(self, call: Any, cb: Any, img: Any, text: str, line: str | None) -> Any:
        """An im2col gather (`_canon_im2col`): tt.im2col_in with the block's first output
        pixel and first K column as tile coordinates, and the image's reader-local tile."""
        nhw, cstep, kernel, stride, dilation, pad = params(call)
        bm, bk = cb.block[0] * TILE, cb.block[1] * TILE
        coords = []
        for step, size in ((nhw, bm), (cstep, bk)):
            aff = affine(step)
            if aff is None:
                raise self.fail(f"block index `{B.show(step)}` is not affine in the block and "
                                "loop variables", text, line,
                                hint="index the block with sums of block indices and loop "
                                     "variables times constants (`bx * bm + k * bk`)")
            coords.append(tile_offset([(v, c * size) for v, c in aff[0]], aff[1] * size,
                                      self.vmap))
        name = str(img.buffer.name)
        scratch = next(c for c in self.cbs.values() if c.role == "scratch" and c.buffer == name)
        n, h, w, c = (tir.as_int(d) for d in img.buffer.shape)
        k, s, d, p = (tir.as_int(x) for x in (kernel, stride, dilation, pad))
        oh = (h + 2 * p - d * (k - 1) - 1) // s + 1
        ow = (w + 2 * p - d * (k - 1) - 1) // s + 1
        return B.extern("tt.im2col_in", cb.index, name, coords[0], coords[1], cb.block[0],
                        cb.block[1], scratch.index, n, h, w, c, k, s, d, p, oh, ow)

    def elements(self, call: Any, cb: Any, src: Any) -> Any:
        """A block the reader computes element by element (`_canon_elements`): tt.elements_in
        with the value over the tensor, its block and loop variables mapped to the reader's,
        and the tensor's reader-local tile."""
        value, i, j = value_of(call)
        value = tir.substitute(value, {old: tir.cast(tir.dtype_of(old), new)
                                       for old, new in self.vmap.items()})
        name = str(src.buffer.name)
        scratch = next(c for c in self.cbs.values() if c.role == "scratch" and c.buffer == name)
        return B.extern("tt.elements_in", cb.index, name, cb.block[0], cb.block[1],
                        scratch.index, value, i, j)

    def transposed_in(self, cb: Any, glob: Any, local: Any, text: str, line: str | None) -> Any:
        """The reader fills the row-0 partner CB; compute transposes it into `cb`."""
        partner = self.cbs[cb.transpose]
        move = self.transfer("tt.copy_in", partner, glob, local, text, line)
        op = B.extern("tt.transpose_block", partner.index, cb.index, cb.block[0], cb.block[1])
        return B.comment(_where(line, text), B.seq(move, self.produce(op, cb)))

    def transposed_out(self, cb: Any, glob: Any, local: Any, text: str,
                       line: str | None) -> Any:
        """Compute transposes `cb` (column 0 of each tile) into its row-0 partner CB, which
        the writer stores as a row of tiles."""
        partner = self.cbs[cb.transpose]
        if cb.index not in self.produced:
            raise self.fail(f"'{cb.name}' is copied out before anything was written to it",
                            text, line, hint=f"write '{cb.name}' first: T.copy into it, compute it in a T.Parallel nest, or give it a start value with T.fill / T.clear")
        move = self.transfer("tt.copy_out", partner, glob, local, text, line)
        op = B.extern("tt.transpose_block", cb.index, partner.index, partner.block[0],
                      partner.block[1])
        return B.comment(_where(line, text), B.seq(op, move))

    def fold_batches(self, glob: Any, text: str, line: str | None) -> list:
        """[row, col] of a rank-3/4 tensor region that takes one index of each leading dim but
        its row dim (`Q[bz, by, r:r + bm, :]`; with the tensor's `row_dim`, `Q[bz, r:r + bm,
        by, :]`): the tensor is stored as a stack of 2-D matrices, the leading dims other
        than the row dim folded in order, so row = ((b0 * D1) + b1) * R + r."""
        info = self.buffers[str(glob.buffer.name)]
        shape = [tir.as_int(d) for d in glob.buffer.shape]
        rank = len(shape)
        row_dim = info.row_dim if info.row_dim is not None else rank - 2
        lead = [d for d in range(rank - 1) if d != row_dim]
        extents = glob.static_extents
        if any(extents[d] != 1 for d in lead):
            raise self.fail(f"a copy of a rank-{rank} tensor must take one index of each "
                            f"leading dim but its rows (extents {extents})", text, line,
                            hint="copy one 2-D slice per block: T.copy(Q[bz, by, r:r + bm, :], Q_s)")
        if any(shape[d] is None for d in [row_dim, *lead]):
            raise self.fail(f"a rank-{rank} tensor whose row or leading dims are runtime sizes "
                            f"(shape {[str(d) for d in glob.buffer.shape]}) is not supported yet: "
                            "its matrices' strides would be runtime values", text, line,
                            hint="make those dims T.const sizes (an eager @tt_cli.jit kernel "
                                 "compiles each shape on its own), or fold the tensor to 2-D")
        row = glob.mins[row_dim]
        stride = shape[row_dim]
        for d in reversed(lead):
            row = row + glob.mins[d] * stride
            stride *= shape[d]
        return [row, glob.mins[-1]]

    def on_chip_copy(self, src: Any, dst: Any, sr: Any, dr: Any, text: str,
                     line: str | None) -> Any:
        """T.copy between two on-chip blocks (a dtype cast when their formats differ): the
        tiles go through DST (copy_tile, pack_tile) into the destination CB."""
        whole = all(tir.as_int(m) == 0 for m in list(sr.mins) + list(dr.mins))
        if not whole or src.block != dst.block:
            raise self.fail(f"an on-chip copy must move the whole block ('{src.name}' has "
                            f"{src.block} tiles, '{dst.name}' {dst.block})", text, line,
                            hint="copy whole shared/fragment buffers of one shape")
        if src.index not in self.produced and src.role != "input":
            raise self.fail(f"'{src.name}' is read before anything was written to it", text,
                            line, hint=f"write '{src.name}' first: T.copy into it, compute it in a T.Parallel nest, or give it a start value with T.fill / T.clear")
        self.expr_slots[dst.index] = max(self.expr_slots.get(dst.index, 1), 1)
        self.expr_text[dst.index] = (text, line)
        op = B.extern("tt.expr_block", _expr.to_ir(_expr.Node("in")), dst.index, dst.block[0], dst.block[1], src.index)
        return self.produce(op, dst)

    def transfer(self, name: str, cb: Any, glob: Any, local: Any, text: str,
                 line: str | None) -> Any:
        ext = glob.static_extents[-2:] if len(glob.extents) >= 2 else []
        row_dim = self.buffers[str(glob.buffer.name)].row_dim
        if row_dim is not None:  # rows from another dim (a [B, S, H, D] tensor's S)
            ext = [glob.static_extents[row_dim], glob.static_extents[-1]]
        glob_mins = list(glob.mins)
        if len(glob.mins) == 1:  # a rank-1 tensor: one row of tiles, values in row 0
            ext, glob_mins = [1, glob.static_extents[0]], [tir.const(0, "int32"), glob.mins[0]]
        elif len(glob.mins) > 2:  # leading dims index batches of 2-D tile matrices
            glob_mins = self.fold_batches(glob, text, line)
        whole = [cb.block[0] * TILE, cb.block[1] * TILE]
        if cb.reduced in ("row", "col"):  # the logical (bm, 1) / (1, bn) of a reduction
            whole = [whole[0], 1] if cb.reduced == "row" else [1, whole[1]]
        local_ext = [tir.as_int(e) for e in local.extents]
        if cb.reduced in ("row", "col"):
            local_ext = ([1] * (2 - len(local_ext)) + local_ext) if cb.reduced == "col" \
                else local_ext + [1] * (2 - len(local_ext))
        if local_ext != whole or any(tir.as_int(m) != 0 for m in local.mins):
            raise self.fail(f"the copy must move the whole of '{cb.name}'", text, line,
                            hint=f"copy all of '{cb.name}' (T.copy(A[r, c], {cb.name})); for a "
                                 "part of it, copy into a buffer of that part's shape")
        if len(glob_mins) != 2:
            raise self.fail(f"{len(glob_mins)}-D tensor copies are not supported yet "
                            "(rank 1 and 2 only)", text, line,
                            hint="index a rank-3/4 tensor's leading dims with block indices or "
                                 "loop variables (`Q[bz, by, r:r + bm, :]`) so that the copy "
                                 "moves a 2-D block")
        if ext != whole:
            hint = None
            if cb.reduced == "row":
                hint = (f"copy the ({whole[0]},) vector to a rank-1 (M,) tensor: T.copy(S, "
                        f"Out[by * bm]); or declare it ({whole[0]}, 1) and copy it to column 0 of "
                        "an (M, 32) tensor: T.copy(S, Out[by * bm, 0])")
            raise self.fail(f"copy extents {ext} differ from the block {whole}", text, line,
                            hint=hint)
        info = self.buffers[str(glob.buffer.name)]
        coords, guards = [], []
        for dim, m in enumerate(glob_mins):
            aff = affine(m)
            if aff is None or aff[1] % TILE or any(c % TILE for _, c in aff[0]):
                raise self.fail(f"offset `{B.show(m)}` is not an affine multiple of 32",
                                text, line, hint="index tensors with block-aligned offsets "
                                                 "like by * block_M")
            coords.append(tile_offset(aff[0], aff[1], self.vmap))
            if isinstance(info.tiles[dim], int):
                top = max_offset(aff[0], aff[1], self.extents)
                guards.append(int(top is None or top + cb.block[dim] > info.tiles[dim]))
            else:  # a runtime size: guarded unless no size can put the block past the edge
                guards.append(int(not fits_sizes(aff[0], aff[1], cb.block[dim], info.tiles[dim],
                                                 self.extents, self.size_extents)))
        return B.extern(name, cb.index, info.name, coords[0], coords[1], cb.block[0],
                        cb.block[1], guards[0], guards[1])

    # -- gemm and fill
    def gemm(self, call: Any, line: str | None, init: Any = None) -> Any:
        """T.gemm; `init`: the CB of an on-chip copy into C just before it (a mask), which
        the gemm then starts from instead (tt.matmul_onto)."""
        g = tir.decode_gemm(call)
        names = [str(r.buffer.name) for r in (g.A, g.B, g.C)]
        text = f"T.gemm({', '.join(names)}{', transpose_B=True' if g.transpose_B else ''})"
        if g.transpose_A:
            raise self.fail("T.gemm with transpose_A is not supported yet", text, line,
                            hint="store A as [M, K]")
        if any(n not in self.cbs for n in names):
            raise self.fail("T.gemm operands must be shared/fragment buffers", text, line,
                            hint="T.copy the operands into T.alloc_shared / T.alloc_fragment "
                                 "buffers first")
        a, b, c = (self.cbs[n] for n in names)
        mt, kt = a.block
        nt = b.block[0] if g.transpose_B else b.block[1]
        kb = b.block[1] if g.transpose_B else b.block[0]
        if kb != kt or c.block != [mt, nt]:
            raise self.fail(f"gemm shapes do not match: A {a.block}, B {b.block}, C {c.block} "
                            "tiles", text, line,
                            hint="A is (M, K), B (K, N) (or (N, K) with transpose_B=True) and "
                                 "C (M, N): make the blocks agree")
        if not c.accumulator:  # a value kept in a CB (rescaled between gemms, a mask)
            if init is None and c.index not in self.produced:
                raise self.fail(f"T.gemm accumulates onto '{c.name}' before anything was "
                                "written to it", text, line,
                                hint=f"T.clear({c.name}) before the loop, or pass clear_accum=True")
            start = init if init is not None else c
            op = B.extern("tt.matmul_onto", a.index, b.index, start.index, c.index, mt, nt, kt,
                          int(g.transpose_B))
            return B.comment(_where(line, text), self.produce(op, c))
        self.finalized.discard(c.index)  # accumulating again: packed at its next reader
        op = B.extern("tt.matmul_block", a.index, b.index, c.index, mt, nt, kt,
                      int(g.transpose_B))
        return B.comment(_where(line, text), op)

    def fill(self, call: Any, line: str | None) -> Any:
        region = tir.decode_region(call.args[0])
        name = str(region.buffer.name)
        value = call.args[1]
        text = f"T.fill({name}, {B.show(value)})"
        cb = self.cbs.get(name)
        if cb is not None and cb.accumulator and float(getattr(value, "value", 1)) == 0.0:
            return B.comment(_where(line, f"T.clear({name})"), B.extern("tt.acc_clear", cb.index))
        number = constant_value(value)
        if cb is None or cb.role != "intermediate" or number is None:
            raise self.fail("T.fill needs a shared/fragment buffer and a constant value",
                            text, line, hint="fill with a number such as 0, 1.0 or "
                                             "-T.infinity(dtype)")
        op = B.extern("tt.fill_block", cb.index, B.u32(_expr.fp32_bits(number)), cb.block[0],
                      cb.block[1])
        return B.comment(_where(line, text), self.produce(op, cb))

    # -- reductions
    def reduce(self, call: Any, line: str | None) -> Any:
        r = tir.decode_reduce(call)
        src_name, dst_name = str(r.src.buffer.name), str(r.dst.buffer.name)
        text = f"T.reduce_{r.kind}({src_name}, {dst_name}, dim={r.dim})"
        src, dst = self.cbs.get(src_name), self.cbs.get(dst_name)
        if src is None or dst is None or dst.reduced not in ("row", "col"):
            raise self.fail("T.reduce_* must read a shared/fragment block and write a "
                            "shared/fragment vector", text, line,
                            hint="reduce an on-chip (bm, bn) block into a fragment of the other "
                                 "dim: (bm,) for dim=1, (bn,) for dim=0")
        if src.role != "input" and src.index not in self.produced:
            raise self.fail(f"'{src_name}' is reduced before anything was written to it",
                            text, line, hint=f"write '{src_name}' first: T.copy into it, compute it in a T.Parallel nest, or give it a start value with T.fill / T.clear")
        h, w = src.block
        want = [h, 1] if r.dim == 1 else [1, w]
        if dst.block != want:
            raise self.fail(f"the output '{dst_name}' has {dst.block} tiles, reducing "
                            f"{src.block} over dim {r.dim} gives {want}", text, line,
                            hint="the output keeps the other dim: (bm, bn) over dim 1 gives "
                                 "(bm,), over dim 0 (bn,)")
        scaler = next(cb for cb in self.cbs.values() if cb.reduced == "scaler" and cb.of == src_name)
        self.scalers[scaler.index] = scaler
        op = B.extern("tt.reduce_block", r.kind, "row" if r.dim == 1 else "col", src.index,
                      scaler.index, dst.index, h, w)
        return B.comment(_where(line, text), self.produce(op, dst))

    # -- T.Parallel
    def parallel(self, s: Any, line: str | None) -> Any:
        loops, body = [], s
        while isinstance(body, tir.For) and body.kind == tir.ForKind.PARALLEL:
            loops.append(body)
            body = body.body
        exts = [tir.as_int(f.extent) for f in loops]
        head = f"for {', '.join(str(f.loop_var.name) for f in loops)} in " \
               f"T.Parallel({', '.join(B.show(f.extent) for f in loops)})"
        if isinstance(body, tir.Evaluate) and tir.is_call(body.value, "tl.atomic_add"):
            raise self.fail("T.atomic_add has no Tenstorrent equivalent (no atomics on DRAM); "
                            "it is lowered only as split-K, when the block's third grid axis is "
                            "used by the K loop alone", head, line,
                            hint="launch the K slices on the grid's z axis and use bz only in "
                                 "the K loop's copies (then the slices run on one core), or "
                                 "sum the slices in the kernel and T.copy the result")
        if not isinstance(body, tir.BufferStore):
            raise self.fail("a T.Parallel body must be one element assignment", head, line,
                            hint="give each assignment its own nest over the whole block; an "
                                 "`if` in a nest must test indices and store one element "
                                 "(with or without `else`)")
        text = f"{head}: {body.buffer.name}[{', '.join(B.show(i) for i in body.indices)}]" \
               f" = {B.show(body.value)}"
        out = self.cbs.get(str(body.buffer.name))
        ivars = [f.loop_var for f in loops]
        moved = _transposed_load(body, ivars, self.cbs)
        if out is not None and moved is not None and len(ivars) == 2:  # Y[i, j] = X[j, i], Y[j, i] = X[i, j]
            src = self.cbs[str(moved.source.name)]
            if src.block != [out.block[1], out.block[0]] or (
                    src.role == "intermediate" and src.index not in self.produced):
                raise self.fail(f"transposing '{src.name}' ({src.block} tiles) into "
                                f"'{out.name}' ({out.block} tiles) needs the swapped shape",
                                text, line, hint="transpose a whole block into one of the "
                                                 "transposed shape")
            op = B.extern("tt.transpose_block", src.index, out.index, out.block[0], out.block[1])
            return B.comment(_where(line, text), self.produce(op, out))
        picked = index_select(body.value, ivars) if out is not None else None
        if picked is not None and out.role == "input":  # a mask: the reader generates it
            cond, a, b = picked
            self.produced.add(out.index)
            op = B.extern("tt.index_block", out.index, tir.const(True, "bool") if cond is None
                          else cond, ivars[0], ivars[1], _index_value(a), _index_value(b),
                          out.block[0], out.block[1])
            return B.comment(_where(line, text), op)
        if out is not None and _is_vector_nest(out, exts, body.indices, ivars):
            op = self.elementwise(body, out, ivars, text, line)
            return B.comment(_where(line, text), op)
        if out is None or len(loops) != 2 or exts != [out.block[0] * TILE, out.block[1] * TILE] \
                or not _same_vars(body.indices, ivars):
            raise self.fail("T.Parallel must cover a whole shared/fragment block, "
                            "indexed [i, j]", text, line,
                            hint="loop over the whole block (`for i, j in T.Parallel(bm, bn)` "
                                 "storing [i, j], a vector [i]); for part of it, guard the store "
                                 "with an index condition (`if i < n:`)")
        op = self.elementwise(body, out, ivars, text, line)
        return B.comment(_where(line, text), op)

    def elementwise(self, store: Any, out: Any, ivars: list, text: str, line: str | None) -> Any:
        inputs: list = []

        def leaf(load: Any) -> Any:
            return self.leaf(load, out, ivars, inputs, text, line)

        try:
            tree = _expr.from_tir(store.value, leaf)
            _expr.check_acc(tree)
        except _expr.Unsupported as e:
            hint = ("write the mask alone over the whole block, choosing between constants "
                    "on affine index comparisons (`S[i, j] = T.if_then_else(bx * bm + i >= "
                    "k * bn + j, 0, -T.infinity(dtype))`), or make the sizes multiples of the "
                    "block so that it holds everywhere (it is then dropped); a select on tile "
                    "values compares them (`T.if_then_else(x[i, j] > y[i, j], a, b)`, joined "
                    "by & | ~) and picks finite values"
                    if "if_then_else" in e.why else e.hint or _expr.SUPPORTED)
            raise self.fail(f"{e.why}: `{B.show(e.expr) if e.expr is not None else B.show(store.value)}`"
                            " is not supported in T.Parallel", text, line, hint=hint) from None
        if out.role == "intermediate":
            return self.produce(self.expr_op(tree, out, inputs, text, line), out)
        if not tree.has_acc:
            self.produced.add(out.index)
        if _expr.is_fpu(tree) and tree.args[0].index != tree.args[1].index:
            x, y = (inputs[a.index] for a in tree.args)
            return B.extern("tt.binary_block", tree.op, x.index, y.index, out.index,
                            out.block[0], out.block[1])
        if tree == _expr.Node("relu", (_expr.Node("acc"),)):
            return B.extern("tt.unary_block", "relu", out.index, out.block[0], out.block[1])
        return self.expr_op(tree, out, inputs, text, line)

    def expr_op(self, tree: Any, out: Any, inputs: list, text: str, line: str | None) -> Any:
        tree = _expr.unfuse_bcast(
            tree, lambda a, b: inputs[a].data_format == inputs[b].data_format)
        self.expr_slots[out.index] = max(self.expr_slots.get(out.index, 1), _expr.slots(tree))
        self.expr_text[out.index] = (text, line)
        cbs = [cb.index for cb in inputs]
        return B.extern("tt.expr_block", _expr.to_ir(tree), out.index, out.block[0], out.block[1], *cbs)

    def leaf(self, load: Any, out: Any, ivars: list, inputs: list, text: str,
             line: str | None) -> Any:
        """A tile operand: `acc` (the accumulator itself) or `$k` (an input CB)."""
        name = str(load.source.name)
        cb = self.cbs.get(name)
        if cb is not None and len(ivars) == 1 and cb.reduced == out.reduced \
                and out.reduced in ("row", "col"):
            return self.vector_in_vector(load, cb, out, ivars, inputs, text, line)
        if cb is not None and cb.reduced in ("row", "col"):
            return self.vector_leaf(load, cb, out, ivars, inputs, text, line)
        if cb is None or not _same_vars(load.indices, ivars):
            raise self.fail(f"operand `{B.show(load)}` must be a shared/fragment buffer "
                            "indexed [i, j]", text, line,
                            hint="read each operand at the nest's own element ([i, j]; a vector "
                                 "at [i] or [j]); a tensor is read directly when indexed "
                                 "`base + i`, `base + j`")
        if cb.block != out.block:
            raise self.fail(f"operand '{name}' has {cb.block} tiles, the output "
                            f"'{out.name}' {out.block}", text, line,
                            hint="elementwise operands must have the output's shape")
        if cb.name == out.name and out.role == "intermediate":
            return self.in_leaf(cb, inputs, text, line)  # the old block, at the CB front
        if cb.name == out.name:
            if not out.accumulator and out.index not in self.produced:
                raise self.fail(f"'{name}' is read before anything was written to it",
                                text, line, hint="compute it first (T.gemm or T.Parallel)")
            return _expr.Node("acc")
        if cb.role == "output":
            raise self.fail(f"operand '{name}' is copied to a tensor by the writer and cannot "
                            "be read on chip", text, line,
                            hint="compute into a fragment, read that on chip, and T.copy it to "
                                 "the tensor at the end")
        return self.in_leaf(cb, inputs, text, line)

    def in_leaf(self, cb: Any, inputs: list, text: str, line: str | None) -> Any:
        if cb.role == "intermediate" and cb.index not in self.produced:
            raise self.fail(f"'{cb.name}' is read before anything was written to it",
                            text, line, hint=f"write '{cb.name}' first: T.copy into it, compute it in a T.Parallel nest, or give it a start value with T.fill / T.clear")
        if cb not in inputs:
            inputs.append(cb)
        return _expr.Node("in", index=inputs.index(cb))

    def vector_in_vector(self, load: Any, cb: Any, out: Any, ivars: list, inputs: list,
                         text: str, line: str | None) -> Any:
        """A vector read elementwise by a T.Parallel over vectors (`s[i]` in `for i in
        T.Parallel(bm): r[i] = T.rsqrt(s[i])`): one tile per 32 values, in column 0 (a
        column vector) or row 0 (a row vector), as the output lies."""
        if not _vector_index(load.indices, ivars[0], out.reduced) or cb.block != out.block:
            n = max(out.block) * TILE
            raise self.fail(f"vector operand `{B.show(load)}` must be indexed [{ivars[0].name}] "
                            f"and have the output's {n} values", text, line,
                            hint=f"read the vectors of a nest over ({n},) at [{ivars[0].name}], "
                                 f"each holding {n} values")
        if cb.role == "output" and cb.index not in self.produced:
            raise self.fail(f"'{cb.name}' is read before anything was written to it", text, line,
                            hint=f"write '{cb.name}' first: T.copy into it, compute it in a T.Parallel nest, or give it a start value with T.fill / T.clear")
        if cb.role == "output":
            raise self.fail(f"operand '{cb.name}' is copied to a tensor by the writer and cannot "
                            "be read on chip", text, line,
                            hint="compute into a fragment, read that on chip, and T.copy it to "
                                 "the tensor at the end")
        return self.in_leaf(cb, inputs, text, line)

    def vector_leaf(self, load: Any, cb: Any, out: Any, ivars: list, inputs: list,
                    text: str, line: str | None) -> Any:
        """A vector operand broadcast over the block: a (bm, 1) / (bm,) buffer indexed [i, 0]
        / [i] (values in tile column 0: `vcol`), or a (1, bn) / (bn,) one indexed [0, j] / [j]
        (row 0: `vrow`)."""
        name = str(load.source.name)
        col = cb.reduced == "row"  # a row reduction's values: one per row, in column 0
        var, dim = (ivars[0], 0) if col else (ivars[1], 1)
        idx = list(load.indices)
        want = f"{name}[{var.name}, 0]" if col else f"{name}[0, {var.name}]"
        ok = (len(idx) == 1 and isinstance(idx[0], tir.Var) and idx[0].same_as(var)) or (
            len(idx) == 2 and isinstance(idx[dim], tir.Var) and idx[dim].same_as(var)
            and tir.as_int(idx[1 - dim]) == 0)
        if not ok:
            raise self.fail(f"vector operand `{B.show(load)}` must be indexed `{want}` "
                            f"(broadcast {'along rows' if col else 'down columns'})", text, line,
                            hint=f"a {'(bm,) / (bm, 1)' if col else '(bn,) / (1, bn)'} vector "
                                 f"follows the {'row' if col else 'column'} variable "
                                 f"`{var.name}` of the nest")
        if cb.block[dim] != out.block[dim]:
            raise self.fail(f"vector operand '{name}' has {cb.block} tiles, the output "
                            f"'{out.name}' {out.block}", text, line,
                            hint="a broadcast operand spans the block's rows (bm, 1) or "
                                 "columns (1, bn)")
        if cb.role == "intermediate" and cb.index not in self.produced:
            raise self.fail(f"'{name}' is read before anything was written to it", text, line,
                            hint=f"write '{name}' first: T.copy into it, compute it in a T.Parallel nest, or give it a start value with T.fill / T.clear")
        if cb.role == "output":
            raise self.fail(f"vector operand '{name}' is copied to a tensor and read on chip; "
                            "reading an output CB is not supported", text, line,
                            hint="use the reduction on chip only, or compute it twice")
        if cb not in inputs:
            inputs.append(cb)
        return _expr.Node("vcol" if col else "vrow", index=inputs.index(cb))

    # -- helpers
    def region_text(self, r: Any) -> str:
        name = str(r.buffer.name)
        if name in self.cbs and all(tir.as_int(m) == 0 for m in r.mins):
            return name
        return f"{name}[{', '.join(B.show(m) for m in r.mins)}]"

    def fail(self, message: str, op: str, line: str | None, *, hint: str) -> Any:
        """A refusal naming the op, its kernel line and a hint for this reason."""
        return self.owner.error(message, obj=f"op `{op}`", source_line=line, hint=hint)


def _transposed_load(store: Any, ivars: list, cbs: dict) -> Any | None:
    """The load X[j, i] when `store` is exactly `Y[i, j] = X[j, i]` (or `Y[j, i] = X[i, j]`)
    of on-chip blocks."""
    value = store.value.value if isinstance(store.value, tir.Cast) else store.value
    if len(ivars) != 2 or not isinstance(value, tir.TensorLoad) or str(value.source.name) not in cbs:
        return None
    for order in (ivars, ivars[::-1]):
        if _same_vars(store.indices, order) and _same_vars(value.indices, order[::-1]):
            return value
    return None


def _is_tensor_copy(s: Any, avoid: str) -> bool:
    """Whether `s` is a T.copy from a tensor into an on-chip block other than `avoid`."""
    call, _ = _tile_call(s)
    if not tir.is_call(call, "tl.tileop.copy"):
        return False
    src, dst = (tir.decode_region(x).buffer for x in call.args[:2])
    return tir.scope_of(src) == "global" and str(dst.name) != avoid


def _tile_call(s: Any) -> tuple:
    """(the tile-op call of `s`, its source line): `s` an Evaluate, maybe under its
    `tt.source_line` attr; (None, None) otherwise."""
    line = tir.source_line_of(s) if isinstance(s, tir.AttrStmt) else None
    if line is not None:
        s = s.body
    return (s.value, line) if isinstance(s, tir.Evaluate) else (None, None)


def _where(line: str | None, text: str) -> str:
    return f"{line}  {text}" if line else text


def _is_vector_nest(out: Any, exts: list, indices: Any, ivars: list) -> bool:
    """`for i in T.Parallel(n): v[i] = ...` over a whole vector: a column vector (n/32 x 1
    tiles, values in column 0; also (n, 1) indexed [i, 0]) or a row vector (1 x n/32, row 0:
    one that a rank-1 tensor feeds; also (1, n) indexed [0, i])."""
    if out.reduced not in ("row", "col") or len(ivars) != 1:
        return False
    n = out.block[0] if out.reduced == "row" else out.block[1]
    return exts == [n * TILE] and _vector_index(indices, ivars[0], out.reduced)


def _vector_index(indices: Any, var: Any, reduced: str) -> bool:
    """`v[i]`, or `v[i, 0]` for a column vector / `v[0, i]` for a row vector."""
    idx = list(indices)
    if len(idx) == 1:
        return isinstance(idx[0], tir.Var) and idx[0].same_as(var)
    at = 0 if reduced == "row" else 1
    return len(idx) == 2 and isinstance(idx[at], tir.Var) and idx[at].same_as(var) \
        and tir.as_int(idx[1 - at]) == 0


def _same_vars(indices: Any, ivars: list) -> bool:
    return len(indices) == len(ivars) and all(
        isinstance(i, tir.Var) and i.same_as(v) for i, v in zip(indices, ivars))


# --- collect: tile ops the pipeline lowers -------------------------------------------
SUPPORTED_TILE_OPS = ("tl.tileop.copy", "tl.tileop.gemm", "tl.tileop.fill")


REDUCE_KINDS = ("sum", "max")


def check_tile_ops(owner: Any, body: Any) -> None:
    """Refuse, naming op and line, any TileLang tile op this pipeline does not lower."""
    for call, line in tir.tile_op_sites(body, prefix="tl.tileop."):
        name = tir.op_name(call)
        if name == "tl.tileop.reduce":
            check_reduce(owner, tir.decode_reduce(call), line)
        elif name not in SUPPORTED_TILE_OPS:
            op = TILE_OP_NAMES.get(name, name)
            raise owner.error(f"tile op {op} is not supported by the TT pipeline yet",
                              obj=f"op `{op}`", source_line=line,
                              hint="the tile ops it lowers are T.copy, T.gemm, T.fill / "
                                   "T.clear, T.reduce_* and T.Parallel nests (tt_ir.language's "
                                   "T.cumsum, T.transpose and T.im2col become these); the "
                                   "README's kernels row lists what each supports")


def check_reduce(owner: Any, r: Any, line: str | None) -> None:
    """T.reduce_sum / T.reduce_max of a 2-D block over dim 0 or 1, clear=True."""
    op = f"T.reduce_{r.kind}({r.src.buffer.name}, {r.dst.buffer.name}, dim={r.dim})"

    def refuse(why: str, hint: str) -> Any:
        return owner.error(why, obj=f"op `{op}`", source_line=line, hint=hint)

    if r.kind not in REDUCE_KINDS or not r.clear:  # canonicalize rewrote it unless dst is no vector
        raise refuse(f"T.reduce_{r.kind}{'' if r.clear else ' with clear=False'} into "
                     f"{r.dst.buffer.name} {[tir.as_int(d) for d in r.dst.buffer.shape]}: its "
                     "result must be a vector, (n,), (n, 1) or (1, n) (the FPU pools sum and max; "
                     "the rest is an elementwise pass over the vector)",
                     "reduce into a vector of the block's other dim")
    if len(r.src.buffer.shape) != 2 or r.dim not in (0, 1):
        raise refuse(f"only 2-D blocks reduced over dim 0 or 1 are supported (source has "
                     f"{len(r.src.buffer.shape)} dims, dim={r.dim})", "reduce a 2-D block")


# --- rewrite: restream a block larger than DST ----------------------------------------
def restream(body: Any, acc: Any, cbs: dict) -> tuple[Any, list]:
    """Compute `acc`'s block sub-block by sub-block, each over the whole K loop.

    Every intrinsic of the block's tile program is narrowed to sub-block (si, sj):
    A copies to its sh rows, B copies to its sw columns, the gemm / epilogue /
    store to sh x sw tiles; the block's statements are wrapped in si/sj loops.
    Returns the body and the CB records with the narrowed blocks.
    """
    sh, sw = acc.restream
    mm = next(B.intrinsic_of(e)[1] for e in tir.collect(body, tir.Evaluate)
              if _is(e, "tt.matmul_block") and tir.as_int(B.intrinsic_of(e)[1][2]) == acc.index)
    a, b, _, mt, nt, kt, tr = B.ints(mm)
    side = epilogue_inputs(body, acc.index) - {a, b}
    si = B.var("si") if mt // sh > 1 else 0
    sj = B.var("sj") if nt // sw > 1 else 0
    rows, cols = B.mul(si, sh), B.mul(sj, sw)

    def narrow(stmt: Any) -> Any:
        hit = B.intrinsic_of(stmt)
        if hit is None:
            return stmt
        name, args = hit[0], list(hit[1])
        cb = tir.as_int(args[0]) if name in ("tt.copy_in", "tt.copy_out") else None
        if name == "tt.copy_in" and cb == a:
            args[2], args[4] = B.add(args[2], rows), sh
        elif name == "tt.copy_in" and cb == b and tr:
            args[2], args[4] = B.add(args[2], cols), sw
        elif name == "tt.copy_in" and cb == b:
            args[3], args[5] = B.add(args[3], cols), sw
        elif name == "tt.copy_out" and cb == acc.index:
            args[2], args[3], args[4], args[5] = B.add(args[2], rows), B.add(args[3], cols), sh, sw
        elif name == "tt.matmul_block" and tir.as_int(args[2]) == acc.index:
            args[3], args[4] = sh, sw
        elif name == "tt.unary_block" and tir.as_int(args[1]) == acc.index:
            args[2], args[3] = sh, sw
        elif name == "tt.expr_block" and tir.as_int(args[1]) == acc.index:
            args[2], args[3] = sh, sw
        elif name == "tt.copy_in" and cb in side and cbs[cb].reduced == "row":
            args[2], args[4] = B.add(args[2], rows), sh  # a column vector: the sub-block's rows
        elif name == "tt.copy_in" and cb in side and cbs[cb].reduced == "col":
            args[3], args[5] = B.add(args[3], cols), sw  # a row vector: the sub-block's columns
        elif name == "tt.copy_in" and cb in side:  # an epilogue operand: acc's sub-block
            args[2], args[3], args[4], args[5] = B.add(args[2], rows), B.add(args[3], cols), sh, sw
        elif name == "tt.index_block" and tir.as_int(args[0]) in side:  # a mask: its sub-block
            i, j = args[2], args[3]
            shift = {i: i + tir.cast(tir.dtype_of(i), B.mul(rows, TILE)),
                     j: j + tir.cast(tir.dtype_of(j), B.mul(cols, TILE))}
            args[1], args[4], args[5] = (tir.substitute(a, shift) for a in args[1:2] + args[4:6])
            args[6], args[7] = sh, sw
        else:
            return stmt
        return B.extern(name, *args)

    def wrap(loop: Any) -> Any:
        if tir.as_int(loop.extent) is not None:
            return loop
        items = B.items(loop.body)
        head = [x for x in items if isinstance(x, (tir.Bind, tir.AllocBuffer))]
        work = [x for x in items if not isinstance(x, (tir.Bind, tir.AllocBuffer))]
        inner = tir.rewrite(B.seq(*work), narrow, types=tir.Evaluate)
        inner = _nest([(si, mt // sh), (sj, nt // sw)], inner)
        return tir.For(loop.loop_var, loop.min, loop.extent, loop.kind, B.seq(*head, inner))

    body = tir.rewrite(body, wrap, types=tir.For)
    ca, cb_ = cbs[a], cbs[b]
    new_a = _meta.replace(ca, block=[sh, kt], unit=[sh, kt],
                          num_pages=ca.num_pages // ca.block_tiles * sh * kt)
    b_block = [sw, kt] if tr else [kt, sw]
    new_b = _meta.replace(cb_, block=b_block, unit=b_block,
                          num_pages=cb_.num_pages // cb_.block_tiles * sw * kt)
    new_c = _meta.replace(acc, block=[sh, sw], unit=[sh, sw])
    new_side = [_narrowed(cbs[i], sh, sw) for i in sorted(side)]
    return body, [new_a, new_b, new_c, *new_side]


def _narrowed(cb: Any, sh: int, sw: int) -> Any:
    """An epilogue operand's CB for one sh x sw sub-block (a vector: its rows / columns)."""
    block = [sh, 1] if cb.reduced == "row" else [1, sw] if cb.reduced == "col" else [sh, sw]
    tiles = block[0] * block[1]
    return _meta.replace(cb, block=block, unit=block,
                         num_pages=cb.num_pages // cb.block_tiles * tiles)


def epilogue_inputs(body: Any, out: int) -> set:
    """Input CBs the `tt.expr_block`s writing `out` read."""
    found: set = set()
    for e in tir.collect(body, tir.Evaluate):
        hit = B.intrinsic_of(e)
        if hit is not None and hit[0] == "tt.expr_block" and tir.as_int(hit[1][1]) == out:
            found.update(B.ints(hit[1][4:]))
    return found - {out}


def _is(stmt: Any, name: str) -> bool:
    hit = B.intrinsic_of(stmt)
    return hit is not None and hit[0] == name


def _nest(nest: list, body: Any) -> Any:
    for v, n in reversed(nest):
        if n > 1:
            body = B.loop(v, n, body)
    return body


def _index_value(v: Any) -> Any:
    """A generated block's value as `tt.index_block` carries it: a constant as its fp32 bits,
    an index expression as itself (the reader converts it per element)."""
    return B.u32(_expr.fp32_bits(v)) if isinstance(v, float) else v


# --- pass --------------------------------------------------------------------------
@dataclass
class LowerTTTileIntrinsics(TTPass):
    name = "lower_tt_tile_intrinsics"

    def run(self, mod: Any) -> Any:
        _, func = kernel_func(mod)
        cbs = _meta.by_name(_meta.get(mod, _meta.CBS, []))
        buffers = _meta.by_name(_meta.get(mod, _meta.BUFFERS, []))
        work = _meta.get(mod, _meta.WORK)
        extents = block_var_extents(func.body, work.grid)
        low = _Lowering(self, cbs, buffers, extents)
        low.units = {s["unit"] for s in _meta.get(mod, _meta.SIZES, [])}
        low.size_extents = block_var_extents(func.body, work.grid, runtime=True)
        body = low.stmt(func.body)
        if low.scalers:  # the reader fills each scaler tile once per kernel, before any block
            body = B.seq(*[B.extern("tt.scaler_fill", i) for i in sorted(low.scalers)], body)
        by_index = {cb.index: cb for cb in cbs.values()}
        cap = _meta.get(mod, _meta.COMPUTE).dst_tiles
        for out, need in low.expr_slots.items():
            by_index.update({cb.index: cb for cb in self.fit_dst(by_index, out, need, cap,
                                                                  *low.expr_text[out])})
        for acc in [cb for cb in list(by_index.values()) if cb.restream]:
            body, changed = restream(body, acc, by_index)
            by_index.update({cb.index: cb for cb in changed})
        mod = with_kernel_body(mod, body)
        order = [cb.index for cb in _meta.get(mod, _meta.CBS, [])]
        return _meta.put(mod, _meta.CBS, [by_index[i] for i in order])

    def fit_dst(self, cbs: dict, out: int, need: int, cap: int, text: str,
                line: str | None) -> list:
        """Shrink the DST sub-block of `out` so its expression's registers fit DST.

        Elementwise output: chunk x need <= cap. Accumulator: its tiles stay in DST
        and the epilogue's extra registers sit beside them: tiles + need - 1 <= cap
        (an accumulator that held its whole block across K is restreamed instead).
        """
        cb = cbs[out]
        extra = need - 1 if cb.accumulator else 0
        per = cap - extra if cb.accumulator else cap // need
        if per < 1:
            raise self.error(
                f"the expression needs {need} DST tiles per output tile but DST holds {cap}",
                obj=f"op `{text}`", numbers={"dst_slots_per_tile": need, "dst_tiles": cap},
                source_line=line,
                hint="split the expression into several T.Parallel nests, or use bf16 "
                     "(fp32_acc off doubles DST)")
        fits = cb.unit_tiles + extra <= cap if cb.accumulator else cb.unit_tiles * need <= cap
        if fits:
            return []
        unit = list(choose_subblock(cb.block[0], cb.block[1], per))
        pages = cb.num_pages if cb.role == "intermediate" else \
            cb.num_pages // cb.unit_tiles * unit[0] * unit[1]
        if not cb.accumulator:
            return [_meta.replace(cb, unit=unit, num_pages=pages)]
        partials = [p for p in cbs.values() if p.role == "intermediate" and p.of == cb.name]
        if cb.restream is None and not partials:
            return [_meta.replace(cb, unit=unit, restream=unit, num_pages=pages)]
        # the CB holds whole sub-blocks: its pages follow the new unit (two units deep), so
        # no reserve/pack runs past the ring end (a 4x3 block: 3-tile units in 6 pages)
        return [_meta.replace(cb, unit=unit, restream=unit if cb.restream else None,
                              num_pages=pages),
                *[_meta.replace(p, unit=unit) for p in partials]]


def block_var_extents(body: Any, grid: list, runtime: bool = False) -> dict:
    """{uint32 block var: grid extent} of the block indices `grid_to_core_grid` bound: the
    static extents, or (`runtime`) those that are monomials of runtime-size units."""
    extents = dict(zip(NAMES, grid))
    return {var: extents[axis] for axis, var in block_vars(body).items()
            if isinstance(extents[axis], int) != runtime}


def lower_tt_tile_intrinsics() -> Any:
    """The `lower_tt_tile_intrinsics` pass as a TVM pass."""
    return LowerTTTileIntrinsics().as_tvm_pass()
