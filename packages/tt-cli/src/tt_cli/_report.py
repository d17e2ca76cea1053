"""Readable tables of a plan for `tt inspect`."""

from __future__ import annotations


def _table(headers: list[str], rows: list[list[object]]) -> str:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.rjust(w) if c.replace(".", "").isdigit() else c.ljust(w) for c, w in zip(r, widths)) for r in cells]
    return "\n".join([line, rule, *body])


def _grid_map(plan: dict) -> str:
    gx, gy = plan["core_grid"]
    work = {tuple(c["core"]): c["count"] for c in plan["work"]["cores"]}
    rows = []
    for y in range(gy):
        rows.append(" ".join(f"{work.get((x, y), '.'):>3}" for x in range(gx)))
    return "\n".join(rows)


def inspect_text(plan: dict, sizes: list | None = None, given: dict | None = None) -> str:
    """The report of a plan; `sizes`: a runtime-size template's sizes (the plan is its binding)."""
    work = plan["work"]
    l1 = plan["l1"]
    cc = plan["compute_config"]
    head = []
    if sizes:
        value = {s["name"]: (given or {}).get(s["name"], 2 * s["granule"]) for s in sizes}
        head = ["runtime sizes (T.dynamic; shown at " + ", ".join(f"{n}={v}" for n, v in value.items())
                + ", set with --size):",
                *[f"  {s['name']}: a multiple of {s['granule']}, read from {s['source']['buffer']} dim "
                  f"{s['source']['dim']}; the kernels get {s['unit']} = {s['name']} / {s['granule']}" for s in sizes],
                ""]
    out = [
        *head,
        f"kernel {plan['kernel_name']} on {plan['arch']} (core grid {plan['core_grid'][0]}x{plan['core_grid'][1]})",
        f"compute: {cc['math_fidelity']}, fp32 accumulation {'on' if cc['fp32_dest_acc_en'] else 'off'}, "
        f"approx {'on' if cc['math_approx_mode'] else 'off'}",
        "",
        f"work: logical grid {'x'.join(map(str, work['grid']))} = {work['num_blocks']} blocks on "
        f"{len(work['cores'])} cores ({work['order']}); blocks per core:",
        _grid_map(plan),
        "",
        "buffers:",
        _table(
            ["name", "role", "shape", "dtype", "memory", "pages", "page B"],
            [[b["name"], b["role"], "x".join(map(str, b["shape"])), b["dtype"], f"{b['layout']['memory']} {b['layout']['kind']}",
              b["num_pages"], b["page_size"]] for b in plan["buffers"]],
        ),
        "",
        "circular buffers (per core):",
        _table(
            ["cb", "name", "role", "format", "page B", "pages", "bytes", "producer -> consumer"],
            [[c["index"], c["name"], c["role"], c["data_format"], c["page_size"], c["num_pages"],
              c["page_size"] * c["num_pages"], f"{c['producer']} -> {c['consumer']}"] for c in plan["circular_buffers"]],
        ),
        "",
        f"L1 per core: {l1['per_core_bytes']} B of CBs from base {l1['base']} "
        f"= {l1['base'] + l1['per_core_bytes']} / {l1['capacity']} B "
        f"({100.0 * (l1['base'] + l1['per_core_bytes']) / l1['capacity']:.1f}% of L1)",
        "",
        "kernels and runtime args:",
    ]
    for k in plan["kernels"]:
        schema = ", ".join(f"{i}:{a['name']}" for i, a in enumerate(k["runtime_args"]))
        out.append(f"  {k['role']:<8} {k['file']:<12} {k['processor']:<8} noc {k['noc'] or '-':<6} "
                   f"compile args {k['compile_args']}")
        out.append(f"           runtime args [{schema}]")
        shown = k["core_args"][:4]
        for ca in shown:
            out.append(f"           core ({ca['core'][0]},{ca['core'][1]}): {ca['values']}")
        if len(k["core_args"]) > len(shown):
            out.append(f"           ... {len(k['core_args']) - len(shown)} more cores")
    return "\n".join(out)
