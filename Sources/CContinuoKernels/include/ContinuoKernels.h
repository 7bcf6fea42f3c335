// SIMD kernels for the Continuo LSTM. Every entry point picks an AVX-512 implementation at run
// time when the CPU has it (F/BW/VL/VNNI) and otherwise a portable one with identical layouts.
// Row-major everywhere; "rows" is the batch (or time*batch) dimension.
#ifndef CONTINUO_KERNELS_H
#define CONTINUO_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when the AVX-512 kernels are selected on this CPU, else 0.
int ck_uses_avx512(void);
/// Non-zero forces the portable kernels (tests compare both paths); 0 restores automatic choice.
void ck_set_portable_only(int portable_only);

// ---- LSTM cell (gate order i, f, g, o as in PyTorch nn.LSTM) ----

/// gates [rows, 4H]: pre-activations in, activations (i, f, g, o) out. bias [4H] is added first
/// when non-NULL. c_prev and c_out [rows, H] may alias. Writes tanh(c) and h = o * tanh(c).
void ck_lstm_cell_forward(size_t rows, size_t hidden, float *gates, const float *bias,
                          const float *c_prev, float *c_out, float *tanh_c_out, float *h_out);

/// Backward of ck_lstm_cell_forward. dh = dh_above + dh_next; dc_next is read (gradient flowing
/// from step t+1) and overwritten with the gradient for step t-1. Writes pre-activation dgates.
void ck_lstm_cell_backward(size_t rows, size_t hidden, const float *gates, const float *c_prev,
                           const float *tanh_c, const float *dh_above, const float *dh_next,
                           float *dc_next, float *dgates);

// ---- Softmax / loss ----

/// Fused softmax + cross-entropy. logits [rows, vocab] (+ bias [vocab] if non-NULL) are replaced
/// by grad_scale * (softmax - onehot(target)). Returns the summed loss in nats.
double ck_softmax_cross_entropy(size_t rows, size_t vocab, float *logits, const float *bias,
                                const int32_t *targets, float grad_scale);

/// probabilities = softmax(logits), n entries.
void ck_softmax(size_t n, const float *logits, float *probabilities);

// ---- Optimiser and reductions ----

/// PyTorch AdamW: p *= 1 - lr*wd; m,v updated with grad*grad_scale; p -= lr * mhat/(sqrt(vhat)+eps).
void ck_adamw(size_t n, float *params, const float *grads, float *m, float *v, float lr,
              float beta1, float beta2, float eps, float weight_decay,
              float bias_correction1, float bias_correction2, float grad_scale);

/// Sum of squares in double precision (gradient clipping).
double ck_sum_squares(size_t n, const float *x);

/// out[i] = a[i] * b[i]; out may alias a.
void ck_multiply(size_t n, const float *a, const float *b, float *out);

/// dst[r, :] = table[index[r], :]
void ck_gather_rows(size_t rows, size_t width, const int32_t *index, const float *table, float *dst);

/// dst[index[r], :] += src[r, :]
void ck_scatter_add_rows(size_t rows, size_t width, const int32_t *index, const float *src, float *dst);

/// Writes the next n outputs of the xoshiro256** generator in state[4] (advanced in place) to
/// out: the stream SeededRandom draws in Swift, exposed so a test can hold the two together.
void ck_xoshiro256ss_fill(uint64_t state[4], size_t n, uint64_t *out);

/// Fills mask with 0 (probability drop_probability) or 1/(1-drop_probability), drawing one
/// xoshiro256** output per element from state[4] (advanced in place; same generator as Swift's).
void ck_fill_dropout_mask(uint64_t state[4], size_t n, float drop_probability, float *mask);

// ---- int8 weights (per-row scale) x uint8-quantised activations ----
// Packed layout: blocks of 16 rows; inside a block, for each group of 4 columns, 16 rows x 4 bytes.
// This is what one VNNI vpdpbusd consumes, so no horizontal sums are needed.

size_t ck_q8_padded_rows(size_t rows);
size_t ck_q8_padded_cols(size_t cols);

/// Quantises w [rows, cols] symmetrically per row. packed has padded_rows*padded_cols bytes;
/// row_scales and row_offsets have padded_rows entries.
void ck_q8_pack(size_t rows, size_t cols, const float *w, int8_t *packed, float *row_scales,
                int32_t *row_offsets);

/// Quantises x [n] to uint8 (value + 128) with one symmetric scale, pads to padded_n with zeros
/// (128). Returns the scale (0 for an all-zero vector).
float ck_q8_quantize(size_t n, size_t padded_n, const float *x, uint8_t *xq);

/// y[b, r] (=|+=) sum_k W[r, k] * x[b, k] for b < batch, using the packed weights and the
/// quantised activations xq (row stride xq_stride bytes) with scales x_scales[b].
void ck_q8_matmul(size_t rows, size_t cols, const int8_t *packed, const float *row_scales,
                  const int32_t *row_offsets, size_t batch, const uint8_t *xq, size_t xq_stride,
                  const float *x_scales, float *y, size_t y_stride, int accumulate);

#ifdef __cplusplus
}
#endif

#endif
