// Internal helpers shared by the kernel files: run-time dispatch and a vectorisable exp.
#ifndef CONTINUO_KERNEL_SUPPORT_H
#define CONTINUO_KERNEL_SUPPORT_H

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#define CK_X86 1
// Functions with this attribute may use AVX-512; they are only called after ck_uses_avx512().
#define CK_AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma")))
#else
#define CK_X86 0
#endif

#define CK_INLINE static inline __attribute__((always_inline))

// Element-wise loops whose outputs may alias inputs index-for-index (e.g. c updated in place):
// that is safe to vectorise, but the compiler's runtime overlap checks would fall back to scalar.
#if defined(__clang__)
#define CK_VECTORIZE _Pragma("clang loop vectorize(assume_safety) interleave(enable)")
#else
#define CK_VECTORIZE
#endif

// One body, compiled twice: once for baseline ISA and once with AVX-512 enabled, so the
// compiler's auto-vectoriser produces both versions from the same source (same numerics).
#if CK_X86
#define CK_MULTIVERSION(ret, name, params, args)                                  \
    CK_AVX512_TARGET static ret name##_avx512 params { return name##_body args; } \
    static ret name##_portable params { return name##_body args; }                \
    ret ck_##name params {                                                        \
        if (ck_uses_avx512()) return name##_avx512 args;                          \
        return name##_portable args;                                              \
    }
#define CK_MULTIVERSION_VOID(name, params, args)                           \
    CK_AVX512_TARGET static void name##_avx512 params { name##_body args; } \
    static void name##_portable params { name##_body args; }                \
    void ck_##name params {                                                 \
        if (ck_uses_avx512()) name##_avx512 args;                           \
        else name##_portable args;                                          \
    }
#else
#define CK_MULTIVERSION(ret, name, params, args) \
    ret ck_##name params { return name##_body args; }
#define CK_MULTIVERSION_VOID(name, params, args) \
    void ck_##name params { name##_body args; }
#endif

int ck_uses_avx512(void);

// Cephes-style expf, branch-free so loops calling it vectorise. Relative error ~2e-7.
// Inputs are clamped to [-87, 88], so the result is always finite and normal.
CK_INLINE float ck_exp(float x) {
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    float t = x * 1.44269504088896341f;
    float n = (t + 12582912.0f) - 12582912.0f; // round to nearest without floorf (SSE2-friendly)
    float r = x - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

CK_INLINE float ck_sigmoid(float x) { return 1.0f / (1.0f + ck_exp(-x)); }
CK_INLINE float ck_tanh(float x) { return 2.0f / (1.0f + ck_exp(-2.0f * x)) - 1.0f; }

#endif
