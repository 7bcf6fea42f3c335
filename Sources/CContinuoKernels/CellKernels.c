// LSTM cell forward/backward, side by side so the cached values match what backward reads.
#include "ContinuoKernels.h"
#include "KernelSupport.h"

CK_INLINE void lstm_cell_forward_body(size_t rows, size_t hidden, float *gates, const float *bias,
                                      const float *c_prev, float *c_out, float *tanh_c_out,
                                      float *h_out) {
    const size_t H = hidden;
    for (size_t r = 0; r < rows; r++) {
        float *restrict gate = gates + r * 4 * H;
        if (bias) {
            for (size_t j = 0; j < 4 * H; j++) gate[j] += bias[j];
        }
        float *restrict gi = gate, *restrict gf = gate + H, *restrict gg = gate + 2 * H,
                        *restrict go = gate + 3 * H;
        const float *cp = c_prev + r * H;
        float *co = c_out + r * H;
        float *restrict tc = tanh_c_out + r * H;
        float *restrict ho = h_out + r * H;
        CK_VECTORIZE
        for (size_t j = 0; j < H; j++) {
            float i = ck_sigmoid(gi[j]);
            float f = ck_sigmoid(gf[j]);
            float g = ck_tanh(gg[j]);
            float o = ck_sigmoid(go[j]);
            float c = f * cp[j] + i * g;
            float t = ck_tanh(c);
            gi[j] = i;
            gf[j] = f;
            gg[j] = g;
            go[j] = o;
            co[j] = c;
            tc[j] = t;
            ho[j] = o * t;
        }
    }
}
CK_MULTIVERSION_VOID(lstm_cell_forward,
                (size_t rows, size_t hidden, float *gates, const float *bias, const float *c_prev,
                 float *c_out, float *tanh_c_out, float *h_out),
                (rows, hidden, gates, bias, c_prev, c_out, tanh_c_out, h_out))

// Given activations a_i, a_f, a_g, a_o, c_prev and t = tanh(c):
//   dc  = dc_next + dh * o * (1 - t^2)
//   d(pre_o) = dh * t * o(1-o),  d(pre_i) = dc * g * i(1-i),
//   d(pre_g) = dc * i * (1-g^2), d(pre_f) = dc * c_prev * f(1-f),  dc_prev = dc * f
CK_INLINE void lstm_cell_backward_body(size_t rows, size_t hidden, const float *gates,
                                       const float *c_prev, const float *tanh_c,
                                       const float *dh_above, const float *dh_next,
                                       float *dc_next, float *dgates) {
    const size_t H = hidden;
    for (size_t r = 0; r < rows; r++) {
        const float *restrict gi = gates + r * 4 * H;
        const float *restrict gf = gi + H, *restrict gg = gi + 2 * H, *restrict go = gi + 3 * H;
        const float *restrict cp = c_prev + r * H;
        const float *restrict tc = tanh_c + r * H;
        const float *restrict da = dh_above + r * H;
        const float *restrict dn = dh_next + r * H;
        float *restrict dcn = dc_next + r * H;
        float *restrict di = dgates + r * 4 * H;
        float *restrict df = di + H, *restrict dg = di + 2 * H, *restrict dout = di + 3 * H;
        CK_VECTORIZE
        for (size_t j = 0; j < H; j++) {
            float i = gi[j], f = gf[j], g = gg[j], o = go[j], t = tc[j];
            float dh = da[j] + dn[j];
            float dc = dcn[j] + dh * o * (1.0f - t * t);
            dout[j] = dh * t * o * (1.0f - o);
            di[j] = dc * g * i * (1.0f - i);
            dg[j] = dc * i * (1.0f - g * g);
            df[j] = dc * cp[j] * f * (1.0f - f);
            dcn[j] = dc * f;
        }
    }
}
CK_MULTIVERSION_VOID(lstm_cell_backward,
                (size_t rows, size_t hidden, const float *gates, const float *c_prev,
                 const float *tanh_c, const float *dh_above, const float *dh_next, float *dc_next,
                 float *dgates),
                (rows, hidden, gates, c_prev, tanh_c, dh_above, dh_next, dc_next, dgates))
