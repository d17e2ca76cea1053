"""attach_tensor_accessor: TensorAccessorArgs words per tensor."""

from conftest import apply, kernels

import tt_ir.language as T
from tt_passes import _meta


def test_interleaved_dram_words(add_kernel):
    """A DRAM-interleaved bf16 tensor: [IsDram=2, 2048], one per tensor in signature order."""
    _, after = apply(add_kernel, "attach_tensor_accessor")
    accs = _meta.get(after, _meta.ACCESSORS)
    assert [(a.buffer, a.args) for a in accs] == [("A", [2, 2048]), ("B", [2, 2048]), ("C", [2, 2048])]


def test_float32_page_size():
    """The page size word follows the dtype (float32: 4096)."""
    _, after = apply(kernels.eltwise(dtype=T.float32), "attach_tensor_accessor")
    assert _meta.get(after, _meta.ACCESSORS)[0].args == [2, 4096]
