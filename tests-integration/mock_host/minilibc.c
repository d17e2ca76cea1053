// What the SFPI toolchain's libgcc / newlib give a firmware or kernel link, for the mock build's
// stand-in compiler (riscv-tt-elf-g++ next to this file): the mock never runs this code, but the
// links must resolve. Written for tilelang-tt. Compiled once per PART into an archive, so that a
// link takes only what it uses (the firmware's memory regions have no room to spare).
typedef unsigned int size_t;
#ifndef PART
#define PART 0
#endif
#define IN(n) (PART == 0 || PART == (n))

#if IN(1)
void* memset(void* d, int c, size_t n) {
    unsigned char* p = d;
    while (n--) *p++ = (unsigned char)c;
    return d;
}
#endif

#if IN(2)
void* memcpy(void* d, const void* s, size_t n) {
    unsigned char* p = d;
    const unsigned char* q = s;
    while (n--) *p++ = *q++;
    return d;
}
#endif

#if IN(3)
void* memmove(void* d, const void* s, size_t n) {
    unsigned char* p = d;
    const unsigned char* q = s;
    if (p < q) {
        while (n--) *p++ = *q++;
    } else {
        p += n;
        q += n;
        while (n--) *--p = *--q;
    }
    return d;
}
#endif

#if IN(4)
int memcmp(const void* a, const void* b, size_t n) {
    const unsigned char *p = a, *q = b;
    for (; n; --n, ++p, ++q)
        if (*p != *q) return *p - *q;
    return 0;
}
#endif

#if IN(5)
void abort(void) {
    for (;;) {
    }
}
#endif

#if IN(6)
// Soft-float int -> float conversions (rv32im has no FPU), rounding to nearest even.
static float bits_to_float(unsigned b) {
    union { unsigned u; float f; } v;
    v.u = b;
    return v.f;
}

float __floatunsisf(unsigned x) {
    if (x == 0) return 0.0f;
    int e = 31;
    while (!(x >> e)) --e;
    unsigned m;
    if (e <= 23) {
        m = x << (23 - e);
    } else {
        unsigned shift = e - 23, rem = x & ((1u << shift) - 1), half = 1u << (shift - 1);
        m = x >> shift;
        if (rem > half || (rem == half && (m & 1))) {
            ++m;
            if (m >> 24) {
                m >>= 1;
                ++e;
            }
        }
    }
    return bits_to_float(((unsigned)(e + 127) << 23) | (m & 0x7fffffu));
}

float __floatsisf(int x) {
    if (x >= 0) return __floatunsisf((unsigned)x);
    union { float f; unsigned u; } v;
    v.f = __floatunsisf(0u - (unsigned)x);
    v.u |= 0x80000000u;
    return v.f;
}
#endif

#if IN(7)
// setjmp / longjmp for the active-ethernet firmware's exit path.
typedef int jmp_buf[16];
int setjmp(jmp_buf env) {
    (void)env;
    return 0;
}
void longjmp(jmp_buf env, int val) {
    (void)env;
    (void)val;
    for (;;) {
    }
}
#endif

#if IN(8)
// The base firmware's RTOS jump table (on silicon its address comes with the base firmware).
__attribute__((weak)) unsigned __erisc_jump_table[64];
#endif
