#include "ContinuoMath.h"
#include <string.h>

// Scalar on purpose: the compiler vectorises it, and it is a small share of any product's cost.
void cm_to_bf16(size_t n, const float *src, uint16_t *dst) {
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &src[i], 4);
        if ((bits & 0x7fffffffu) > 0x7f800000u) {
            dst[i] = (uint16_t)((bits >> 16) | 0x40); // quiet NaN, sign kept
        } else {
            bits += 0x7fffu + ((bits >> 16) & 1u);
            dst[i] = (uint16_t)(bits >> 16);
        }
    }
}

void cm_from_bf16(size_t n, const uint16_t *src, float *dst) {
    for (size_t i = 0; i < n; i++) {
        uint32_t bits = (uint32_t)src[i] << 16;
        memcpy(&dst[i], &bits, 4);
    }
}

void cm_round_to_bf16_values(size_t n, const float *src, float *dst) {
    for (size_t i = 0; i < n; i++) {
        uint16_t half;
        cm_to_bf16(1, &src[i], &half);
        uint32_t bits = (uint32_t)half << 16;
        memcpy(&dst[i], &bits, 4);
    }
}
