#include "ContinuoKernels.h"
#include "KernelSupport.h"
#include <math.h>

CK_INLINE void adamw_body(size_t n, float *restrict params, const float *restrict grads,
                          float *restrict m, float *restrict v, float lr, float beta1, float beta2,
                          float eps, float weight_decay, float bias_correction1,
                          float bias_correction2, float grad_scale) {
    const float decay = 1.0f - lr * weight_decay;
    const float step_size = lr / bias_correction1;
    const float inv_sqrt_bc2 = 1.0f / sqrtf(bias_correction2);
    CK_VECTORIZE
    for (size_t i = 0; i < n; i++) {
        float g = grads[i] * grad_scale;
        float mi = beta1 * m[i] + (1.0f - beta1) * g;
        float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        params[i] = params[i] * decay - step_size * mi / (sqrtf(vi) * inv_sqrt_bc2 + eps);
    }
}
CK_MULTIVERSION_VOID(adamw,
                (size_t n, float *params, const float *grads, float *m, float *v, float lr,
                 float beta1, float beta2, float eps, float weight_decay, float bias_correction1,
                 float bias_correction2, float grad_scale),
                (n, params, grads, m, v, lr, beta1, beta2, eps, weight_decay, bias_correction1,
                 bias_correction2, grad_scale))

CK_INLINE double sum_squares_body(size_t n, const float *x) {
    double lanes[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++) lanes[l] += (double)x[i + l] * (double)x[i + l];
    double s = 0;
    for (int l = 0; l < 8; l++) s += lanes[l];
    for (; i < n; i++) s += (double)x[i] * (double)x[i];
    return s;
}
CK_MULTIVERSION(double, sum_squares, (size_t n, const float *x), (n, x))

CK_INLINE void multiply_body(size_t n, const float *a, const float *b, float *out) {
    CK_VECTORIZE
    for (size_t i = 0; i < n; i++) out[i] = a[i] * b[i];
}
CK_MULTIVERSION_VOID(multiply, (size_t n, const float *a, const float *b, float *out),
                (n, a, b, out))

void ck_gather_rows(size_t rows, size_t width, const int32_t *index, const float *table,
                    float *dst) {
    for (size_t r = 0; r < rows; r++)
        memcpy(dst + r * width, table + (size_t)index[r] * width, width * sizeof(float));
}

CK_INLINE void scatter_add_rows_body(size_t rows, size_t width, const int32_t *index,
                                     const float *src, float *dst) {
    for (size_t r = 0; r < rows; r++) {
        float *restrict d = dst + (size_t)index[r] * width;
        const float *restrict s = src + r * width;
        CK_VECTORIZE
        for (size_t j = 0; j < width; j++) d[j] += s[j];
    }
}
CK_MULTIVERSION_VOID(scatter_add_rows,
                (size_t rows, size_t width, const int32_t *index, const float *src, float *dst),
                (rows, width, index, src, dst))

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// One xoshiro256** step. Must stay identical to SeededRandom.next() in ContinuoRandom; the
// ContinuoModelTests stream test draws from both and compares.
static inline uint64_t xoshiro256ss_next(uint64_t s[4]) {
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

void ck_xoshiro256ss_fill(uint64_t state[4], size_t n, uint64_t *out) {
    uint64_t s[4] = {state[0], state[1], state[2], state[3]};
    for (size_t i = 0; i < n; i++) out[i] = xoshiro256ss_next(s);
    for (int i = 0; i < 4; i++) state[i] = s[i];
}

void ck_fill_dropout_mask(uint64_t state[4], size_t n, float drop_probability, float *mask) {
    // A local copy keeps the state in registers across the loop.
    uint64_t s[4] = {state[0], state[1], state[2], state[3]};
    const float keep_scale = 1.0f / (1.0f - drop_probability);
    for (size_t i = 0; i < n; i++) {
        float u = (float)(xoshiro256ss_next(s) >> 40) * 0x1.0p-24f;
        mask[i] = u < drop_probability ? 0.0f : keep_scale;
    }
    for (int i = 0; i < 4; i++) state[i] = s[i];
}
