#include "ContinuoKernels.h"
#include "KernelSupport.h"
#include <math.h>

// Reductions use 16 explicit lanes so the loops vectorise without -ffast-math.
#define LANES 16

CK_INLINE float row_max(size_t n, const float *x) {
    float lanes[LANES];
    for (int l = 0; l < LANES; l++) lanes[l] = -INFINITY;
    size_t j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int l = 0; l < LANES; l++) lanes[l] = x[j + l] > lanes[l] ? x[j + l] : lanes[l];
    float m = -INFINITY;
    for (int l = 0; l < LANES; l++) m = lanes[l] > m ? lanes[l] : m;
    for (; j < n; j++) m = x[j] > m ? x[j] : m;
    return m;
}

// x[j] = exp(x[j] - shift); returns the sum.
CK_INLINE float exp_in_place(size_t n, float *x, const float *source, float shift) {
    float lanes[LANES] = {0};
    size_t j = 0;
    for (; j + LANES <= n; j += LANES)
        for (int l = 0; l < LANES; l++) {
            float e = ck_exp(source[j + l] - shift);
            x[j + l] = e;
            lanes[l] += e;
        }
    float s = 0;
    for (int l = 0; l < LANES; l++) s += lanes[l];
    for (; j < n; j++) {
        float e = ck_exp(source[j] - shift);
        x[j] = e;
        s += e;
    }
    return s;
}

CK_INLINE double softmax_cross_entropy_body(size_t rows, size_t vocab, float *logits,
                                            const float *bias, const int32_t *targets,
                                            float grad_scale) {
    double loss = 0;
    for (size_t r = 0; r < rows; r++) {
        float *restrict x = logits + r * vocab;
        if (bias)
            for (size_t j = 0; j < vocab; j++) x[j] += bias[j];
        float m = row_max(vocab, x);
        float target_logit = x[targets[r]];
        float s = exp_in_place(vocab, x, x, m);
        loss += (double)logf(s) + (double)m - (double)target_logit;
        float k = grad_scale / s;
        CK_VECTORIZE
        for (size_t j = 0; j < vocab; j++) x[j] *= k;
        x[targets[r]] -= grad_scale;
    }
    return loss;
}
CK_MULTIVERSION(double, softmax_cross_entropy,
                (size_t rows, size_t vocab, float *logits, const float *bias,
                 const int32_t *targets, float grad_scale),
                (rows, vocab, logits, bias, targets, grad_scale))

CK_INLINE void softmax_body(size_t n, const float *logits, float *probabilities) {
    float m = row_max(n, logits);
    float s = exp_in_place(n, probabilities, logits, m);
    float k = 1.0f / s;
    CK_VECTORIZE
    for (size_t j = 0; j < n; j++) probabilities[j] *= k;
}
CK_MULTIVERSION_VOID(softmax, (size_t n, const float *logits, float *probabilities),
                (n, logits, probabilities))
