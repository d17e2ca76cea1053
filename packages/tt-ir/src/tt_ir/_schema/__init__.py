"""The typed schema objects of tt-ir and the ``tt.plan.json`` reader and writer.

Every object is a frozen dataclass that checks its fields when constructed and
converts with ``to_json()`` / ``from_json(dict)``.
"""

from tt_ir._schema.buffer import Buffer
from tt_ir._schema.cb import CircularBuffer
from tt_ir._schema.compute import ComputeConfig
from tt_ir._schema.core import CoreCoord, CoreRange, CoreRangeSet
from tt_ir._schema.kernel import Kernel
from tt_ir._schema.l1 import CBUsage, L1Usage
from tt_ir._schema.layout import BufferLayout, ShardSpec
from tt_ir._schema.plan import SCHEMA_VERSION, Plan, Semaphore
from tt_ir._schema.plan_io import dump_plan, load_plan, plan_schema, validate_plan
from tt_ir._schema.runtime_args import Accessor, CoreArgs, RuntimeArg
from tt_ir._schema.work import CoreWork, WorkPartition

__all__ = [
    "SCHEMA_VERSION",
    "Accessor",
    "Buffer",
    "BufferLayout",
    "CBUsage",
    "CircularBuffer",
    "ComputeConfig",
    "CoreArgs",
    "CoreCoord",
    "CoreRange",
    "CoreRangeSet",
    "CoreWork",
    "Kernel",
    "L1Usage",
    "Plan",
    "RuntimeArg",
    "Semaphore",
    "ShardSpec",
    "WorkPartition",
    "dump_plan",
    "load_plan",
    "plan_schema",
    "validate_plan",
]
