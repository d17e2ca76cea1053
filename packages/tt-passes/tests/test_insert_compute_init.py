"""insert_compute_init: hw start-up once, inits hoisted when invariant, re-inits on op switches."""

from conftest import apply, body_text, kernels

EXPECTED_ADD_HEAD = '''\
    block_count: T.let[T.uint32] = T.call_extern("uint32", "tt.runtime_arg", "block_count")
    T.call_extern("void", "compute_kernel_hw_startup", 0, 1, 16)
    T.call_extern("void", "add_init", 0, 1)
    for b in range(block_count):'''


def test_add_init_hoisted(add_kernel):
    """The loop body only adds: add_init once, before the block loop (golden shape)."""
    _, after = apply(add_kernel, "insert_compute_init")
    text = body_text(after, "compute")
    assert EXPECTED_ADD_HEAD in text and text.count("add_init") == 1


def test_matmul_reinit_after_relu(gemm_kernel):
    """relu_tile_init before relu; the next block's matmul needs matmul_init again (inside b)."""
    _, after = apply(gemm_kernel, "insert_compute_init")
    text = body_text(after, "compute")
    assert ('T.call_extern("void", "tile_regs_acquire")\n'
            '        T.call_extern("void", "matmul_init", 0, 1, 0)\n'
            '        for k in range(T.uint32(8)):') in text
    assert 'T.call_extern("void", "relu_tile_init")\n            for t in range(T.uint32(4)):' in text


def test_format_reconfig_for_fp32_partials(big_gemm_kernel):
    """fp32 partials of a bf16 gemm: srcA and pack formats are reconfigured at each switch."""
    _, after = apply(big_gemm_kernel, "insert_compute_init", spill="partials")
    text = body_text(after, "compute")
    assert ('T.call_extern("void", "reconfig_data_format_srca", 24)\n'
            '                    T.call_extern("void", "copy_init", 24)') in text
    assert ('T.call_extern("void", "reconfig_data_format_srca", 1)\n'
            '                T.call_extern("void", "matmul_init", 0, 1, 0)') in text
    assert 'T.call_extern("void", "pack_reconfig_data_format", 24)' in text


def test_transpose_flag_reaches_matmul_init():
    """transpose_B gemms init with transpose = 1."""
    from conftest import kernels
    _, after = apply(kernels.matmul(128, 128, 128, 64, 64, 64, tb=True), "insert_compute_init")
    assert 'T.call_extern("void", "matmul_init", 0, 1, 1)' in body_text(after, "compute")


def test_sfpu_inits_at_each_switch():
    """copy -> exp -> add_binary -> ... each gets its init; a copy+SFPU kernel starts the
    hardware with its first copy's CB on both unpackers."""
    import tt_ir.language as T
    _, after = apply(kernels.expression(lambda a, b, c: T.exp(a) + T.exp(b) - (c * 2.0)),
                     "insert_compute_init")
    text = body_text(after, "compute")
    assert 'T.call_extern("void", "compute_kernel_hw_startup", 0, 0, 16)' in text
    order = [line.split('"')[3] for line in text.splitlines() if "_init" in line]
    assert order == ["copy_init", "exp_tile_init", "copy_init", "exp_tile_init",
                     "add_binary_tile_init", "copy_init", "binop_with_scalar_tile_init",
                     "sub_binary_tile_init"]


def test_reduction_inits():
    """hw_startup takes the reduction's source, scaler and output CBs; fill_tile_init goes
    before the -inf fill; the explicit reduce_init is kept (no second init)."""
    _, after = apply(kernels.row_reduce("max"), "insert_compute_init")
    text = body_text(after, "compute")
    assert 'T.call_extern("void", "compute_kernel_hw_startup", 0, 1, 16)' in text
    fill = text.index('"fill_tile_init"')
    assert fill < text.index('"fill_tile_bitcast"') < text.index('"reduce_init<PoolType::MAX')
    assert text.count("reduce_init<") == 1 and "copy_init" not in text


def test_bcast_init():
    """A column-vector multiply: mul_bcast_cols_init(A, V) hoisted out of the block loop."""
    _, after = apply(kernels.bcast(lambda A, V, i, j: A[i, j] * V[i, 0], bn=128),
                     "insert_compute_init")
    text = body_text(after, "compute")
    assert ('T.call_extern("void", "compute_kernel_hw_startup", 0, 1, 16)\n'
            '    T.call_extern("void", "mul_bcast_cols_init", 0, 1)\n'
            '    for b in range(block_count):') in text


def test_softmax_inits_after_reduce():
    """After the row max (its own reduce_init/uninit): sub_bcast_cols_init(A, M) inside the
    loop (the reduction re-programs the engines each block), then exp_tile_init."""
    _, after = apply(kernels.softmax_num(), "insert_compute_init")
    text = body_text(after, "compute")
    assert 'T.call_extern("void", "compute_kernel_hw_startup", 0, 24, 16)' in text
    assert text.index('"reduce_uninit"') < text.index('"sub_bcast_cols_init", 0, 24)') \
        < text.index('"sub_tiles_bcast_cols"') < text.index('"exp_tile_init"')
