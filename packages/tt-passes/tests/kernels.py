import tt_ir.language as T


def matmul(M, N, K, bm, bn, bk, dtype=T.bfloat16, accum=T.float32, stages=3, relu=True, tb=False):
    @T.prim_func
    def matmul(A: T.Tensor((M, K), dtype), B: T.Tensor(((N, K) if tb else (K, N)), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm), threads=128) as (bx, by):
            A_shared = T.alloc_shared((bm, bk), dtype)
            B_shared = T.alloc_shared(((bn, bk) if tb else (bk, bn)), dtype)
            C_local = T.alloc_fragment((bm, bn), accum)
            T.clear(C_local)
            for k in T.Pipelined(T.ceildiv(K, bk), num_stages=stages):
                T.copy(A[by * bm, k * bk], A_shared)
                if tb:
                    T.copy(B[bx * bn, k * bk], B_shared)
                else:
                    T.copy(B[k * bk, bx * bn], B_shared)
                T.gemm(A_shared, B_shared, C_local, transpose_B=tb)
            if relu:
                for i, j in T.Parallel(bm, bn):
                    C_local[i, j] = T.max(C_local[i, j], 0)
            T.copy(C_local, C[by * bm, bx * bn])
    return matmul

def eltwise_add(M=256, N=256, bm=64, bn=128, dtype=T.bfloat16):
    @T.prim_func
    def eltwise_add(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm), threads=128) as (bx, by):
            A_shared = T.alloc_shared((bm, bn), dtype)
            B_shared = T.alloc_shared((bm, bn), dtype)
            C_local = T.alloc_fragment((bm, bn), dtype)
            T.copy(A[by * bm, bx * bn], A_shared)
            T.copy(B[by * bm, bx * bn], B_shared)
            for i, j in T.Parallel(bm, bn):
                C_local[i, j] = A_shared[i, j] + B_shared[i, j]
            T.copy(C_local, C[by * bm, bx * bn])
    return eltwise_add

if __name__ == "__main__":
    print(matmul(256, 256, 256, 64, 64, 32).script())
    print(eltwise_add().script())


def eltwise(op="add", M=256, N=256, bm=64, bn=128, dtype=T.bfloat16):
    """C = A <op> B with T.copy to shared, T.Parallel, T.copy out."""
    @T.prim_func
    def eltwise_op(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm), threads=128) as (bx, by):
            A_shared = T.alloc_shared((bm, bn), dtype)
            B_shared = T.alloc_shared((bm, bn), dtype)
            C_local = T.alloc_fragment((bm, bn), dtype)
            T.copy(A[by * bm, bx * bn], A_shared)
            T.copy(B[by * bm, bx * bn], B_shared)
            for i, j in T.Parallel(bm, bn):
                if op == "add":
                    C_local[i, j] = A_shared[i, j] + B_shared[i, j]
                elif op == "sub":
                    C_local[i, j] = A_shared[i, j] - B_shared[i, j]
                elif op == "mul":
                    C_local[i, j] = A_shared[i, j] * B_shared[i, j]
                else:
                    C_local[i, j] = A_shared[i, j] / B_shared[i, j]
            T.copy(C_local, C[by * bm, bx * bn])
    return eltwise_op


def reduce_kernel(M=64, N=64, dtype=T.float32):
    """A row-max reduction of a shared block."""
    @T.prim_func
    def rmax(A: T.Tensor((M, N), dtype), C: T.Tensor((M, 32), dtype)):
        with T.Kernel(1, 1) as (_bx, _by):
            A_s = T.alloc_shared((M, N), dtype)
            C_l = T.alloc_fragment((M, 1), dtype)
            T.copy(A[0, 0], A_s)
            T.reduce_max(A_s, C_l, dim=1)
            T.copy(C_l, C[0, 0])
    return rmax


