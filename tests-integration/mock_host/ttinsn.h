// For the mock build (riscv-tt-elf-g++ here): the Tensix instruction directive of TT's own toolchain, as a plain word for upstream clang.
__asm__(".macro .ttinsn enc\n.4byte \\enc\n.endm");
