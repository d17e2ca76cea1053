// Loaded (RTLD_GLOBAL) into the mock session's Python before ttnn: lets the harness describe Float16 circular buffers.
//
// ttnn 0.81.1's Python DataType has no float16, so `ttnn.CBFormatDescriptor` cannot be given
// tt::DataFormat::Float16 (1) from Python. Its constructor converts the DataType through
// `tt::tt_metal::datatype_to_dataformat_converter`, which libtt_metal.so exports; this
// definition takes its place and maps DataType::FP8_E4M3 (8), which no corpus program uses,
// to Float16. Every other type goes to the library's own converter. The host stack then checks
// and JIT-builds the program with the real Float16 format.
#include <dlfcn.h>

#include <cstdint>

namespace tt {
enum class DataFormat : uint8_t {};
namespace tt_metal {
enum class DataType : uint32_t {};

DataFormat datatype_to_dataformat_converter(DataType type) {
    constexpr uint32_t kFp8E4m3 = 8;
    constexpr uint8_t kFloat16 = 1;
    if (static_cast<uint32_t>(type) == kFp8E4m3) {
        return static_cast<DataFormat>(kFloat16);
    }
    using Converter = DataFormat (*)(DataType);
    // Python loads libtt_metal.so privately (RTLD_LOCAL), so RTLD_NEXT cannot see it: ask it by name.
    static const Converter library = [] {
        void* lib = dlopen("libtt_metal.so", RTLD_NOW | RTLD_NOLOAD);
        return reinterpret_cast<Converter>(
            lib ? dlsym(lib, "_ZN2tt8tt_metal32datatype_to_dataformat_converterENS0_8DataTypeE") : nullptr);
    }();
    if (library == nullptr) {
        __builtin_trap();  // the library is not loaded: nothing could have called us
    }
    return library(type);
}

}  // namespace tt_metal
}  // namespace tt
