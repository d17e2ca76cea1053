"""configure_tensor_accessor: accessor binds at CTA offsets, address runtime args first."""

from conftest import apply, body_text

from tt_passes import _meta

EXPECTED_READER_HEAD = '''\
def reader():
    A_addr: T.let[T.uint32] = T.call_extern("uint32", "tt.runtime_arg", "A_addr")
    B_addr: T.let[T.uint32] = T.call_extern("uint32", "tt.runtime_arg", "B_addr")
    block_start: T.let[T.uint32] = T.call_extern("uint32", "tt.runtime_arg", "block_start")
    block_count: T.let[T.uint32] = T.call_extern("uint32", "tt.runtime_arg", "block_count")
    A_acc: T.let[T.handle] = T.call_extern(T.handle().ty, "TensorAccessor", 0, A_addr, 2048)
    B_acc: T.let[T.handle] = T.call_extern(T.handle().ty, "TensorAccessor", 2, B_addr, 2048)
    for b in range(block_count):'''


def test_reader_accessors(add_kernel):
    """Before: no accessors. Expected: A at CTA 0, B at CTA 2, after the runtime-arg binds."""
    before, after = apply(add_kernel, "configure_tensor_accessor")
    assert "TensorAccessor" not in body_text(before, "reader")
    assert EXPECTED_READER_HEAD in body_text(after, "reader")


def test_kernel_infos(add_kernel):
    """tt.kernels: reader [A@0, B@2] words [2,2048,2,2048]; writer [C@0]; compute none."""
    _, after = apply(add_kernel, "configure_tensor_accessor")
    infos = {k.role: k for k in _meta.get(after, _meta.KERNELS)}
    assert infos["reader"].accessors == [{"buffer": "A", "cta_offset": 0}, {"buffer": "B", "cta_offset": 2}]
    assert infos["reader"].compile_args == [2, 2048, 2, 2048]
    assert infos["writer"].accessors == [{"buffer": "C", "cta_offset": 0}]
    assert infos["compute"].accessors == [] and "TensorAccessor" not in body_text(after, "compute")