def pure_copy(M=64, N=64, dtype=T.bfloat16):
    """A tensor-to-tensor copy through shared memory, with no compute."""
    @T.prim_func
    def copy_only(A: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(1, 1) as (_bx, _by):
            S = T.alloc_shared((M, N), dtype)
            T.copy(A[0, 0], S)
            T.copy(S, C[0, 0])
    return copy_only


def expression(fn, M=128, N=128, bm=64, bn=64, dtype=T.bfloat16):
    """C = fn(A, B, D) in one T.Parallel over bm x bn blocks (fn must read all three)."""

    @T.prim_func
    def expr3(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype), D: T.Tensor((M, N), dtype),
              C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm), threads=128) as (bx, by):
            A_s = T.alloc_shared((bm, bn), dtype)
            B_s = T.alloc_shared((bm, bn), dtype)
            D_s = T.alloc_shared((bm, bn), dtype)
            C_l = T.alloc_fragment((bm, bn), dtype)
            T.copy(A[by * bm, bx * bn], A_s)
            T.copy(B[by * bm, bx * bn], B_s)
            T.copy(D[by * bm, bx * bn], D_s)
            for i, j in T.Parallel(bm, bn):
                C_l[i, j] = fn(A_s[i, j], B_s[i, j], D_s[i, j])
            T.copy(C_l, C[by * bm, bx * bn])
    return expr3


def gemm_epilogue(fn, M=128, N=128, K=128, bm=64, bn=64, bk=32, dtype=T.bfloat16, accum=T.float32):
    """C = fn(A @ B, Bias) with fn applied to the accumulator in a T.Parallel after the K loop."""
    @T.prim_func
    def gemm_bias(A: T.Tensor((M, K), dtype), B: T.Tensor((K, N), dtype),
                  Bias: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm), threads=128) as (bx, by):
            A_s = T.alloc_shared((bm, bk), dtype)
            B_s = T.alloc_shared((bk, bn), dtype)
            Bias_s = T.alloc_shared((bm, bn), dtype)
            C_l = T.alloc_fragment((bm, bn), accum)
            T.clear(C_l)
            for k in T.Pipelined(T.ceildiv(K, bk), num_stages=2):
                T.copy(A[by * bm, k * bk], A_s)
                T.copy(B[k * bk, bx * bn], B_s)
                T.gemm(A_s, B_s, C_l)
            T.copy(Bias[by * bm, bx * bn], Bias_s)
            for i, j in T.Parallel(bm, bn):
                C_l[i, j] = fn(C_l[i, j], Bias_s[i, j])
            T.copy(C_l, C[by * bm, bx * bn])
    return gemm_bias


def row_reduce(kind="sum", M=128, N=128, bm=64, dtype=T.bfloat16):
    """S[:, 0] = reduce_<kind> over each row of A (column 0 of an (M, 32) tensor)."""
    op = {"sum": T.reduce_sum, "max": T.reduce_max, "min": T.reduce_min}[kind]

    @T.prim_func
    def row_reduce(A: T.Tensor((M, N), dtype), S: T.Tensor((M, 32), dtype)):
        with T.Kernel(T.ceildiv(M, bm), threads=128) as bx:
            A_l = T.alloc_fragment((bm, N), dtype)
            S_l = T.alloc_fragment((bm, 1), dtype)
            T.copy(A[bx * bm, 0], A_l)
            op(A_l, S_l, dim=1)
            T.copy(S_l, S[bx * bm, 0])
    return row_reduce


def col_reduce(kind="sum", M=64, N=512, bn=256, dtype=T.bfloat16):
    """S[0, :] = reduce_<kind> over each column of A (row 0 of a (32, N) tensor)."""
    op = {"sum": T.reduce_sum, "max": T.reduce_max}[kind]

    @T.prim_func
    def col_reduce(A: T.Tensor((M, N), dtype), S: T.Tensor((32, N), dtype)):
        with T.Kernel(T.ceildiv(N, bn), threads=128) as bx:
            A_l = T.alloc_fragment((M, bn), dtype)
            S_l = T.alloc_fragment((bn,), dtype)
            T.copy(A[0, bx * bn], A_l)
            op(A_l, S_l, dim=0)
            T.copy(S_l, S[0, bx * bn])
    return col_reduce


