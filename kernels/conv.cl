// Direct 2-D convolution, NCHW, square stride s and zero padding pad.
//
// Shapes: x [N, C, H, W], w [O, C, KH, KW], b [O], y [N, O, OH, OW],
//         OH = (H + 2*pad - KH) / s + 1, OW = (W + 2*pad - KW) / s + 1.
// The index helpers below are the ones ReferenceBackend spells out in its loops.

#define X(n, c, h, v)  x[(((n) * C + (c)) * H + (h)) * W + (v)]
#define WT(o, c, p, q) w[(((o) * C + (c)) * KH + (p)) * KW + (q)]
#define DY(n, o, i, j) dy[(((n) * O + (o)) * OH + (i)) * OW + (j)]

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
            const int ti = h + pad - p;                     // = i * s
            if (ti < 0 || ti % s != 0) continue;
            const int i = ti / s;
            if (i >= OH) continue;
            for (int q = 0; q < KW; q++) {
                const int tj = v + pad - q;
                if (tj < 0 || tj % s != 0) continue;
                const int j = tj / s;
                if (j >= OW) continue;
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
