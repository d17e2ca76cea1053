"""RunResult: what one run of an artifact directory returns.

Owns: the outputs (numpy arrays in each buffer's dtype), the per-core counters read from the
emulator's report, timings, and the JSON form (``to_json`` / ``from_json``).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np


@dataclasses.dataclass
class RunResult:
    """The result of `tt_runtime.run`.

    Attributes:
        outputs: Buffer name -> array in the buffer's dtype (``ml_dtypes.bfloat16`` for bfloat16).
        counters: Core ``"x,y"`` -> ``{"tile_ops": {kind: n}, "noc_read_bytes": {source: n},
            "noc_write_bytes": {destination: n}, "cb_wait_stalls": {cb: n}, "setup": {call kind: n},
            "l1_high_water": bytes}`` (setup: the compute kernel's engine set-up calls, inits and
            data-format reconfigs, which the performance model charges).
        arch: The architecture the run emulated.
        device: ``"emulator"`` or ``"hardware"``.
        seconds: Wall time of the device run (host program), excluding builds of the library and
            host program.
        plan: For a kernel compiled with runtime sizes (T.dynamic), its plan bound to this run's
            sizes (a decoded ``tt.plan.json``); None otherwise.
    """

    outputs: dict[str, np.ndarray]
    counters: dict[str, dict[str, Any]]
    arch: str
    device: str = "emulator"
    seconds: float = 0.0
    plan: dict[str, Any] | None = None

    def totals(self) -> dict[str, Any]:
        """Counters summed over all cores."""
        tot: dict[str, Any] = {"tile_ops": {}, "noc_read_bytes": {}, "noc_write_bytes": {}, "setup": {},
                               "cb_wait_stalls": 0}
        for c in self.counters.values():
            for key in ("tile_ops", "noc_read_bytes", "noc_write_bytes", "setup"):
                for k, v in c.get(key, {}).items():
                    tot[key][k] = tot[key].get(k, 0) + v
            tot["cb_wait_stalls"] += sum(c.get("cb_wait_stalls", {}).values())
        tot["l1_high_water"] = max((c.get("l1_high_water", 0) for c in self.counters.values()), default=0)
        return tot

    def to_json(self, include_outputs: bool = False, indent: int | None = 2) -> str:
        """Serialize to JSON; outputs appear as shape and dtype (and data if asked)."""
        outs = {}
        for name, arr in self.outputs.items():
            entry: dict[str, Any] = {"shape": list(arr.shape), "dtype": str(arr.dtype)}
            if include_outputs:
                data = np.asarray(arr)
                entry["data"] = (data if data.dtype == np.int32 else data.astype(np.float64)).tolist()
            outs[name] = entry
        doc = {"arch": self.arch, "device": self.device, "seconds": self.seconds, "outputs": outs,
               "counters": self.counters, "totals": self.totals()}
        return json.dumps(doc, indent=indent, sort_keys=False)

    @classmethod
    def from_json(cls, text: str) -> RunResult:
        """Read back `to_json` output (outputs only if it included data)."""
        doc = json.loads(text)
        outputs = {}
        for name, entry in doc.get("outputs", {}).items():
            if "data" in entry:
                outputs[name] = np.asarray(entry["data"], dtype=np.float32 if "float" in entry["dtype"] else entry["dtype"])
        return cls(outputs=outputs, counters=doc["counters"], arch=doc["arch"], device=doc["device"],
                   seconds=doc["seconds"])