def softmax_num(M=128, N=128, bm=64, dtype=T.bfloat16):
    """C = exp(A - rowmax(A)): a row max used on chip, broadcast along rows (softmax)."""

    @T.prim_func
    def softmax_num(A: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(M, bm), threads=128) as bx:
            A_l = T.alloc_fragment((bm, N), dtype)
            M_l = T.alloc_fragment((bm,), dtype)
            C_l = T.alloc_fragment((bm, N), dtype)
            T.copy(A[bx * bm, 0], A_l)
            T.reduce_max(A_l, M_l, dim=1)
            for i, j in T.Parallel(bm, N):
                C_l[i, j] = T.exp(A_l[i, j] - M_l[i])
            T.copy(C_l, C[bx * bm, 0])
    return softmax_num


def bcast(fn, M=128, N=128, bm=64, bn=64, dtype=T.bfloat16):
    """C = fn(A_s, V_s, i, j): V_s (bm, 1) loaded from column 0 of an (M, 32) tensor."""

    @T.prim_func
    def bcast(A: T.Tensor((M, N), dtype), V: T.Tensor((M, 32), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm), threads=128) as (bx, by):
            A_s = T.alloc_shared((bm, bn), dtype)
            V_s = T.alloc_shared((bm, 1), dtype)
            C_l = T.alloc_fragment((bm, bn), dtype)
            T.copy(A[by * bm, bx * bn], A_s)
            T.copy(V[by * bm, 0], V_s)
            for i, j in T.Parallel(bm, bn):
                C_l[i, j] = fn(A_s, V_s, i, j)
            T.copy(C_l, C[by * bm, bx * bn])
    return bcast


def two_gemms(M=64, N=64, K=128, bk=32, dtype=T.bfloat16):
    """C = A @ B and E = A @ D, both accumulated over one K loop."""

    @T.prim_func
    def two_gemms(A: T.Tensor((M, K), dtype), B: T.Tensor((K, N), dtype), D: T.Tensor((K, N), dtype),
                  C: T.Tensor((M, N), dtype), E: T.Tensor((M, N), dtype)):
        with T.Kernel(1, 1, threads=128) as (bx, by):
            A_s = T.alloc_shared((M, bk), dtype)
            B_s = T.alloc_shared((bk, N), dtype)
            D_s = T.alloc_shared((bk, N), dtype)
            C_l = T.alloc_fragment((M, N), T.float32)
            E_l = T.alloc_fragment((M, N), T.float32)
            T.clear(C_l)
            T.clear(E_l)
            for k in T.Pipelined(K // bk, num_stages=2):
                T.copy(A[0, k * bk], A_s)
                T.copy(B[k * bk, 0], B_s)
                T.copy(D[k * bk, 0], D_s)
                T.gemm(A_s, B_s, C_l)
                T.gemm(A_s, D_s, E_l)
            T.copy(C_l, C[0, 0])
            T.copy(E_l, E[0, 0])
    return two_gemms


def direct_eltwise(M=128, N=256, bm=32, bn=64, dtype=T.float32, shifted=False):
    """TileLang's elementwise idiom: T.Parallel reads and writes the tensors directly."""

    @T.prim_func
    def direct(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm), threads=128) as (bx, by):
            start_x = bx * bn
            start_y = by * bm
            for local_y, local_x in T.Parallel(bm, bn):
                y = start_y + local_y
                x = start_x + local_x
                if shifted:
                    C[y, x] = A[y, x] + A[y, x + 1]
                else:
                    C[y, x] = A[y, x] + B[y, x]
    return direct


