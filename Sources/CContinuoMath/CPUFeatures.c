#include "ContinuoMath.h"
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

// cpuid says what the silicon has; xgetbv says which register states the OS saves. Both must
// agree before an instruction set counts (a hypervisor may hide either).
unsigned cm_cpu_features(void) {
    unsigned a, b, c, d, features = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1;
    if (!osxsave) return 0;
    unsigned xcr0_lo, xcr0_hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    const int ymm = (xcr0_lo & 0x6) == 0x6, zmm = (xcr0_lo & 0xE6) == 0xE6;
    const int tiles = (xcr0_lo & 0x60000) == 0x60000;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    if (ymm && ((b >> 5) & 1)) features |= CM_CPU_AVX2;
    if (ymm && fma) features |= CM_CPU_FMA;
    const int avx512 = zmm && ((b >> 16) & 1) && ((b >> 17) & 1) && ((b >> 30) & 1) && ((b >> 31) & 1);
    if (avx512) features |= CM_CPU_AVX512;
    if (avx512 && ((c >> 11) & 1)) features |= CM_CPU_AVX512_VNNI;
    if (tiles && ((d >> 22) & 1)) features |= CM_CPU_AMX_BF16;
    if (tiles && ((d >> 25) & 1)) features |= CM_CPU_AMX_INT8;
    unsigned a1, b1, c1, d1;
    if (__get_cpuid_count(7, 1, &a1, &b1, &c1, &d1)) {
        if (avx512 && ((a1 >> 5) & 1)) features |= CM_CPU_AVX512_BF16;
        if (ymm && ((a1 >> 4) & 1)) features |= CM_CPU_AVX_VNNI;
    }
    return features;
}
#else
unsigned cm_cpu_features(void) { return 0; }
#endif
