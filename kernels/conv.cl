// 2-D convolution, NCHW, square stride s and zero padding pad: first directly, then (at the end of
// this file) as im2col / col2im around gemm.cl.
//
// Shapes: x [N, C, H, W], w [O, C, KH, KW], b [O], y [N, O, OH, OW],
//         OH = (H + 2*pad - KH) / s + 1, OW = (W + 2*pad - KW) / s + 1.
// The index helpers below are the ones ReferenceBackend spells out in its loops.

#define X(n, c, h, v)  x[(((n) * C + (c)) * H + (h)) * W + (v)]
#define WT(o, c, p, q) w[(((o) * C + (c)) * KH + (p)) * KW + (q)]
#define DY(n, o, i, j) dy[(((n) * O + (o)) * OH + (i)) * OW + (j)]

// The output row (or column) whose window tap p reads input row h: h = i*s - pad + p, so
// i = (h + pad - p) / s when that is a whole number in [0, OH); -1 when no output reads h through p.
// Shared by the gathers of conv_backward_data and col2im.
inline int output_reading(const int h, const int pad, const int p, const int s, const int OH) {
    const int t = h + pad - p;                              // = i * s
    if (t < 0 || t % s != 0) return -1;
    const int i = t / s;
    return i < OH ? i : -1;
}

// Forward. Must equal, for every output element (ReferenceBackend.conv2dForward):
//   y[n,o,i,j] = b[o] + sum over c, p, q of x[n, c, i*s - pad + p, j*s - pad + q] * w[o,c,p,q]
//   (terms outside the image are zero).  One work-item per output element.
__kernel void conv_forward(const int C, const int H, const int W, const int O, const int KH, const int KW,
                           const int s, const int pad, const int OH, const int OW,
                           __global const float* x, __global const float* w, __global const float* b,
                           __global float* y) {
    const int e = get_global_id(0);
    const int j = e % OW, i = (e / OW) % OH, o = (e / (OW * OH)) % O, n = e / (OW * OH * O);
    float sum = b[o];
    for (int c = 0; c < C; c++)
        for (int p = 0; p < KH; p++) {
            const int h = i * s - pad + p;
            if (h < 0 || h >= H) continue;
            for (int q = 0; q < KW; q++) {
                const int v = j * s - pad + q;
                if (v < 0 || v >= W) continue;
                sum += X(n, c, h, v) * WT(o, c, p, q);
            }
        }
    y[e] = sum;
}

// Gradient with respect to the input. Must equal (ReferenceBackend.conv2dBackwardData):
//   dx[n,c,h,v] = sum over o, p, q with h = i*s - pad + p, v = j*s - pad + q for some output (i, j)
//                 of dy[n,o,i,j] * w[o,c,p,q]
// One work-item per input element; it gathers instead of scattering, so no atomics.
__kernel void conv_backward_data(const int C, const int H, const int W, const int O, const int KH, const int KW,
                                 const int s, const int pad, const int OH, const int OW,
                                 __global const float* dy, __global const float* w, __global float* dx) {
    const int e = get_global_id(0);
    const int v = e % W, h = (e / W) % H, c = (e / (W * H)) % C, n = e / (W * H * C);
    float sum = 0.0f;
    for (int o = 0; o < O; o++)
        for (int p = 0; p < KH; p++) {
            const int i = output_reading(h, pad, p, s, OH);
            if (i < 0) continue;
            for (int q = 0; q < KW; q++) {
                const int j = output_reading(v, pad, q, s, OW);
                if (j < 0) continue;
                sum += DY(n, o, i, j) * WT(o, c, p, q);
            }
        }
    dx[e] = sum;
}

// Gradient with respect to the weights, accumulated. Must equal (ReferenceBackend.conv2dBackwardWeights):
//   dw[o,c,p,q] += sum over n, i, j of dy[n,o,i,j] * x[n, c, i*s - pad + p, j*s - pad + q]
// One work-item per weight element.
__kernel void conv_backward_weights(const int N, const int C, const int H, const int W, const int O, const int KH, const int KW,
                                    const int s, const int pad, const int OH, const int OW,
                                    __global const float* x, __global const float* dy, __global float* dw) {
    const int e = get_global_id(0);
    const int q = e % KW, p = (e / KW) % KH, c = (e / (KW * KH)) % C, o = e / (KW * KH * C);
    float sum = 0.0f;
    for (int n = 0; n < N; n++)
        for (int i = 0; i < OH; i++) {
            const int h = i * s - pad + p;
            if (h < 0 || h >= H) continue;
            for (int j = 0; j < OW; j++) {
                const int v = j * s - pad + q;
                if (v < 0 || v >= W) continue;
                sum += DY(n, o, i, j) * X(n, c, h, v);
            }
        }
    dw[e] += sum;
}

