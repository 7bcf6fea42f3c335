// Matrix products on oneDNN, and what oneDNN and the CPU say about the kernels that run them.
// Row-major everywhere. One matmul primitive is created per distinct shape and kept in a small
// per-thread cache, so repeated products (every training step, every inference step) only
// execute. Callers on different threads never share a primitive, so nothing here locks.
#ifndef CONTINUO_MATH_H
#define CONTINUO_MATH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// cm_f32_bf16_valued: float32 storage whose values are already exactly bf16 (see
/// cm_round_to_bf16_values), which a bf16 product uses without rounding again.
typedef enum { cm_f32 = 0, cm_bf16 = 1, cm_f32_bf16_valued = 2 } cm_type;

/// C [m, n] = alpha * op(A) op(B) + beta * C with op(X) = X or X^T, accumulated in float32.
/// A and B are each float32 or bf16 (a_type, b_type). With compute_bf16 non-zero the product is
/// formed from bf16 operands: float32 operands are rounded to bf16 first (into per-thread
/// scratch), so callers keep bf16 copies only of what is reused (weights). Returns 0 on success,
/// else a oneDNN status (the product is then not formed).
int cm_matmul(int transpose_a, int transpose_b, size_t m, size_t n, size_t k, float alpha,
              const void *a, cm_type a_type, size_t lda, const void *b, cm_type b_type, size_t ldb,
              float beta, float *c, size_t ldc, int compute_bf16);

/// 1 when oneDNN multiplies bf16 natively here (AVX512_BF16 or AMX). Elsewhere bf16 products
/// round their operands and run on the float32 kernels: the same sums (a product of two bf16
/// values is exact in float32), and faster than oneDNN's emulated bf16 kernels.
int cm_bf16_native(void);

/// dst = src rounded to the nearest bf16 value, kept as float32 (dst may alias src).
void cm_round_to_bf16_values(size_t n, const float *src, float *dst);

/// Non-zero makes this thread's bf16 products take the path used where oneDNN has no bf16
/// matmul (operands rounded to bf16, summed by the float32 kernels), so tests can check it anywhere.
void cm_emulate_bf16_on_this_thread(int emulate);

/// Round-to-nearest-even float32 -> bf16 (NaN stays NaN), and back (exact).
void cm_to_bf16(size_t n, const float *src, uint16_t *dst);
void cm_from_bf16(size_t n, const uint16_t *src, float *dst);

/// Threads oneDNN may use for products started from any thread after this call (OpenMP keeps a
/// count per thread; each product applies the latest value on its own thread first).
void cm_set_threads(int count);
int cm_threads(void);

/// The implementation oneDNN picks for a product of this shape and precision (e.g.
/// "brg:avx512_core"), written into out (at most capacity bytes, NUL-terminated). Returns 0 on
/// success, else a oneDNN status.
int cm_matmul_implementation(size_t m, size_t n, size_t k, int bf16, char *out, size_t capacity);

/// oneDNN's effective ISA (a dnnl_cpu_isa_t value) and its version as major*10000+minor*100+patch.
int cm_effective_isa(void);
int cm_library_version(void);

/// What the CPU and OS offer, from cpuid and xgetbv (bits below), whatever oneDNN chose.
enum {
    CM_CPU_AVX2 = 1 << 0, CM_CPU_FMA = 1 << 1, CM_CPU_AVX512 = 1 << 2, CM_CPU_AVX512_VNNI = 1 << 3,
    CM_CPU_AVX512_BF16 = 1 << 4, CM_CPU_AMX_BF16 = 1 << 5, CM_CPU_AMX_INT8 = 1 << 6, CM_CPU_AVX_VNNI = 1 << 7,
};
unsigned cm_cpu_features(void);

#ifdef __cplusplus
}
#endif

#endif
