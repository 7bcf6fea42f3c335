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

// Must stay identical to SeededRandom.next() in Swift (xoshiro256**).
void ck_fill_dropout_mask(uint64_t state[4], size_t n, float drop_probability, float *mask) {
    uint64_t s0 = state[0], s1 = state[1], s2 = state[2], s3 = state[3];
    const float keep_scale = 1.0f / (1.0f - drop_probability);
    for (size_t i = 0; i < n; i++) {
        uint64_t result = rotl(s1 * 5, 7) * 9;
        uint64_t t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl(s3, 45);
        float u = (float)(result >> 40) * 0x1.0p-24f;
        mask[i] = u < drop_probability ? 0.0f : keep_scale;
    }
    state[0] = s0;
    state[1] = s1;
    state[2] = s2;
    state[3] = s3;
}