// Gradient with respect to the bias, accumulated:  db[o] += sum over n, i, j of dy[n,o,i,j].
__kernel void conv_backward_bias(const int N, const int O, const int OH, const int OW,
                                 __global const float* dy, __global float* db) {
    const int o = get_global_id(0);
    float sum = 0.0f;
    for (int n = 0; n < N; n++)
        for (int k = 0; k < OH * OW; k++) sum += dy[(n * O + o) * OH * OW + k];
    db[o] += sum;
}

// ---------------------------------------------------------------------------------------------
// The same convolution as matrix products: the pieces around gemm.cl for the im2col formulation.
//
// Shapes (NCHW, stride s, zero padding pad): x [N, C, H, W], w [O, K] with K = C*KH*KW,
// y and dy [N, O, OH, OW], P = OH*OW output positions per image.
//   cols [K, N*P]:  cols[(c*KH + p)*KW + q, (n*OH + i)*OW + j] = x[n, c, i*s - pad + p, j*s - pad + q] (0 outside)
// Then, with rows(t)[o, (n*OH + i)*OW + j] = t[n, o, i, j]:
//   forward:          rows(y)  = w · cols, then y = nchw(rows(y)) + b
//   backward weights: dw      += rows(dy) · colsᵀ
//   backward data:    dcols    = wᵀ · rows(dy), then dx = col2im(dcols)
// Each must equal the direct loops above / ReferenceBackend.

// One work-item per element of cols.
__kernel void im2col(const int N, const int C, const int H, const int W, const int KH, const int KW,
                     const int s, const int pad, const int OH, const int OW,
                     __global const float* x, __global float* cols) {
    const int e = get_global_id(0);
    const int NP = N * OH * OW;
    const int col = e % NP, k = e / NP;
    const int j = col % OW, i = (col / OW) % OH, n = col / (OW * OH);
    const int q = k % KW, p = (k / KW) % KH, c = k / (KW * KH);
    const int h = i * s - pad + p, v = j * s - pad + q;
    cols[e] = (h >= 0 && h < H && v >= 0 && v < W) ? x[((n * C + c) * H + h) * W + v] : 0.0f;
}

// rows[o, (n, i, j)] = t[n, o, i, j]; one work-item per element.
__kernel void nchw_to_rows(const int N, const int O, const int P, __global const float* t, __global float* rows) {
    const int e = get_global_id(0);
    const int k = e % P, o = (e / P) % O, n = e / (P * O);
    rows[(o * N + n) * P + k] = t[e];
}

// y[n, o, i, j] = rows[o, (n, i, j)] + b[o]; one work-item per element of y.
__kernel void rows_to_nchw_bias(const int N, const int O, const int P, __global const float* rows, __global const float* b,
                                __global float* y) {
    const int e = get_global_id(0);
    const int k = e % P, o = (e / P) % O, n = e / (P * O);
    y[e] = rows[(o * N + n) * P + k] + b[o];
}

// dx[n, c, h, v] = sum of dcols[(c, p, q), (n, i, j)] over the (p, q, i, j) that read x[n, c, h, v]
// in the forward pass; one work-item per element of dx (a gather, no atomics).
__kernel void col2im(const int N, const int C, const int H, const int W, const int KH, const int KW,
                     const int s, const int pad, const int OH, const int OW,
                     __global const float* dcols, __global float* dx) {
    const int e = get_global_id(0);
    const int v = e % W, h = (e / W) % H, c = (e / (W * H)) % C, n = e / (W * H * C);
    const int NP = N * OH * OW;
    float sum = 0.0f;
    for (int p = 0; p < KH; p++) {
        const int i = output_reading(h, pad, p, s, OH);
        if (i < 0) continue;
        for (int q = 0; q < KW; q++) {
            const int j = output_reading(v, pad, q, s, OW);
            if (j < 0) continue;
            sum += dcols[((c * KH + p) * KW + q) * NP + (n * OH + i) * OW + j];
        }
    }
    dx[e] = sum;
}
