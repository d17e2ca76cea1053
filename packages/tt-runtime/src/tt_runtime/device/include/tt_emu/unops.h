// unops.h -- every SFPU op on one DST tile the emulator computes, one line each (no include
// guard: read once for the Unop enum in kernel_abi.h, and for the init check, the math and the
// counter names in compute.cpp):
//
//   TT_EMU_UNOP(Enum, "counter", "its init call", y as an expression of float x and float p)
//
// x is one element of the tile, p the call's parameter (a scalar's fp32 bits); the math is exact
// float32 (the emulator's choice: silicon's SFPU approximates the transcendental functions).
// The counter appears in reports as "sfpu_<counter>". Adding an op: its line here, and its
// TT-Metalium call in the api/compute header that declares it in the SDK.
TT_EMU_UNOP(Relu, "relu", "relu_tile_init", x > 0.f ? x : 0.f)
TT_EMU_UNOP(ReluMax, "relu_max", "relu_max_tile_init", x > 0.f ? (x < p ? x : p) : 0.f)
TT_EMU_UNOP(ReluMin, "relu_min", "relu_min_tile_init", x > p ? x : 0.f)
TT_EMU_UNOP(Exp, "exp", "exp_tile_init", std::exp(x))
TT_EMU_UNOP(Exp2, "exp2", "exp2_tile_init", std::exp2(x))
TT_EMU_UNOP(Log, "log", "log_tile_init", std::log(x))
TT_EMU_UNOP(Log1p, "log1p", "log1p_tile_init", std::log1p(x))
TT_EMU_UNOP(Sqrt, "sqrt", "sqrt_tile_init", std::sqrt(x))
TT_EMU_UNOP(Rsqrt, "rsqrt", "rsqrt_tile_init", 1.f / std::sqrt(x))
TT_EMU_UNOP(Recip, "recip", "recip_tile_init", 1.f / x)
TT_EMU_UNOP(Sigmoid, "sigmoid", "sigmoid_tile_init", 1.f / (1.f + std::exp(-x)))
TT_EMU_UNOP(Tanh, "tanh", "tanh_tile_init", std::tanh(x))
TT_EMU_UNOP(Gelu, "gelu", "gelu_tile_init", 0.5f * x * (1.f + std::erf(x * 0.70710678f)))
TT_EMU_UNOP(Silu, "silu", "silu_tile_init", x / (1.f + std::exp(-x)))
TT_EMU_UNOP(Sin, "sin", "sin_tile_init", std::sin(x))
TT_EMU_UNOP(Cos, "cos", "cos_tile_init", std::cos(x))
TT_EMU_UNOP(Tan, "tan", "tan_tile_init", std::tan(x))
TT_EMU_UNOP(Abs, "abs", "abs_tile_init", std::fabs(x))
TT_EMU_UNOP(Neg, "negative", "negative_tile_init", -x)
TT_EMU_UNOP(Square, "square", "square_tile_init", x * x)
TT_EMU_UNOP(Sign, "sign", "sign_tile_init", x > 0.f ? 1.f : (x < 0.f ? -1.f : 0.f))
TT_EMU_UNOP(Fill, "fill", "fill_tile_init", p)
TT_EMU_UNOP(AddScalar, "add_scalar", "binop_with_scalar_tile_init", x + p)
TT_EMU_UNOP(SubScalar, "sub_scalar", "binop_with_scalar_tile_init", x - p)
TT_EMU_UNOP(MulScalar, "mul_scalar", "binop_with_scalar_tile_init", x * p)
TT_EMU_UNOP(DivScalar, "div_scalar", "binop_with_scalar_tile_init", x / p)
TT_EMU_UNOP(RsubScalar, "rsub_scalar", "binop_with_scalar_tile_init", p - x)
TT_EMU_UNOP(MaxScalar, "max_scalar", "unary_max_tile_init", x > p ? x : p)
TT_EMU_UNOP(MinScalar, "min_scalar", "unary_min_tile_init", x < p ? x : p)
TT_EMU_UNOP(Gtz, "gtz", "gtz_tile_init", x > 0.f ? 1.f : 0.f)
TT_EMU_UNOP(Gez, "gez", "gez_tile_init", x >= 0.f ? 1.f : 0.f)
TT_EMU_UNOP(Ltz, "ltz", "ltz_tile_init", x < 0.f ? 1.f : 0.f)
TT_EMU_UNOP(Lez, "lez", "lez_tile_init", x <= 0.f ? 1.f : 0.f)
TT_EMU_UNOP(Eqz, "eqz", "eqz_tile_init", x == 0.f ? 1.f : 0.f)
TT_EMU_UNOP(Nez, "nez", "nez_tile_init", x != 0.f ? 1.f : 0.f)
TT_EMU_UNOP(Trunc, "trunc", "rounding_op_tile_init", std::trunc(x))
TT_EMU_UNOP(Floor, "floor", "rounding_op_tile_init", std::floor(x))
TT_EMU_UNOP(Ceil, "ceil", "rounding_op_tile_init", std::ceil(x))
