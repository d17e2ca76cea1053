"""verify_tt_ir: prove the lowered module is valid TT TIR before codegen sees it.

Requires: a module from `finalize_persistent_signature` (three kernels and `tt.plan`).
Rewrites: nothing.
Checks (each failure is a `TTCompileError` naming the kernel/CB/op and the numbers):
- form: exactly `reader`, `compute`, `writer` PrimFuncs without parameters, each with
  `tt.kernel_role`; bodies only of For/IfThenElse/SeqStmt/Bind/Evaluate/`tt.comment`
  AttrStmt; every call a `call_extern` and no internal `tt.*` intrinsic left;
- resources: CB count and indices within the arch; per-core L1 footprint within the
  usable L1 (the message prints a per-CB table); DST tiles in use within capacity
  (8 / 4 with fp32 accumulation, half sync; 16 / 8 full sync); runtime args per
  kernel within 341;
- DST protocol (an abstract run of the compute kernel over the register states
  released -> acquired -> committed -> waited -> released): `tile_regs_acquire/commit/
  wait/release` come in that order on every path, tile math (`matmul_tiles`, `copy_tile`,
  `*_tiles`, SFPU `*_tile`) runs only between acquire and commit, `pack_tile` only between
  wait and release, every loop body and both arms of a branch leave the state as they
  found it, and the kernel ends released (two accumulators acquiring DST over one K
  loop fail here at compile time); and between an acquire and its commit the DST slots
  that accumulate one value (a matmul stream of two CBs, a reduction) never overlap
  another value's (slot ranges over the loops' ranges);
- protocol: each CB has one producer and one consumer kernel, and over one block
  trip pages reserved = pushed by the producer = waited for = popped by the consumer
  (a compute -> compute CB may wait for a page more than once: after a value is
  rewritten in place, its new block is waited for again)
  (an abstract run of each kernel for one block, loops without CB calls skipped);
- bounds: every page id a reader/writer touches is < the tensor's page count
  (checked at the largest block and loop indices; guarded edge tiles excluded);
- the plan passes every typed rule of `tt_ir.validate_plan` (the JSON Schema itself is
  applied by tt-codegen before it writes tt.plan.json).
With runtime sizes (a plan template) the protocol, bounds and plan checks run on the plan
bound at one granule per size and at three (one block and several per grid axis); a CB idle
at one of those sizes (a GEMM's partial sums when K has one trip) is not unbalanced.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tt_ir import get_arch, sizes, tir
from tt_passes import _build as B
from tt_passes import _meta, _tileops
from tt_passes._base import TTPass, role_funcs
from tt_passes.grid_to_core_grid import block_vars
from tt_passes.lower_cb_intrinsics import accessor_vars

STMTS = (tir.For, tir.IfThenElse, tir.SeqStmt, tir.Bind, tir.Evaluate, tir.AttrStmt)
PROTOCOL = ("cb_reserve_back", "cb_push_back", "cb_wait_front", "cb_pop_front")


# --- decide: L1 ------------------------------------------------------------------
def l1_table(plan: dict) -> str:
    rows = [f"    c_{cb['index']:<3} {cb['name']:<24} {cb['num_pages']:>4} x {cb['page_size']:>5} B"
            f" = {cb['num_pages'] * cb['page_size']:>8} B" for cb in plan["circular_buffers"]]
    return "\n".join(rows)


def l1_bytes(plan: dict) -> int:
    return sum(cb["num_pages"] * cb["page_size"] for cb in plan["circular_buffers"])


# --- the abstract machine ----------------------------------------------------------
class _Machine:
    """Runs a kernel body on integers: CB page counts per index, page ids touched."""

    def __init__(self, args: list, extremes: dict | None = None, skip: set | None = None):
        self.args, self.env = args, {}
        self.extremes = extremes  # {block index Var: value} -> bounds mode (loops at max only)
        self.counts: dict = {}
        self.pages: list = []
        self.skip = skip or set()

    def run(self, s: Any) -> None:
        if isinstance(s, tir.SeqStmt):
            for x in s.seq:
                self.run(x)
        elif isinstance(s, tir.AttrStmt):
            self.run(s.body)
        elif isinstance(s, tir.Bind):
            if self.extremes is not None and s.var in self.extremes:
                self.env[s.var] = self.extremes[s.var]
            else:
                self.env[s.var] = self.eval(s.value)
        elif isinstance(s, tir.IfThenElse):
            if self.eval(s.condition):
                self.run(s.then_case)
            elif s.else_case is not None:
                self.run(s.else_case)
        elif isinstance(s, tir.For):
            self.loop(s)
        elif isinstance(s, tir.Evaluate):
            self.call(s.value)

    def loop(self, s: Any) -> None:
        if s in self.skip:
            return
        n = self.eval(s.extent)
        trips = [n - 1] if self.extremes is not None and n > 0 else range(n)
        for v in trips:
            self.env[s.loop_var] = v
            self.run(s.body)

    def call(self, c: Any) -> None:
        name = tir.extern_name(c)
        if name in PROTOCOL:
            key = (name, self.eval(c.args[1]))
            self.counts[key] = self.counts.get(key, 0) + self.eval(c.args[2])
        elif name in ("noc_async_read_page", "noc_async_write_page"):
            self.pages.append((name, c.args[2], self.eval(c.args[1])))  # (call, accessor Var, page)

    def eval(self, e: Any) -> int:
        if isinstance(e, tir.IntImm):
            return int(e.value)
        if isinstance(e, tir.Var):
            return self.env.get(e, 0)
        if isinstance(e, tir.Cast):
            return self.eval(e.value)
        if isinstance(e, tir.Call):
            name = tir.extern_name(e)
            if name == "get_arg_val<uint32_t>":
                return self.args[self.eval(e.args[1])]
            return 0
        kind = type(e).__name__
        a, b = self.eval(e.a), self.eval(e.b)
        return _BINOPS[kind](a, b)


_BINOPS = {"Add": lambda a, b: a + b, "Sub": lambda a, b: a - b, "Mul": lambda a, b: a * b,
           "FloorDiv": lambda a, b: a // b, "FloorMod": lambda a, b: a % b,
           "Min": min, "Max": max, "LT": lambda a, b: int(a < b), "LE": lambda a, b: int(a <= b),
           "GT": lambda a, b: int(a > b), "GE": lambda a, b: int(a >= b),
           "EQ": lambda a, b: int(a == b), "NE": lambda a, b: int(a != b),
           "And": lambda a, b: int(bool(a and b)), "Or": lambda a, b: int(bool(a or b))}


def quiet_loops(body: Any) -> set:
    """Loops with no CB protocol call inside (the machine skips them)."""
    out: set = set()

    def has_protocol(s: Any) -> bool:
        return tir.find(s, lambda c: tir.extern_name(c) in PROTOCOL, types=tir.Call) is not None

    for loop in tir.collect(body, tir.For):
        if not has_protocol(loop.body):
            out.add(loop)
    return out


def arg_values(kernel: dict, core: dict, count: int = 1) -> list:
    """Runtime args of `core` (per-core values from the plan; the first work core is
    the multicast sender of every shared CB), block_start/count overridden."""
    vals = {}
    per_core = [a["name"] for a in kernel["runtime_args"] if a["kind"] != "buffer_address"]
    for entry in kernel["core_args"][:1]:
        vals.update(zip(per_core, entry["values"]))
    vals.update({"block_start": core["start"], "block_count": count})
    return [vals.get(a["name"], 0) for a in kernel["runtime_args"]]


# --- pass ------------------------------------------------------------------------
@dataclass
class VerifyTTIR(TTPass):
    name = "verify_tt_ir"
    arch: str = "wormhole_b0"
    grid: tuple | None = None

    def run(self, mod: Any) -> Any:
        funcs = {role: f for role, (_, f) in role_funcs(mod).items()}
        raw = tir.get_attr(mod, _meta.PLAN)
        if sorted(funcs) != sorted(_meta.ROLES) or raw is None:
            raise self.error(f"expected kernels reader/compute/writer and a tt.plan, found "
                             f"{sorted(funcs)}", obj="module",
                             hint="run the whole tt_passes.pipeline()")
        plan = json.loads(raw)
        arch = get_arch(self.arch, self.grid)
        for role, func in funcs.items():
            self.check_form(role, func)
        self.check_cbs(plan, arch)
        self.check_l1(plan, arch, _cb_lines(mod))
        self.check_args(plan, funcs, arch)
        self.check_dst(plan, funcs["compute"])
        self.check_dst_protocol(funcs["compute"])
        bindings = self.bindings(plan)
        for bound in bindings:  # with runtime sizes a CB may idle at some sizes (partial
            self.check_protocol(bound, funcs, idle_ok=len(bindings) > 1)  # sums at one K trip)
            self.check_bounds(bound, funcs)
            self.check_schema(bound)
        return mod

    @staticmethod
    def bindings(plan: dict) -> list:
        """The plan; for runtime sizes, the template bound at one and at three granules
        per size (one block, and several per grid axis)."""
        if not sizes.is_dynamic(plan):
            return [plan]
        one = sizes.representative_sizes(plan)
        return [sizes.bind_plan(plan, {k: v * n for k, v in one.items()}) for n in (1, 3)]

    # -- form
    def check_form(self, role: str, func: Any) -> None:
        if len(func.params) or tir.get_attr(func, "tt.kernel_role") != role:
            raise self.error("a kernel must have no parameters and tt.kernel_role set",
                             obj=f"kernel '{role}'")
        bad = tir.find(func.body, lambda s: not isinstance(s, STMTS)
                       or (isinstance(s, tir.AttrStmt) and str(s.attr_key) != B.COMMENT),
                       types=tir.Stmt)
        if bad is not None:
            raise self.error(f"statement {type(bad).__name__} is not TT TIR",
                             obj=f"kernel '{role}'", hint="a lowering pass left it behind")
        for call in tir.collect(func.body, tir.Call):
            name = tir.extern_name(call)
            if name is None:
                raise self.error(f"call to op {tir.op_name(call)} is not a call_extern",
                                 obj=f"kernel '{role}'", hint="a lowering pass left it behind")
            if name.startswith(B.INTERNAL_PREFIX):
                raise self.error(f"internal intrinsic {name} was not lowered",
                                 obj=f"kernel '{role}'", hint="a lowering pass is missing")

    # -- resources
    def check_cbs(self, plan: dict, arch: Any) -> None:
        cbs = plan["circular_buffers"]
        if len(cbs) > arch.num_cbs or any(cb["index"] >= arch.num_cbs for cb in cbs):
            raise self.error(f"{len(cbs)} CBs (indices {[cb['index'] for cb in cbs]}) do not "
                             f"fit the {arch.num_cbs} CBs of {arch.name}", obj="CBs",
                             numbers={"needed": len(cbs), "available": arch.num_cbs},
                             hint="use fewer shared/fragment buffers, or target blackhole")

    def check_l1(self, plan: dict, arch: Any, lines: dict | None = None) -> None:
        need, usable = l1_bytes(plan), arch.usable_l1
        if need <= usable:
            return
        biggest = max(plan["circular_buffers"], key=lambda cb: cb["num_pages"] * cb["page_size"])
        line = (lines or {}).get(biggest["name"])
        raise self.error(f"the CBs need {need} B of L1 per core, {arch.name} has {usable} B "
                         f"usable ({arch.l1_size} - {arch.l1_unreserved_base} reserved):\n"
                         + l1_table(plan), obj=f"CB '{biggest['name']}' (largest)", source_line=line,
                         numbers={"need": need, "usable": usable, "over_by": need - usable},
                         hint="reduce the block sizes or num_stages (CB depth), or use "
                              "cb_depth=1")

    def check_args(self, plan: dict, funcs: dict, arch: Any) -> None:
        for kernel in plan["kernels"]:
            used = [tir.as_int(c.args[1]) for c in tir.collect(funcs[kernel["role"]].body, tir.Call)
                    if tir.extern_name(c) == "get_arg_val<uint32_t>"]
            n = max([len(kernel["runtime_args"])] + [i + 1 for i in used if i is not None])
            if n > arch.max_runtime_args:
                raise self.error(f"{n} runtime args, the limit is {arch.max_runtime_args}",
                                 obj=f"kernel '{kernel['role']}'",
                                 numbers={"args": n, "limit": arch.max_runtime_args},
                                 hint="pass fewer tensors per kernel")

    def check_dst(self, plan: dict, compute: Any) -> None:
        cfg = plan["compute_config"]
        cap = get_arch(self.arch, self.grid).dst_tiles(cfg["fp32_dest_acc_en"],
                                                       cfg["dst_full_sync_en"])
        m = _Machine([0] * 400, extremes={})
        for call in tir.collect(compute.body, tir.Call):
            name = tir.extern_name(call) or ""
            positions = _tileops.dst_operands(name)
            if positions is None:
                if _is_math(name.split("<")[0]):
                    raise self.error("a tile call whose DST operands the verifier does not know",
                                     obj=f"op {name}",
                                     hint="add its row to tt_passes._tileops.COMPUTE_CALLS (or SFPU_UNARY)")
                continue
            for pos in positions:
                top = _max_value(call.args[1 + pos], compute.body, m)
                if top >= cap:
                    raise self.error(f"DST index up to {top} but DST holds {cap} tiles",
                                     obj=f"op {name}",
                                     numbers={"dst_index": top, "capacity": cap},
                                     hint="sub-block the output (insert_dst_management)")

    def check_dst_protocol(self, compute: Any) -> None:
        problem = dst_protocol(compute.body) or dst_sharing(compute.body)
        if problem is not None:
            raise self.error(problem, obj="kernel 'compute'",
                             hint="a lowering pass produced an unbalanced DST protocol "
                                  "(insert_dst_management)")

    # -- protocol
    def check_protocol(self, plan: dict, funcs: dict, idle_ok: bool = False) -> None:
        kernels = {k["role"]: k for k in plan["kernels"]}
        core = plan["work"]["cores"][0]
        counts = {}
        for role, func in funcs.items():
            m = _Machine(arg_values(kernels[role], core), skip=quiet_loops(func.body))
            m.run(func.body)
            counts[role] = m.counts
        for cb in plan["circular_buffers"]:
            i, prod, cons = cb["index"], counts[cb["producer"]], counts[cb["consumer"]]
            nums = {"reserved": prod.get(("cb_reserve_back", i), 0),
                    "pushed": prod.get(("cb_push_back", i), 0),
                    "waited": cons.get(("cb_wait_front", i), 0),
                    "popped": cons.get(("cb_pop_front", i), 0)}
            if idle_ok and not any(nums.values()):
                continue
            if cb["producer"] == cb["consumer"]:  # compute -> compute: a block rewritten in
                # place is waited for again after each rewrite (waits repeat, never fall short)
                balanced = nums["reserved"] == nums["pushed"] == nums["popped"] > 0 \
                    and nums["waited"] >= nums["popped"]
            else:
                balanced = len(set(nums.values())) == 1 and nums["pushed"] > 0
            if not balanced:
                raise self.error(f"pages per block trip do not balance between "
                                 f"{cb['producer']} and {cb['consumer']}",
                                 obj=f"CB '{cb['name']}' (c_{i})", numbers=nums,
                                 hint="a lowering pass produced an unbalanced CB protocol")

    def check_bounds(self, plan: dict, funcs: dict) -> None:
        kernels = {k["role"]: k for k in plan["kernels"]}
        pages = {b["name"]: b["num_pages"] for b in plan["buffers"]}
        gx, gy, gz = plan["work"]["grid"]
        top = {"bx": gx - 1, "by": gy - 1, "bz": gz - 1}
        for role in ("reader", "writer"):
            names = [a["name"] for a in kernels[role]["runtime_args"]]
            count = names.index("block_count") if "block_count" in names else -1
            block = block_vars(funcs[role].body, lambda v, i=count: tir.extern_name(v) == "get_arg_val<uint32_t>"
                               and tir.as_int(v.args[1]) == i)  # the block count, after finalize
            m = _Machine(arg_values(kernels[role], {"start": 0}), extremes={v: top[a] for a, v in block.items()})
            m.run(funcs[role].body)
            tensor_of = {var: buf for buf, var in accessor_vars(funcs[role].body, kernels[role]["accessors"]).items()}
            for name, acc, page in m.pages:
                buf = tensor_of[acc]
                if page >= pages.get(buf, 0):
                    raise self.error(f"page id {page} is out of bounds ({pages.get(buf)} pages)",
                                     obj=f"{name} of '{buf}' in {role}",
                                     numbers={"page": page, "num_pages": pages.get(buf)},
                                     hint="partial blocks must be guarded")

    def check_schema(self, plan: dict) -> None:
        from tt_ir import validate_plan

        validate_plan(plan, json_schema=False)


# --- the DST register protocol ------------------------------------------------------
DST_NEXT = {"tile_regs_acquire": ("released", "acquired"),
            "tile_regs_commit": ("acquired", "committed"),
            "tile_regs_wait": ("committed", "waited"),
            "tile_regs_release": ("waited", "released")}
NO_DST = {"cb_reserve_back", "cb_push_back", "cb_wait_front", "cb_pop_front",
          "compute_kernel_hw_startup", "get_arg_val<uint32_t>", "reduce_uninit"}


class DSTProtocolError(Exception):
    pass


def dst_protocol(body: Any) -> str | None:
    """None if the compute body keeps the DST protocol on every path, else what breaks."""
    try:
        end = _dst_state(body, "released")
    except DSTProtocolError as err:
        return str(err)
    if end != "released":
        return f"the compute kernel ends with DST {end} (tile_regs_release missing)"
    return None


def _dst_state(s: Any, state: str) -> str:
    if isinstance(s, tir.SeqStmt):
        for x in s.seq:
            state = _dst_state(x, state)
        return state
    if isinstance(s, tir.AttrStmt):
        return _dst_state(s.body, state)
    if isinstance(s, tir.For):
        out = _dst_state(s.body, state)
        if out != state and tir.as_int(s.extent) != 1:
            raise DSTProtocolError(f"a loop over `{s.loop_var.name}` enters with DST {state} "
                                   f"and its body leaves DST {out}: the next trip breaks the "
                                   "acquire/commit/wait/release order")
        return out
    if isinstance(s, tir.IfThenElse):
        then = _dst_state(s.then_case, state)
        other = _dst_state(s.else_case, state) if s.else_case is not None else state
        if then != other:
            raise DSTProtocolError(f"the branches of `if {B.show(s.condition)}` leave DST "
                                   f"{then} and {other}")
        return then
    if isinstance(s, tir.Evaluate):
        return _dst_call(tir.extern_name(s.value), state)
    return state


def _dst_call(name: str | None, state: str) -> str:
    if name is None or name in NO_DST:
        return state
    if name in DST_NEXT:
        want, nxt = DST_NEXT[name]
        if state != want:
            raise DSTProtocolError(f"{name} with DST {state} (it needs DST {want})")
        return nxt
    if name == "pack_tile":
        if state != "waited":
            raise DSTProtocolError(f"pack_tile with DST {state} (it needs tile_regs_wait first)")
        return state
    if _is_math(name) and state != "acquired":
        raise DSTProtocolError(f"{name} with DST {state} (tile math needs tile_regs_acquire "
                               "and no commit yet)")
    return state


def _is_math(name: str) -> bool:
    base = name.split("<")[0]
    return base in ("matmul_tiles", "copy_tile", "reduce_tile", "fill_tile_bitcast") or \
        base.endswith(("_tiles", "_tile")) or "_tiles_bcast_" in base


# accumulating DST writes: (call, positions of the CBs that name the value, position of the slot)
ACCUMULATE = {"matmul_tiles": ((0, 1), 4), "reduce_tile": ((0, 1), 4)}


def dst_sharing(body: Any) -> str | None:
    """None if, between each acquire and commit, the slots that accumulate one value (a
    matmul stream from two CBs, a reduction) never overlap those of another; else what
    overlaps. Slot ranges cover the loops' ranges (a matmul into i * 2 + j over i, j < 2
    holds slots 0..3)."""
    m = _Machine([0] * 400, extremes={})
    region: list = []   # [(key, lo, hi)] of the current acquire .. commit
    acquired = [False]

    def slot_range(expr: Any) -> tuple:
        hi = _max_value(expr, body, m)
        m.env = {loop.loop_var: 0 for loop in tir.collect(body, tir.For)}
        return m.eval(expr), hi

    def visit(s: Any) -> str | None:
        if isinstance(s, tir.Evaluate):
            name = tir.extern_name(s.value)
            base = (name or "").split("<")[0]
            if base == "tile_regs_acquire":
                region.clear()
                acquired[0] = True
            elif base == "tile_regs_commit":
                acquired[0] = False
            elif base in ACCUMULATE and acquired[0]:
                cbs, pos = ACCUMULATE[base]
                args = s.value.args[1:]
                key = (base, *(tir.as_int(args[p]) for p in cbs))
                lo, hi = slot_range(args[pos])
                for other, olo, ohi in region:
                    if other != key and lo <= ohi and olo <= hi:
                        return (f"DST slots {max(lo, olo)}..{min(hi, ohi)} accumulate two values "
                                f"at once: {other[0]} of CBs {list(other[1:])} and {key[0]} of "
                                f"CBs {list(key[1:])}")
                region.append((key, lo, hi))
            return None
        for child in _children(s):
            problem = visit(child)
            if problem is not None:
                return problem
        return None

    return visit(body)


def _children(s: Any) -> list:
    if isinstance(s, tir.SeqStmt):
        return list(s.seq)
    if isinstance(s, (tir.For, tir.AttrStmt)):
        return [s.body]
    if isinstance(s, tir.IfThenElse):
        return [s.then_case] + ([s.else_case] if s.else_case is not None else [])
    return []


def _cb_lines(mod: Any) -> dict:
    """CB name -> the kernel line that made it (`tt.source_lines`, left by finalize)."""
    raw = tir.get_attr(mod, _meta.SOURCE_LINES)
    return json.loads(raw) if raw else {}


def _max_value(expr: Any, body: Any, m: _Machine) -> int:
    """Largest value of a DST index expression: its loop variables at their maxima."""
    env = {}
    for loop in tir.collect(body, tir.For):
        n = tir.as_int(loop.extent)
        if n is not None:
            env[loop.loop_var] = n - 1
    m.env = env
    return m.eval(expr)


def verify_tt_ir(**options: Any) -> Any:
    """The `verify_tt_ir` pass as a TVM pass (options: arch, grid)."""
    return VerifyTTIR(**options).as_tvm_pass()
