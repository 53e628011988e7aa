// Convolution as matrix products: the pieces around gemm.cl for the im2col formulation.
//
// Shapes (NCHW, stride s, zero padding pad): x [N, C, H, W], w [O, K] with K = C*KH*KW,
// y and dy [N, O, OH, OW], P = OH*OW output positions per image.
//   cols [K, N*P]:  cols[(c*KH + p)*KW + q, (n*OH + i)*OW + j] = x[n, c, i*s - pad + p, j*s - pad + q] (0 outside)
// Then, with rows(t)[o, (n*OH + i)*OW + j] = t[n, o, i, j]:
//   forward:          rows(y)  = w · cols, then y = nchw(rows(y)) + b
//   backward weights: dw      += rows(dy) · colsᵀ
//   backward data:    dcols    = wᵀ · rows(dy), then dx = col2im(dcols)
// Each must equal the direct loops of conv.cl / ReferenceBackend.

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
        const int ti = h + pad - p;
        if (ti < 0 || ti % s != 0) continue;
        const int i = ti / s;
        if (i >= OH) continue;
        for (int q = 0; q < KW; q++) {
            const int tj = v + pad - q;
            if (tj < 0 || tj % s != 0) continue;
            const int j = tj / s;
            if (j >= OW) continue;
            sum += dcols[((c * KH + p) * KW + q) * NP + (n * OH + i) * OW + j];
        }
    }
    dx[e] = sum;
}
