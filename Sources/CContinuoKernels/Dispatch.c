#include "ContinuoKernels.h"
#include "KernelSupport.h"
#include <stdatomic.h>
#if CK_X86
#include <cpuid.h>
#endif

static atomic_int portable_only_flag = 0;
// -1 = not probed yet; probing is idempotent, so a benign race only repeats it.
static atomic_int avx512_available = -1;

#if CK_X86
// cpuid + xgetbv directly: __builtin_cpu_supports needs libgcc's __cpu_model, which the Swift
// toolchain's link line does not reliably provide.
static int probe_avx512(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1;
    if (!fma || !osxsave) return 0;
    unsigned xcr0_lo, xcr0_hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    // XMM, YMM, opmask and both ZMM state components must be enabled by the OS.
    if ((xcr0_lo & 0xE6) != 0xE6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    const int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1, avx512dq = (b >> 17) & 1;
    const int avx512bw = (b >> 30) & 1, avx512vl = (b >> 31) & 1, vnni = (c >> 11) & 1;
    return avx2 && avx512f && avx512dq && avx512bw && avx512vl && vnni;
}
#endif

void ck_set_portable_only(int portable_only) {
    atomic_store_explicit(&portable_only_flag, portable_only != 0, memory_order_relaxed);
}

int ck_uses_avx512(void) {
#if CK_X86
    if (atomic_load_explicit(&portable_only_flag, memory_order_relaxed)) return 0;
    int available = atomic_load_explicit(&avx512_available, memory_order_relaxed);
    if (available < 0) {
        available = probe_avx512();
        atomic_store_explicit(&avx512_available, available, memory_order_relaxed);
    }
    return available;
#else
    return 0;
#endif
}
