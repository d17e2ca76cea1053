// sdk-check stand-in for SFPI's sfpi.h, written for parsing only (no semantics).
//
// The real header ships with the SFPI toolchain (GitHub releases), not in the ttnn wheel.
// Every TRISC translation unit includes it, so compute kernels cannot be checked against
// the real compute API / LLK headers without something in its place. This file declares the
// SFPI surface that tt-llk and the ckernel SFPU library use, permissively: vector types
// convert freely, intrinsics are variadic templates grouped by result type. It checks
// nothing below the compute API; a diagnostic located here is a stand-in gap, not a bug in
// the generated kernel (tt_codegen.sdk_check reports the two separately).
#pragma once
#include <cstdint>
#include <type_traits>
#include <utility>

#define sfpi_inline inline __attribute__((always_inline))

namespace sfpi {

namespace detail {
template <class... A>
sfpi_inline int sink(A&&...) { return 0; }
}  // namespace detail

// ---- enums and constants -------------------------------------------------------------
enum class RoundMode { NearestEven, Nearest, NearestAway, Stochastic, NearestStochastic, ToZero };
enum class DataLayout { Default, None, F32, F16a, F16b, FSrcB, I32, U32, U16, U8, M32, SM32, SM16, SM8 };
enum class ExponentMode { Debias, Biased };
enum class MantissaMode { ImplicitOne, NoImplicitOne };
enum class ShiftMode { Logical, Arithmetic };
enum class LutSign { Retain, Update };
enum class LutMode { Fp8x3, Fp16x6_HWM3 };
enum class FractionalHalf { Low, High };
enum LRegs { LReg0, LReg1, LReg2, LReg3, LReg4, LReg5, LReg6, LReg7, LRegCount };

constexpr int SFP_DESTREG_STRIDE = 2;
constexpr int SFP_SRCSREG_STRIDE = 2;
constexpr int CREG_IDX_0P837300003 = 8;
constexpr int CREG_IDX_TILEID = 15;
constexpr int CREG_IDX_LUT_SLOPES = 12;

#define SFPI_MOD(name, value) constexpr int name = value;
SFPI_MOD(SFPLOADI_MOD0_FLOATB, 0) SFPI_MOD(SFPLOADI_MOD0_FLOATA, 1) SFPI_MOD(SFPLOADI_MOD0_USHORT, 2)
SFPI_MOD(SFPLOADI_MOD0_SHORT, 4) SFPI_MOD(SFPLOADI_MOD0_UPPER, 8) SFPI_MOD(SFPLOADI_MOD0_LOWER, 10)
SFPI_MOD(SFPLOAD_MOD0_FMT_SRCB, 0) SFPI_MOD(SFPLOAD_MOD0_FMT_FP16A, 1) SFPI_MOD(SFPLOAD_MOD0_FMT_FP16B, 2)
SFPI_MOD(SFPLOAD_MOD0_FMT_FP32, 3) SFPI_MOD(SFPLOAD_MOD0_FMT_INT32, 4) SFPI_MOD(SFPLOAD_MOD0_FMT_UINT16, 6)
SFPI_MOD(SFPLOAD_MOD0_FMT_LO16, 6) SFPI_MOD(SFPLOAD_MOD0_FMT_HI16, 7) SFPI_MOD(SFPLOAD_MOD0_FMT_INT32_TO_SM, 12)
SFPI_MOD(SFPSTORE_MOD0_FMT_SRCB, 0) SFPI_MOD(SFPSTORE_MOD0_FMT_FP16A, 1) SFPI_MOD(SFPSTORE_MOD0_FMT_FP16B, 2)
SFPI_MOD(SFPSTORE_MOD0_FMT_FP32, 3) SFPI_MOD(SFPSTORE_MOD0_FMT_INT32, 4) SFPI_MOD(SFPSTORE_MOD0_FMT_UINT16, 6)
SFPI_MOD(SFPMAD_MOD1_OFFSET_NONE, 0) SFPI_MOD(SFPMAD_MOD1_NEGATE_VA, 1) SFPI_MOD(SFPMAD_MOD1_NEGATE_VC, 2)
SFPI_MOD(SFPIADD_MOD1_ARG_LREG_DST, 0) SFPI_MOD(SFPIADD_MOD1_ARG_IMM, 1) SFPI_MOD(SFPIADD_MOD1_ARG_2SCOMP_LREG_DST, 2)
SFPI_MOD(SFPIADD_MOD1_CC_LT0, 0) SFPI_MOD(SFPIADD_MOD1_CC_NONE, 4) SFPI_MOD(SFPIADD_MOD1_CC_GTE0, 8)
SFPI_MOD(SFPSHFT2_MOD1_COPY4, 0) SFPI_MOD(SFPSHFT2_MOD1_SUBVEC_CHAINED_COPY4, 1) SFPI_MOD(SFPSHFT2_MOD1_SUBVEC_SHFLROR1, 3)
SFPI_MOD(SFPSHFT2_MOD1_SUBVEC_SHFLSHR1, 4) SFPI_MOD(SFPSHFT2_MOD1_SHFT_LREG, 5) SFPI_MOD(SFPSHFT2_MOD1_SHFT_IMM, 6)
SFPI_MOD(SFPSETCC_MOD1_LREG_LT0, 0) SFPI_MOD(SFPSETCC_MOD1_IMM_BIT0, 1) SFPI_MOD(SFPSETCC_MOD1_LREG_NE0, 2)
SFPI_MOD(SFPSETCC_MOD1_LREG_GTE0, 4) SFPI_MOD(SFPSETCC_MOD1_LREG_EQ0, 6) SFPI_MOD(SFPSETCC_MOD1_COMP, 8)
SFPI_MOD(SFPSWAP_MOD1_SWAP, 0) SFPI_MOD(SFPSWAP_MOD1_VEC_MIN_MAX, 1) SFPI_MOD(SFPSWAP_MOD1_SUBVEC_MIN01_MAX23, 2)
SFPI_MOD(SFPSTOCHRND_RND_EVEN, 0) SFPI_MOD(SFPSTOCHRND_RND_STOCH, 1)
SFPI_MOD(SFPSTOCHRND_MOD1_FP32_TO_FP16A, 0) SFPI_MOD(SFPSTOCHRND_MOD1_FP32_TO_FP16B, 1)
SFPI_MOD(SFPSTOCHRND_MOD1_FP32_TO_UINT8, 2) SFPI_MOD(SFPSTOCHRND_MOD1_FP32_TO_INT8, 3)
SFPI_MOD(SFPSTOCHRND_MOD1_INT32_TO_UINT8, 4) SFPI_MOD(SFPSTOCHRND_MOD1_INT32_TO_INT8, 5)
SFPI_MOD(SFPSTOCHRND_MOD1_FP32_TO_UINT16, 6) SFPI_MOD(SFPSTOCHRND_MOD1_FP32_TO_INT16, 7)
SFPI_MOD(SFPEXEXP_MOD1_DEBIAS, 0) SFPI_MOD(SFPEXEXP_MOD1_NODEBIAS, 1) SFPI_MOD(SFPEXEXP_MOD1_SET_CC_SGN_EXP, 2)
SFPI_MOD(SFPEXEXP_MOD1_SET_CC_COMP_EXP, 8) SFPI_MOD(SFPEXMAN_MOD1_PAD8, 0) SFPI_MOD(SFPEXMAN_MOD1_PAD9, 1)
SFPI_MOD(SFPCAST_MOD1_INT32_TO_FP32_RNE, 0) SFPI_MOD(SFPCAST_MOD1_SM32_TO_FP32_RNE, 0)
SFPI_MOD(SFPCAST_MOD1_INT32_TO_FP32_STOCH, 1) SFPI_MOD(SFPABS_MOD1_INT, 0) SFPI_MOD(SFPABS_MOD1_FLOAT, 1)
SFPI_MOD(SFPMUL24_MOD1_LOWER, 0) SFPI_MOD(SFPMUL24_MOD1_UPPER, 1) SFPI_MOD(SFPARECIP_MOD1_RECIP, 0)
SFPI_MOD(SFPARECIP_MOD1_EXP, 1) SFPI_MOD(SFPENCC_MOD1_EU_R1, 0) SFPI_MOD(SFPENCC_MOD1_EI_RI, 10)
SFPI_MOD(SFPENCC_IMM12_BOTH, 3) SFPI_MOD(SFPMOV_MOD1_CONFIG, 8) SFPI_MOD(SFPLZ_MOD1_CC_NONE, 0)
SFPI_MOD(SFPLZ_MOD1_CC_NE0, 2) SFPI_MOD(SFPCONFIG_SRC_RAND, 9) SFPI_MOD(SFPLUT_MOD0_SGN_UPDATE, 0)
SFPI_MOD(SFPLUT_MOD0_SGN_RETAIN, 4) SFPI_MOD(SFPLUTFP32_MOD0_FP16_6ENTRY_TABLE1, 10)
SFPI_MOD(SFPLUTFP32_MOD0_FP16_3ENTRY_TABLE, 2) SFPI_MOD(SFPLUTFP32_MOD0_FP32_3ENTRY_TABLE, 0)
#undef SFPI_MOD

// ---- vector types ---------------------------------------------------------------------
struct FloatF {};
struct IntF {};
struct AnyF {};
struct __rvtt_vec_t {
    int v = 0;
};

template <class F, int Tag>
struct vec;

struct vCond {
    bool b = false;
    sfpi_inline vCond() = default;
    sfpi_inline vCond(bool x) : b(x) {}
    // a vector as a condition, `v_if(value & SIGN)` (ckernel_sfpu_comp.h): lanes != 0
    template <class F, int Tag>
    sfpi_inline vCond(const vec<F, Tag>&) {}
    sfpi_inline vCond operator!() const { return vCond(!b); }
    sfpi_inline explicit operator bool() const { return b; }
};
sfpi_inline vCond operator&&(vCond a, vCond b) { return vCond(a.b && b.b); }
sfpi_inline vCond operator||(vCond a, vCond b) { return vCond(a.b || b.b); }
using vBool = vCond;

template <class F, int Tag>
struct vec;

template <class T>
struct is_vec : std::false_type {};
template <class F, int Tag>
struct is_vec<vec<F, Tag>> : std::true_type {};
struct RegProxy;  // dst_reg[i] is an operand too: `dst_reg[i] * v` (ckernel_sfpu_binary.h)
template <>
struct is_vec<RegProxy> : std::true_type {};

struct sFloat16a;
struct sFloat16b;
template <class T>
constexpr bool is_imm_v = std::is_same_v<T, sFloat16a> || std::is_same_v<T, sFloat16b>;
template <class T>
constexpr bool is_operand_v = is_vec<std::decay_t<T>>::value || std::is_arithmetic_v<std::decay_t<T>> ||
                              std::is_enum_v<std::decay_t<T>> || is_imm_v<std::decay_t<T>>;

template <class F, int Tag>
struct vec {
    __rvtt_vec_t reg;
    sfpi_inline vec() = default;
    sfpi_inline vec(__rvtt_vec_t r) : reg(r) {}
    template <class G, int U>
    sfpi_inline vec(const vec<G, U>& o) : reg(o.reg) {}
    template <class S, std::enable_if_t<std::is_arithmetic_v<S> || std::is_enum_v<S>, int> = 0>
    sfpi_inline vec(S) {}
    // Scalar immediates (sFloat16a/b, sLut*) and LUT pairs: vLut16ss(a, b).
    template <class S, std::enable_if_t<std::is_class_v<S> && !is_vec<S>::value, int> = 0>
    sfpi_inline vec(const S&) {}
    template <class A, class B, class... R>
    sfpi_inline vec(const A&, const B&, const R&...) {}
    sfpi_inline __rvtt_vec_t get() const { return reg; }
    template <class G, int U>
    sfpi_inline vec& operator=(const vec<G, U>& o) { reg = o.reg; return *this; }
    template <class S, std::enable_if_t<std::is_arithmetic_v<S>, int> = 0>
    sfpi_inline vec& operator=(S) { return *this; }
    template <class T>
    sfpi_inline T as() const { return T(reg); }
    sfpi_inline vec operator-() const { return *this; }
    sfpi_inline vec operator~() const { return *this; }
    sfpi_inline vec& operator++() { return *this; }
    sfpi_inline vec operator++(int) { return *this; }
    sfpi_inline vec& operator--() { return *this; }
    sfpi_inline vec operator--(int) { return *this; }
    template <class T> sfpi_inline vec& operator+=(const T&) { return *this; }
    template <class T> sfpi_inline vec& operator-=(const T&) { return *this; }
    template <class T> sfpi_inline vec& operator*=(const T&) { return *this; }
    template <class T> sfpi_inline vec& operator&=(const T&) { return *this; }
    template <class T> sfpi_inline vec& operator|=(const T&) { return *this; }
    template <class T> sfpi_inline vec& operator^=(const T&) { return *this; }
    template <class T> sfpi_inline vec& operator<<=(const T&) { return *this; }
    template <class T> sfpi_inline vec& operator>>=(const T&) { return *this; }
};

using vFloat = vec<FloatF, 0>;
using vFloat16a = vec<FloatF, 1>;
using vFloat16b = vec<FloatF, 2>;
using vInt = vec<IntF, 0>;
using vUInt = vec<IntF, 1>;
using vMag = vec<IntF, 2>;
using vSMag = vec<IntF, 3>;
using vSMag8 = vec<IntF, 4>;
using vSMag16 = vec<IntF, 5>;
using vUInt8 = vec<IntF, 6>;
using vUInt16 = vec<IntF, 7>;
using vLut16ss = vec<AnyF, 1>;
using vLut16ii = vec<AnyF, 2>;
using vLut8si = vec<AnyF, 3>;
using vAny = vec<AnyF, 0>;

// Scalar encodings for immediates.
struct sFloat16a {
    sfpi_inline constexpr sFloat16a(float) {}
    sfpi_inline constexpr sFloat16a(std::uint32_t) {}
    sfpi_inline constexpr sFloat16a(int) {}
    sfpi_inline constexpr std::uint16_t get() const { return 0; }
};
struct sFloat16b {
    sfpi_inline constexpr sFloat16b(float) {}
    sfpi_inline constexpr sFloat16b(std::uint32_t) {}
    sfpi_inline constexpr sFloat16b(int) {}
    sfpi_inline constexpr std::uint16_t get() const { return 0; }
};
struct sLut16si {
    sfpi_inline constexpr sLut16si(float, float = 0) {}
};
struct sLut8si {
    sfpi_inline constexpr sLut8si(float, float = 0) {}
};

// Result type of a binary operator: the left vector type, else the right one.
template <class A, class B>
using vresult_t = std::conditional_t<is_vec<std::decay_t<A>>::value, std::decay_t<A>, std::decay_t<B>>;
template <class A, class B>
using enable_vec_op_t = std::enable_if_t<is_operand_v<A> && is_operand_v<B> &&
                                         (is_vec<std::decay_t<A>>::value || is_vec<std::decay_t<B>>::value), int>;

#define SFPI_BINARY(op)                                                          \
    template <class A, class B, enable_vec_op_t<A, B> = 0>                       \
    sfpi_inline vresult_t<A, B> operator op(const A&, const B&) { return {}; }
SFPI_BINARY(+) SFPI_BINARY(-) SFPI_BINARY(*) SFPI_BINARY(&) SFPI_BINARY(|) SFPI_BINARY(^)
SFPI_BINARY(<<) SFPI_BINARY(>>)
#undef SFPI_BINARY
#define SFPI_COMPARE(op)                                                         \
    template <class A, class B, enable_vec_op_t<A, B> = 0>                       \
    sfpi_inline vCond operator op(const A&, const B&) { return {}; }
SFPI_COMPARE(<) SFPI_COMPARE(<=) SFPI_COMPARE(>) SFPI_COMPARE(>=) SFPI_COMPARE(==) SFPI_COMPARE(!=)
#undef SFPI_COMPARE

// ---- registers --------------------------------------------------------------------------
struct RegProxy : vAny {
    using vAny::operator=;
    sfpi_inline RegProxy() = default;
    template <class G, int U>
    sfpi_inline RegProxy& operator=(const vec<G, U>& o) { reg = o.reg; return *this; }
    sfpi_inline RegProxy& operator=(const RegProxy& o) { reg = o.reg; return *this; }
    template <class... A>
    sfpi_inline RegProxy mode(A&&...) const { return *this; }
    template <DataLayout L>
    sfpi_inline RegProxy mode() const { return *this; }
    sfpi_inline bool in_use() const { return true; }
};

struct DstReg {
    template <class I>
    sfpi_inline RegProxy operator[](I) const { return {}; }
    sfpi_inline DstReg& operator++() { return *this; }
    sfpi_inline DstReg operator++(int) { return *this; }
    template <class I>
    sfpi_inline DstReg& operator+=(I) { return *this; }
};
struct LReg {
    template <class I>
    sfpi_inline RegProxy operator[](I) const { return {}; }
};
inline DstReg dst_reg;
inline LReg l_reg;

inline vAny vConst0, vConst1, vConstNeg1, vConst0p8373, vConstTileId;
inline vAny vConstFloatPrgm0, vConstFloatPrgm1, vConstFloatPrgm2;
inline vAny vConstIntPrgm0, vConstIntPrgm1, vConstIntPrgm2;

// ---- conversions ------------------------------------------------------------------------
template <class T, class V>
sfpi_inline T as(const V&) { return T(); }
template <class T, class V>
sfpi_inline T reinterpret(const V&) { return T(); }
template <class T, class V, class... A>
sfpi_inline T convert(const V&, A&&...) { return T(); }

// ---- intrinsics, grouped by result ------------------------------------------------------
#define SFPI_SAME(name) \
    template <class V, class... A> sfpi_inline std::decay_t<V> name(const V&, A&&...) { return {}; }
SFPI_SAME(abs) SFPI_SAME(copysgn) SFPI_SAME(clamp) SFPI_SAME(min) SFPI_SAME(max) SFPI_SAME(shft)
SFPI_SAME(symmetric_clamp) SFPI_SAME(nearby) SFPI_SAME(round) SFPI_SAME(subvec_shflror1)
#undef SFPI_SAME
#define SFPI_RET(type, name) \
    template <class... A> sfpi_inline type name(A&&...) { return {}; }
SFPI_RET(vFloat, setexp) SFPI_RET(vFloat, setman) SFPI_RET(vFloat, setsgn) SFPI_RET(vFloat, setsgn2)
SFPI_RET(vFloat, addexp) SFPI_RET(vFloat, lut) SFPI_RET(vFloat, lut2) SFPI_RET(vFloat, lut2_sign)
SFPI_RET(vFloat, int32_to_float) SFPI_RET(vFloat, approx_recip) SFPI_RET(vFloat, approx_exp)
SFPI_RET(vFloat, approx_sqrt) SFPI_RET(vFloat, copyman) SFPI_RET(vFloat, rectified_linear_unit)
SFPI_RET(vFloat, float_to_fp16a) SFPI_RET(vFloat, float_to_fp16b) SFPI_RET(vFloat, lut_sign)
SFPI_RET(vInt, exexp) SFPI_RET(vInt, exexp_nodebias) SFPI_RET(vInt, exman8) SFPI_RET(vInt, exman9)
SFPI_RET(vInt, exman) SFPI_RET(vInt, lz) SFPI_RET(vInt, lz_nosgn) SFPI_RET(vInt, fractional_mul)
SFPI_RET(vInt, float_to_int16) SFPI_RET(vUInt, float_to_uint16) SFPI_RET(vInt, float_to_int8)
SFPI_RET(vUInt, float_to_uint8) SFPI_RET(vUInt, int32_to_uint8) SFPI_RET(vInt, int32_to_int8)
SFPI_RET(vInt, mul24_lo) SFPI_RET(vInt, mul24_hi)
SFPI_RET(vCond, is_inf) SFPI_RET(vCond, is_nan) SFPI_RET(vCond, is_finite) SFPI_RET(vCond, is_pos)
SFPI_RET(vCond, is_neg)
#undef SFPI_RET
#define SFPI_VOID(name) \
    template <class... A> sfpi_inline void name(A&&...) {}
SFPI_VOID(vec_min_max) SFPI_VOID(subvec_transp) SFPI_VOID(lut_init)
#undef SFPI_VOID
template <class V>
sfpi_inline void min_max(V&, V&) {}

// A scope guard that tells the register allocator which LRegs are live.
struct lreg_pressure {
    sfpi_inline lreg_pressure() {}
};

}  // namespace sfpi

// Conditional execution: plain C++ blocks (the lanes are not modelled).
#define v_if(cond) { if (static_cast<bool>(::sfpi::vCond(cond))) {
#define v_elseif(cond) } else if (static_cast<bool>(::sfpi::vCond(cond))) {
#define v_else } else {
#define v_endif } }
#define v_block {
#define v_endblock }
#define v_and(cond) (void)::sfpi::vCond(cond)

// Raw SFPI builtins that tt-llk calls directly.
#define __builtin_rvtt_sfpmad(...) (::sfpi::detail::sink(__VA_ARGS__), ::sfpi::__rvtt_vec_t{})
#define __builtin_rvtt_sfpgt(...) (::sfpi::detail::sink(__VA_ARGS__), ::sfpi::__rvtt_vec_t{})
#define __builtin_rvtt_ttreplay(...) ((void)::sfpi::detail::sink(__VA_ARGS__))
