// int8 weights x uint8 activations. Weights are symmetric per row (scale = max|w| / 127);
// activations are symmetric per vector and shifted by +128 so VNNI's u8 x s8 product applies:
//   sum_k w_k (x_k + 128) = dot + 128 * sum_k w_k, and 128 * sum_k w_k is precomputed per row.
#include "ContinuoKernels.h"
#include "KernelSupport.h"
#include <math.h>
#if CK_X86
#include <immintrin.h>
#endif

static size_t round_up(size_t value, size_t multiple) {
    return (value + multiple - 1) / multiple * multiple;
}

size_t ck_q8_padded_rows(size_t rows) { return round_up(rows, 16); }
size_t ck_q8_padded_cols(size_t cols) { return round_up(cols, 4); }

static int32_t round_to_int(float x) { return (int32_t)(x + (x >= 0 ? 0.5f : -0.5f)); }

void ck_q8_pack(size_t rows, size_t cols, const float *w, int8_t *packed, float *row_scales,
                int32_t *row_offsets) {
    const size_t padded_rows = round_up(rows, 16), groups = round_up(cols, 4) / 4;
    memset(packed, 0, padded_rows * groups * 4);
    for (size_t r = 0; r < padded_rows; r++) {
        row_scales[r] = 0;
        row_offsets[r] = 0;
    }
    for (size_t r = 0; r < rows; r++) {
        const float *row = w + r * cols;
        float max_abs = 0;
        for (size_t k = 0; k < cols; k++) max_abs = fmaxf(max_abs, fabsf(row[k]));
        const float inverse = max_abs > 0 ? 127.0f / max_abs : 0.0f;
        const size_t block = r / 16, lane = r % 16;
        int32_t sum = 0;
        for (size_t k = 0; k < cols; k++) {
            int32_t q = round_to_int(row[k] * inverse);
            q = q > 127 ? 127 : (q < -127 ? -127 : q);
            sum += q;
            packed[((block * groups + k / 4) * 16 + lane) * 4 + k % 4] = (int8_t)q;
        }
        row_scales[r] = max_abs / 127.0f;
        row_offsets[r] = 128 * sum;
    }
}

CK_INLINE float q8_quantize_body(size_t n, size_t padded_n, const float *x, uint8_t *xq) {
    float lanes[16] = {0};
    size_t k = 0;
    for (; k + 16 <= n; k += 16)
        for (int l = 0; l < 16; l++) lanes[l] = fmaxf(lanes[l], fabsf(x[k + l]));
    float max_abs = 0;
    for (int l = 0; l < 16; l++) max_abs = fmaxf(max_abs, lanes[l]);
    for (; k < n; k++) max_abs = fmaxf(max_abs, fabsf(x[k]));
    const float inverse = max_abs > 0 ? 127.0f / max_abs : 0.0f;
    for (k = 0; k < n; k++) {
        float t = x[k] * inverse;
        int32_t q = (int32_t)(t + (t >= 0 ? 0.5f : -0.5f));
        q = q > 127 ? 127 : (q < -127 ? -127 : q); // also tames NaN/garbage
        xq[k] = (uint8_t)(q + 128);
    }
    for (k = n; k < padded_n; k++) xq[k] = 128;
    return max_abs / 127.0f;
}
CK_MULTIVERSION(float, q8_quantize, (size_t n, size_t padded_n, const float *x, uint8_t *xq),
                (n, padded_n, x, xq))

static void q8_matmul_portable(size_t rows, size_t cols, const int8_t *packed,
                               const float *row_scales, const int32_t *row_offsets, size_t batch,
                               const uint8_t *xq, size_t xq_stride, const float *x_scales, float *y,
                               size_t y_stride, int accumulate) {
    const size_t groups = round_up(cols, 4) / 4, blocks = round_up(rows, 16) / 16;
    for (size_t b = 0; b < batch; b++) {
        const uint8_t *x = xq + b * xq_stride;
        float *out = y + b * y_stride;
        for (size_t block = 0; block < blocks; block++) {
            int32_t acc[16] = {0};
            const int8_t *w = packed + block * groups * 64;
            for (size_t g = 0; g < groups; g++)
                for (int lane = 0; lane < 16; lane++)
                    for (int k = 0; k < 4; k++)
                        acc[lane] += (int32_t)w[(g * 16 + lane) * 4 + k] * (int32_t)x[g * 4 + k];
            for (int lane = 0; lane < 16; lane++) {
                size_t r = block * 16 + lane;
                if (r >= rows) break;
                float value = (float)(acc[lane] - row_offsets[r]) * row_scales[r] * x_scales[b];
                out[r] = accumulate ? out[r] + value : value;
            }
        }
    }
}

#if CK_X86
CK_AVX512_TARGET static inline __m512i broadcast4(const uint8_t *p) {
    int32_t v;
    memcpy(&v, p, 4);
    return _mm512_set1_epi32(v);
}

