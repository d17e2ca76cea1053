"""KernelPrinter: one rule per case; unsupported nodes raise CodegenError naming the node."""

import pytest

import tt_ir.language as T
from tt_codegen import CodegenError
from tt_codegen._kernels import compute_includes
from tt_codegen._printer import KernelPrinter
from tt_ir import tir

U = T.uint32
CBS = {0: "cb_in", 16: "cb_out"}


def body_of(func, cbs=CBS):
    printer = KernelPrinter("test", cbs, reserved=set(cbs.values()))
    return printer.print_body(func.body), printer


def test_precedence_keeps_needed_parentheses_only():
    """Parentheses appear exactly where C++ precedence would change the TIR tree."""

    @T.prim_func
    def f():
        n: T.let[T.uint32] = T.call_extern("uint32", "get_arg_val<uint32_t>", 0)
        T.call_extern("void", "g", (n + U(1)) * U(2), n - (n - U(1)), n // U(2) % U(3), n * (n // U(4)))

    text, _ = body_of(f)
    assert text.splitlines()[-1].strip() == "g((n + 1) * 2, n - (n - 1), n / 2 % 3, n * (n / 4));"


def test_logic_min_max_and_casts():
    """&& under || is parenthesized; min/max print as ternaries; Cast as static_cast."""

    @T.prim_func
    def f():
        n: T.let[T.uint32] = T.call_extern("uint32", "get_arg_val<uint32_t>", 0)
        if n < U(2) or n > U(5) and n != U(7):
            T.call_extern("void", "g", T.min(n, U(3)), T.max(n, U(1)), T.Cast("int32", n))

    lines = [line.strip() for line in body_of(f)[0].splitlines()]
    assert lines[1] == "if (n < 2 || (n > 5 && n != 7)) {"
    assert lines[2] == "g(((n) < (3) ? (n) : (3)), ((n) > (1) ? (n) : (1)), static_cast<int32_t>(n));"


def test_bit_operations_wrap_in_their_narrow_type():
    """>> << & | ^ ~ print as C++ operators (bit operations parenthesized under one another);
    on 8-bit values the result is cast back to the type, as TIR's arithmetic wraps in it."""

    @T.prim_func
    def f():
        n: T.let[T.uint32] = T.call_extern("uint32", "get_arg_val<uint32_t>", 0)
        b: T.let[T.uint8] = T.Cast("uint8", n)
        T.call_extern("void", "g", (n >> U(4)) & U(15), (n << U(1)) | (n ^ U(3)), ~n,
                      (b << T.uint8(4)) >> T.uint8(4))

    lines = [line.strip() for line in body_of(f)[0].splitlines()]
    assert lines[-1] == ("g((n >> 4) & 15, (n << 1) | (n ^ 3), ~n, "
                         "static_cast<uint8_t>(static_cast<uint8_t>(b << 4) >> 4));")


def test_cb_literals_print_as_named_constants_only_in_cb_positions():
    """CB-id argument positions use cb_<name>; other literal arguments stay numbers."""

    @T.prim_func
    def f():
        T.call_extern("void", "pack_tile", 0, 16)
        T.call_extern("void", "matmul_tiles", 0, 0, 0, 0, 0)

    text, printer = body_of(f)
    assert text.splitlines() == ["    pack_tile(0, cb_out);", "    matmul_tiles(cb_in, cb_in, 0, 0, 0);"]
    assert printer.used_cbs == {0, 16}


def test_loop_variables_are_uint32_and_names_do_not_clash():
    """Loops print uint32_t counters; a second live binding of the same name gets a suffix."""

    @T.prim_func
    def f():
        for i in range(4):
            with T.attr(0, "tt.comment", "first"):
                x: T.let[T.uint32] = T.Cast("uint32", i)
                T.call_extern("void", "g", x)
            with T.attr(0, "tt.comment", "second"):
                x: T.let[T.uint32] = T.Cast("uint32", i) + U(1)
                T.call_extern("void", "g", x)

    lines = [line.strip() for line in body_of(f)[0].splitlines()]
    assert lines[0] == "for (uint32_t i = 0; i < 4; ++i) {"
    assert lines[2] == "uint32_t x = static_cast<uint32_t>(i);"
    assert lines[5] == "uint32_t x_1 = static_cast<uint32_t>(i) + 1;" and lines[6] == "g(x_1);"


def test_fill_scaler_is_noted():
    """tt_fill_scaler prints verbatim and asks for its helper in the file."""

    @T.prim_func
    def f():
        T.call_extern("void", "tt_fill_scaler", U(1024), U(2048), U(0x3F803F80))

    text, printer = body_of(f)
    assert text.strip() == "tt_fill_scaler(1024, 2048, 1065369472);" and printer.uses_fill_scaler


def test_fill_zeros_is_noted():
    """tt_fill_zeros prints verbatim and asks for the helper in the file."""

    @T.prim_func
    def f():
        T.call_extern("void", "tt_fill_zeros", U(1024), U(2048))

    text, printer = body_of(f)
    assert text.strip() == "tt_fill_zeros(1024, 2048);" and printer.uses_fill_zeros


def test_buffer_store_raises_naming_the_node():
    """A BufferStore (local scalar buffer) is outside TT TIR."""

    @T.prim_func
    def f():
        x: T.uint32 = T.call_extern("uint32", "h")
        T.call_extern("void", "g", x)

    with pytest.raises(CodegenError) as err:
        body_of(f)
    assert err.value.node_type == "AllocBuffer"
    assert "AllocBuffer" in str(err.value) and "tt-passes" in str(err.value)


def test_unknown_attr_and_unbound_var_and_unknown_cb():
    """Other AttrStmt keys, free variables and CBs outside the plan are errors."""

    @T.prim_func
    def attr():
        with T.attr(0, "pragma_unroll", 1):
            T.call_extern("void", "g")

    @T.prim_func
    def cb():
        T.call_extern("void", "cb_wait_front", 5, 1)

    with pytest.raises(CodegenError, match="'tt.comment'"):
        body_of(attr)
    with pytest.raises(CodegenError, match="CB 5, which the plan does not have"):
        body_of(cb)


def test_handle_must_be_a_tensor_accessor():
    """A handle variable must come from TensorAccessor with a literal CTA offset."""

    @T.prim_func
    def f():
        h: T.let[T.handle] = T.call_extern("handle", "get_thing")
        T.call_extern("void", "g", h)

    with pytest.raises(CodegenError, match="TensorAccessor"):
        body_of(f)


def test_non_serial_loop_raises():
    """Unrolled/parallel loops must be lowered to serial ones first."""

    @T.prim_func
    def f():
        for i in T.unroll(4):
            T.call_extern("void", "g", i)

    with pytest.raises(CodegenError, match="only serial loops"):
        body_of(f)


def test_compute_includes_come_from_the_wheel_table():
    """Each call's declaring header; CB/DST/pack/arg calls reach the kernel through common.h."""
    assert compute_includes(["compute_kernel_hw_startup", "add_init", "cb_wait_front", "pack_tile"]) == [
        "api/compute/compute_kernel_hw_startup.h", "api/compute/eltwise_binary.h"]
    assert compute_includes(["relu_tile_init", "relu_tile", "cb_wait_front"]) == [
        "api/compute/common.h", "api/compute/eltwise_unary/relu.h"]
    assert compute_includes(["exp_tile_init<true>", "copy_init", "made_up_call"]) == [
        "api/compute/eltwise_unary/exp.h", "api/compute/tile_move_copy.h"]


def test_emit_rejects_a_module_without_plan():
    """emit() names the missing tt.plan attribute."""
    import tt_codegen

    @T.prim_func
    def f():
        T.call_extern("void", "g")

    mod = tir.IRModule({"reader": f, "compute": f, "writer": f})
    with pytest.raises(CodegenError, match="no 'tt.plan' attribute"):
        tt_codegen.emit(mod)