def staged_eltwise(M=128, N=256, bm=32, bn=64, dtype=T.float32):
    """`direct_eltwise` as a kernel that stages its tensors itself."""

    @T.prim_func
    def staged(A: T.Tensor((M, N), dtype), B: T.Tensor((M, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm), threads=128) as (bx, by):
            A_b = T.alloc_shared((bm, bn), dtype)
            T.copy(A[by * bm, bx * bn], A_b)
            B_b = T.alloc_shared((bm, bn), dtype)
            T.copy(B[by * bm, bx * bn], B_b)
            C_b = T.alloc_fragment((bm, bn), dtype)
            for i, j in T.Parallel(bm, bn):
                C_b[i, j] = A_b[i, j] + B_b[i, j]
            T.copy(C_b, C[by * bm, bx * bn])
    return staged


def attention(seq=128, dim=64, bm=64, bn=64, causal=True, layout="bhsd", heads=2, dtype=T.bfloat16):
    """One flash-attention forward in TileLang's structure (mask, S = Q @ K^T onto it, online
    softmax, acc_o rescaled between the gemms, acc_o / lsum)."""
    accum = T.float32
    shape = [1, heads, seq, dim] if layout == "bhsd" else [1, seq, heads, dim]

    def rows(X, h, r, n):
        return X[0, h, r:r + n, :] if layout == "bhsd" else X[0, r:r + n, h, :]

    @T.prim_func
    def attention(Q: T.Tensor(shape, dtype), K: T.Tensor(shape, dtype), V: T.Tensor(shape, dtype),
                  Out: T.Tensor(shape, dtype)):
        with T.Kernel(seq // bm, heads) as (bx, by):
            q = T.alloc_shared([bm, dim], dtype)
            k_s = T.alloc_shared([bn, dim], dtype)
            v_s = T.alloc_shared([bn, dim], dtype)
            S = T.alloc_fragment([bm, bn], accum)
            P = T.alloc_fragment([bm, bn], dtype)
            acc = T.alloc_fragment([bm, dim], accum)
            m = T.alloc_fragment([bm], accum)
            m_old = T.alloc_fragment([bm], accum)
            r = T.alloc_fragment([bm], accum)
            s = T.alloc_fragment([bm], accum)
            lsum = T.alloc_fragment([bm], accum)
            T.copy(rows(Q, by, bx * bm, bm), q)
            T.fill(acc, 0)
            T.fill(lsum, 0)
            T.fill(m, -T.infinity(accum))
            for kb in T.Pipelined(T.min(seq // bn, T.ceildiv((bx + 1) * bm, bn)) if causal else seq // bn):
                T.copy(rows(K, by, kb * bn, bn), k_s)
                if causal:
                    for i, j in T.Parallel(bm, bn):
                        S[i, j] = T.if_then_else(bx * bm + i >= kb * bn + j, 0, -T.infinity(accum))
                else:
                    T.clear(S)
                T.gemm(q, k_s, S, transpose_B=True)
                T.copy(m, m_old)
                T.reduce_max(S, m, dim=1, clear=False)
                for i in T.Parallel(bm):
                    r[i] = T.exp2(m_old[i] - m[i])
                for i, j in T.Parallel(bm, bn):
                    S[i, j] = T.exp2(S[i, j] - m[i])
                T.reduce_sum(S, s, dim=1)
                for i in T.Parallel(bm):
                    lsum[i] = lsum[i] * r[i] + s[i]
                T.copy(S, P)
                for i, j in T.Parallel(bm, dim):
                    acc[i, j] *= r[i]
                T.copy(rows(V, by, kb * bn, bn), v_s)
                T.gemm(P, v_s, acc)
            for i, j in T.Parallel(bm, dim):
                acc[i, j] /= lsum[i]
            T.copy(acc, rows(Out, by, bx * bm, bm))
    return attention


def tensor_cast(M=64, N=128, bm=32, bn=64, src=T.float32, dst=T.bfloat16):
    """A block copied straight from one tensor to another of a different dtype."""

    @T.prim_func
    def cast(A: T.Tensor((M, N), src), B: T.Tensor((M, N), dst)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm)) as (bx, by):
            T.copy(A[by * bm:(by + 1) * bm, bx * bn:(bx + 1) * bn],
                   B[by * bm:(by + 1) * bm, bx * bn:(bx + 1) * bn])
    return cast


def staged_cast(M=64, N=128, bm=32, bn=64, src=T.float32, dst=T.bfloat16):
    """`tensor_cast` as a kernel that stages the block itself."""

    @T.prim_func
    def cast(A: T.Tensor((M, N), src), B: T.Tensor((M, N), dst)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm)) as (bx, by):
            A_b = T.alloc_shared((bm, bn), src)
            T.copy(A[by * bm:(by + 1) * bm, bx * bn:(bx + 1) * bn], A_b)
            T.copy(A_b, B[by * bm:(by + 1) * bm, bx * bn:(bx + 1) * bn])
    return cast


def vector_cast(M=256, src=T.float16, dst=T.float32):
    """A rank-1 tensor through two fragments and a 1-D T.Parallel."""

    @T.prim_func
    def cast(A: T.Tensor((M,), src), B: T.Tensor((M,), dst)):
        with T.Kernel(1):
            a = T.alloc_fragment((M,), src)
            b = T.alloc_fragment((M,), dst)
            T.copy(A, a)
            for i in T.Parallel(M):
                b[i] = a[i]
            T.copy(b, B)
    return cast


def conv(N=1, H=8, W=8, C=32, F=32, k=3, pad=1, bm=32, bn=32, bk=32, dtype=T.bfloat16):
    """A 3x3 convolution: an im2col gather and a flat weight view into a GEMM."""
    OH = OW = H + 2 * pad - k + 1

    @T.prim_func
    def conv2d(img: T.Tensor((N, H, W, C), dtype), wts: T.Tensor((k, k, C, F), dtype),
               out: T.Tensor((N, OH, OW, F), dtype)):
        with T.Kernel(T.ceildiv(F, bn), T.ceildiv(N * OH * OW, bm)) as (bx, by):
            patch = T.alloc_shared((bm, bk), dtype)
            w_s = T.alloc_shared((bk, bn), dtype)
            acc = T.alloc_fragment((bm, bn), T.float32)
            w_flat = T.Tensor((k * k * C, F), dtype, wts.data)
            out_flat = T.Tensor((N * OH * OW, F), dtype, out.data)
            T.clear(acc)
            for kk in T.Pipelined(T.ceildiv(k * k * C, bk), num_stages=2):
                T.im2col(img, patch, by, kk, k, 1, 1, pad)
                T.copy(w_flat[kk * bk, bx * bn], w_s)
                T.gemm(patch, w_s, acc)
            T.copy(acc, out_flat[by * bm, bx * bn])
    return conv2d


def flat_view(M=64, N=64, bm=32, dtype=T.float32):
    """A (2, M/2, N) tensor copied through its (M, N) view."""

    @T.prim_func
    def view(A: T.Tensor((2, M // 2, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(M, bm)) as by:
            A_flat = T.Tensor((M, N), dtype, A.data)
            s = T.alloc_shared((bm, N), dtype)
            T.copy(A_flat[by * bm, 0], s)
            T.copy(s, C[by * bm, 0])
    return view


def folded_rows(M=64, N=64, bm=32, dtype=T.float32):
    """`flat_view` written on the tensor itself: the whole row in the row dim."""

    @T.prim_func
    def view(A: T.Tensor((2, M // 2, N), dtype), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(M, bm)) as by:
            s = T.alloc_shared((bm, N), dtype)
            T.copy(A[0, by * bm:by * bm + bm, 0:N], s)
            T.copy(s, C[by * bm, 0])
    return view


def column_store(M=64, G=4, bm=32, gathered=False):
    """Each block writes its rows' maxima into column `by` of a narrow (M, G) tensor; with
    `gathered`, the same kernel as canonicalize_tile_program should make it: the column
    axis a loop, the columns selected into one fragment, one copy out."""

    @T.prim_func
    def cols(X: T.Tensor((M, G * 32), T.float32), S: T.Tensor((M, G), T.float32)):
        with T.Kernel(T.ceildiv(M, bm), G) as (bx, by):
            x = T.alloc_shared((bm, 32), T.float32)
            m = T.alloc_fragment((bm,), T.float32)
            T.copy(X[bx * bm, by * 32], x)
            T.reduce_max(x, m, dim=1)
            for i in T.Parallel(bm):
                S[bx * bm + i, by] = m[i]

    @T.prim_func
    def cols_gathered(X: T.Tensor((M, G * 32), T.float32), S: T.Tensor((M, G), T.float32)):
        with T.Kernel(T.ceildiv(M, bm)) as bx:
            S_cols = T.alloc_fragment((bm, 32), T.float32)
            T.fill(S_cols, T.float32(0))
            for by in T.serial(G):
                x = T.alloc_shared((bm, 32), T.float32)
                m = T.alloc_fragment((bm,), T.float32)
                T.copy(X[bx * bm, by * 32], x)
                T.reduce_max(x, m, dim=1)
                for i, j in T.Parallel(bm, 32):
                    S_cols[i, j] = T.if_then_else(j == by, m[i], S_cols[i, j])
            T.copy(S_cols, S[bx * bm, 0])

    return cols_gathered if gathered else cols


def index_argmax(M=64, N=128, bm=32, explicit=False):
    """Where each row's maximum is: `j` used as a value (`T.if_then_else(x == top, j, -1)`);
    with `explicit`, the same kernel as canonicalize_tile_program should make it: the index
    written into its own int32 block first."""

    @T.prim_func
    def argmax(X: T.Tensor((M, N), T.float32), Where: T.Tensor((M, N), T.int32)):
        with T.Kernel(T.ceildiv(M, bm)) as bx:
            x = T.alloc_shared((bm, N), T.float32)
            top = T.alloc_fragment((bm,), T.float32)
            where = T.alloc_fragment((bm, N), T.int32)
            T.copy(X[bx * bm, 0], x)
            T.reduce_max(x, top, dim=1)
            for i, j in T.Parallel(bm, N):
                where[i, j] = T.if_then_else(x[i, j] == top[i], j, -1)
            T.copy(where, Where[bx * bm, 0])

    @T.prim_func
    def argmax_explicit(X: T.Tensor((M, N), T.float32), Where: T.Tensor((M, N), T.int32)):
        with T.Kernel(T.ceildiv(M, bm)) as bx:
            x = T.alloc_shared((bm, N), T.float32)
            top = T.alloc_fragment((bm,), T.float32)
            where = T.alloc_fragment((bm, N), T.int32)
            T.copy(X[bx * bm, 0], x)
            T.reduce_max(x, top, dim=1)
            where_index = T.alloc_fragment((bm, N), T.int32)
            for i, j in T.Parallel(bm, N):
                where_index[i, j] = j
            for i, j in T.Parallel(bm, N):
                where[i, j] = T.if_then_else(x[i, j] == top[i], where_index[i, j], -1)
            T.copy(where, Where[bx * bm, 0])

    return argmax_explicit if explicit else argmax


def loop_update(M=64, N=128, bm=32, n=3, dtype=T.float32, explicit=False):
    """A block loaded once and halved in place `n` times by a serial loop; with `explicit`,
    the same kernel as canonicalize_tile_program should make it: loaded into `x_in` and
    copied on chip into `x`."""

    @T.prim_func
    def halve(X: T.Tensor((M, N), dtype), Y: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(M, bm)) as bx:
            x = T.alloc_fragment((bm, N), dtype)
            T.copy(X[bx * bm, 0], x)
            for _ in T.serial(n):
                for i, j in T.Parallel(bm, N):
                    x[i, j] = x[i, j] * 2
            T.copy(x, Y[bx * bm, 0])

    @T.prim_func
    def halve_explicit(X: T.Tensor((M, N), dtype), Y: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(M, bm)) as bx:
            x = T.alloc_fragment((bm, N), dtype)
            x_in = T.alloc_fragment((bm, N), dtype)
            T.copy(X[bx * bm, 0], x_in)
            T.copy(x_in, x)
            for _ in T.serial(n):
                for i, j in T.Parallel(bm, N):
                    x[i, j] = x[i, j] * 2
            T.copy(x, Y[bx * bm, 0])

    return halve_explicit if explicit else halve


def int4_unpack(N=64, K=128, bn=32, bk=64):
    """int4 pairs packed in bytes, unpacked in a T.Parallel nest (`j // 2`, shifts, a
    reinterpret) from a block copied through shared and fragment buffers."""

    @T.prim_func
    def unpack(Bq: T.Tensor((N, K // 2), T.uint8), W: T.Tensor((N, K), T.int8)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(K, bk)) as (bx, by):
            packed = T.alloc_shared((bn, bk // 2), T.uint8)
            local = T.alloc_fragment((bn, bk // 2), T.uint8)
            w = T.alloc_fragment((bn, bk), T.int8)
            T.copy(Bq[bx * bn, by * bk // 2], packed)
            T.copy(packed, local)
            for i, j in T.Parallel(bn, bk):
                w[i, j] = T.reinterpret("int8", ((local[i, j // 2] >> (T.Cast("uint8", j % 2) * T.uint8(4)))
                                                 & T.uint8(15)) << T.uint8(4)) >> T.int8(4)
            T.copy(w, W[bx * bn, by * bk])

    return unpack


def int8_weight_gemm(M=64, N=64, K=128, bm=32, bn=32, bk=64, dtype=T.bfloat16):
    """X @ W with W held as int8 and cast on chip (`w[i, j] = T.Cast(dtype, wq[i, j])`)."""

    @T.prim_func
    def gemm(X: T.Tensor((M, K), dtype), Wq: T.Tensor((K, N), T.int8), C: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm)) as (bx, by):
            x = T.alloc_shared((bm, bk), dtype)
            wq = T.alloc_fragment((bk, bn), T.int8)
            w = T.alloc_fragment((bk, bn), dtype)
            acc = T.alloc_fragment((bm, bn), T.float32)
            T.clear(acc)
            for k in T.Pipelined(T.ceildiv(K, bk), num_stages=2):
                T.copy(X[by * bm, k * bk], x)
                T.copy(Wq[k * bk, bx * bn], wq)
                for i, j in T.Parallel(bk, bn):
                    w[i, j] = T.Cast(dtype, wq[i, j])
                T.gemm(x, w, acc)
            T.copy(acc, C[by * bm, bx * bn])

    return gemm


def causal_mask(M=64, N=64, bm=32, bn=32, dtype=T.bfloat16):
    """Y = X where the global row is at least the column, else 0 (an index mask on a value)."""

    @T.prim_func
    def mask(X: T.Tensor((M, N), dtype), Y: T.Tensor((M, N), dtype)):
        with T.Kernel(T.ceildiv(N, bn), T.ceildiv(M, bm)) as (bx, by):
            x = T.alloc_fragment((bm, bn), dtype)
            y = T.alloc_fragment((bm, bn), dtype)
            T.copy(X[by * bm, bx * bn], x)
            for i, j in T.Parallel(bm, bn):
                y[i, j] = T.if_then_else(by * bm + i >= bx * bn + j, x[i, j], 0)
            T.copy(y, Y[by * bm, bx * bn])

    return mask


def two_casts(M=64, N=64):
    """One float32 tensor copied to a bfloat16 and to a float16 tensor."""

    @T.prim_func
    def casts(A: T.Tensor((M, N), T.float32), B: T.Tensor((M, N), T.bfloat16),
              C: T.Tensor((M, N), T.float16)):
        with T.Kernel(1, 1) as (bx, by):
            T.copy(A[0:M, 0:N], B[0:M, 0:N])
            T.copy(A[0:M, 0:N], C[0:M, 0:N])

    return casts