CK_AVX512_TARGET static inline void store_block(__m512i acc, size_t block, size_t rows,
                                                const float *row_scales,
                                                const int32_t *row_offsets, float x_scale,
                                                float *out, int accumulate) {
    const size_t r0 = block * 16;
    const __mmask16 mask = rows - r0 >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (rows - r0)) - 1);
    __m512 v = _mm512_cvtepi32_ps(_mm512_sub_epi32(acc, _mm512_loadu_si512(row_offsets + r0)));
    v = _mm512_mul_ps(_mm512_mul_ps(v, _mm512_loadu_ps(row_scales + r0)), _mm512_set1_ps(x_scale));
    if (accumulate) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, out + r0));
    _mm512_mask_storeu_ps(out + r0, mask, v);
}

CK_AVX512_TARGET static void q8_matmul_vnni(size_t rows, size_t cols, const int8_t *packed,
                                            const float *row_scales, const int32_t *row_offsets,
                                            size_t batch, const uint8_t *xq, size_t xq_stride,
                                            const float *x_scales, float *y, size_t y_stride,
                                            int accumulate) {
    const size_t groups = round_up(cols, 4) / 4, blocks = round_up(rows, 16) / 16;
    if (batch == 1) {
        // Four accumulators over interleaved column groups hide the vpdpbusd latency.
        for (size_t block = 0; block < blocks; block++) {
            const int8_t *w = packed + block * groups * 64;
            __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
            size_t g = 0;
            for (; g + 4 <= groups; g += 4) {
                a0 = _mm512_dpbusd_epi32(a0, broadcast4(xq + 4 * g), _mm512_loadu_si512(w + 64 * g));
                a1 = _mm512_dpbusd_epi32(a1, broadcast4(xq + 4 * g + 4), _mm512_loadu_si512(w + 64 * g + 64));
                a2 = _mm512_dpbusd_epi32(a2, broadcast4(xq + 4 * g + 8), _mm512_loadu_si512(w + 64 * g + 128));
                a3 = _mm512_dpbusd_epi32(a3, broadcast4(xq + 4 * g + 12), _mm512_loadu_si512(w + 64 * g + 192));
            }
            for (; g < groups; g++)
                a0 = _mm512_dpbusd_epi32(a0, broadcast4(xq + 4 * g), _mm512_loadu_si512(w + 64 * g));
            __m512i acc = _mm512_add_epi32(_mm512_add_epi32(a0, a1), _mm512_add_epi32(a2, a3));
            store_block(acc, block, rows, row_scales, row_offsets, x_scales[0], y, accumulate);
        }
        return;
    }
    // Batched: each weight block is loaded once per 4 batch rows (the GEMM reuse).
    for (size_t b0 = 0; b0 < batch; b0 += 4) {
        const size_t count = batch - b0 < 4 ? batch - b0 : 4;
        // Missing rows in a short chunk re-read row b0; their results are discarded.
        const uint8_t *x0 = xq + b0 * xq_stride;
        const uint8_t *x1 = xq + (b0 + (count > 1 ? 1 : 0)) * xq_stride;
        const uint8_t *x2 = xq + (b0 + (count > 2 ? 2 : 0)) * xq_stride;
        const uint8_t *x3 = xq + (b0 + (count > 3 ? 3 : 0)) * xq_stride;
        for (size_t block = 0; block < blocks; block++) {
            const int8_t *w = packed + block * groups * 64;
            __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
            for (size_t g = 0; g < groups; g++) {
                __m512i wv = _mm512_loadu_si512(w + 64 * g);
                a0 = _mm512_dpbusd_epi32(a0, broadcast4(x0 + 4 * g), wv);
                a1 = _mm512_dpbusd_epi32(a1, broadcast4(x1 + 4 * g), wv);
                a2 = _mm512_dpbusd_epi32(a2, broadcast4(x2 + 4 * g), wv);
                a3 = _mm512_dpbusd_epi32(a3, broadcast4(x3 + 4 * g), wv);
            }
            __m512i accs[4] = {a0, a1, a2, a3};
            for (size_t i = 0; i < count; i++)
                store_block(accs[i], block, rows, row_scales, row_offsets, x_scales[b0 + i],
                            y + (b0 + i) * y_stride, accumulate);
        }
    }
}
#endif

void ck_q8_matmul(size_t rows, size_t cols, const int8_t *packed, const float *row_scales,
                  const int32_t *row_offsets, size_t batch, const uint8_t *xq, size_t xq_stride,
                  const float *x_scales, float *y, size_t y_stride, int accumulate) {
#if CK_X86
    if (ck_uses_avx512()) {
        q8_matmul_vnni(rows, cols, packed, row_scales, row_offsets, batch, xq, xq_stride, x_scales,
                       y, y_stride, accumulate);
        return;
    }
#endif
    q8_matmul_portable(rows, cols, packed, row_scales, row_offsets, batch, xq, xq_stride, x_scales,
                       y, y_stride, accumulate);
}
