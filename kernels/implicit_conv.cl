// 2-D convolution as implicit GEMM: the three products of conv.cl's im2col formulation, with the
// im2col (or the gather of dy) done while a tile is loaded into local memory, so no cols buffer
// is built, and with each work-item keeping a block of outputs in registers.
//
// Shapes (NCHW, stride s, zero padding pad): x [N, C, H, W], w [O, C, KH, KW], b [O],
// y and dy [N, O, OH, OW], dx [N, C, H, W]; K = C*KH*KW, P = OH*OW.
//   im2col(k, col) = x[n, c, i*s - pad + p, j*s - pad + q] (0 outside the image),
//                    k = (c*KH + p)*KW + q, col = (n*OH + i)*OW + j.
// Each kernel must equal the loop written above it (ReferenceBackend's loops, regrouped).
//
// Tiling, shared by the three kernels: a product Out[M, NC] = sum over t < T of A(r, t) * B(t, col).
// Work-group 16x16; it owns a block of BM = 16*RM rows and BN = 16*RN columns of Out, and work-item
// (tx, ty) the outputs (ty + 16*r, tx*RN + c), r < RM, c < RN, accumulated in registers: RM
// vectors of RN = 8 floats, so each step of the depth is one 8-wide load of B's tile and RM
// multiply-adds of 8 lanes. The depth is walked in steps of TK = 16: A's tile is stored transposed
// (At[t][r]) and B's as is (Bs[t][c]). Before each pair of tiles is loaded, the first TK
// work-items write a table of what the tile's depth indices mean (their channel and tap, or their
// image and output position), so no loader divides by a run-time size. An element outside the
// product or in the padding is loaded from element 0 (a select of the address, found with unsigned
// compares) and replaced by 0; without padding, a tile whose columns and depth all exist is loaded
// without checks (a branch per tile that the whole work-group takes alike). The inner loop has no
// bounds and no branches. The outputs are written (with the bias, or added into dw) only where
// they exist.
// NDRange: global [roundUp(NC, BN) / RN, roundUp(M, BM) / RM], local [16, 16].

#define IG_TK 16
#define IG_RM 2
#define IG_RN 8
#define IG_BM (16 * IG_RM)
#define IG_BN (16 * IG_RN)

// The register-blocked product of one pair of tiles: acc[r][c] += sum over t of At[t][ty+16r] * Bs[t][tx*RN + c].
#define IG_MULTIPLY_TILES()                                                              \
    for (int tt = 0; tt < IG_TK; tt++) {                                                 \
        const float8 bv = vload8(0, &Bs[tt][tx * IG_RN]);                                \
        for (int r = 0; r < IG_RM; r++) acc[r] += At[tt][ty + 16 * r] * bv;              \
    }

#define IG_ELEMENT(v, c) ((c) == 0 ? (v).s0 : (c) == 1 ? (v).s1 : (c) == 2 ? (v).s2 : (c) == 3 ? (v).s3 : \
                          (c) == 4 ? (v).s4 : (c) == 5 ? (v).s5 : (c) == 6 ? (v).s6 : (v).s7)

// Forward, bias fused, and with relu != 0 the ReLU that follows the convolution (Backend.conv2dForwardRelu).
// Must equal (ReferenceBackend.conv2dForward, then ReferenceBackend.reluForward when relu != 0):
//   y[n,o,i,j] = b[o] + sum over k < K of w[o, k] * im2col(k, (n*OH + i)*OW + j)      then y = max(0, y)
// Product: M = O, NC = N*P, depth K; A(o, k) = w[o*K + k], B(k, col) = im2col(k, col).
// Work-item lid loads column lid % BN of B's tile (its image coordinates computed once) at depth
// rows lid / BN + (256 / BN)*l; the table holds each depth row's channel offset and tap (p, q).
__kernel __attribute__((reqd_work_group_size(16, 16, 1)))
void conv_forward_implicit(const int N, const int C, const int H, const int W, const int O, const int KH, const int KW,
                           const int s, const int pad, const int OH, const int OW, const int relu,
                           __global const float* x, __global const float* w, __global const float* b,
                           __global float* y) {
    const int tx = get_local_id(0), ty = get_local_id(1), lid = ty * 16 + tx;
    const int K = C * KH * KW, P = OH * OW, NC = N * P, KK = KH * KW;
    const int row0 = get_group_id(1) * IG_BM, col0 = get_group_id(0) * IG_BN;
    __local float At[IG_TK][IG_BM + 1];
    __local float Bs[IG_TK][IG_BN];
    __local int kOff[IG_TK], kP[IG_TK], kQ[IG_TK];
    float8 acc[IG_RM];
    for (int r = 0; r < IG_RM; r++) acc[r] = (float8)(0.0f);
    const int bc = lid % IG_BN, gcol = col0 + bc, ccol = min(gcol, NC - 1);
    const int bn = ccol / P, bij = ccol % P;
    const int h0 = (bij / OW) * s - pad, v0 = (bij % OW) * s - pad;
    const int xcorner = bn * C * H * W + h0 * W + v0;          // x[n, 0, h0, v0], perhaps outside the image
    // Without padding, the window of an existing output lies in the image: a full tile of existing
    // columns and depth rows needs no check (a branch the whole work-group takes alike, per tile).
    const int fullColumns = pad == 0 && col0 + IG_BN <= NC;
    for (int t = 0; t < K; t += IG_TK) {
        if (lid < IG_TK) {                                     // the depth table: k = (c, p, q)
            const int gk = t + lid, ck = min(gk, K - 1), pq = ck % KK, p = pq / KW, q = pq % KW;
            kOff[lid] = ((ck / KK) * H + p) * W + q;
            kP[lid] = gk < K ? p : H + pad;                    // past the image for every column: a 0
            kQ[lid] = q;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int l = 0; l < IG_RM; l++) {                      // A: BM x TK, contiguous along k
            const int ar = lid / IG_TK + 16 * l, ap = lid % IG_TK;
            const int gr = row0 + ar, gk = t + ap;
            const float av = w[min(gr, O - 1) * K + min(gk, K - 1)];
            At[ap][ar] = (gr < O && gk < K) ? av : 0.0f;
        }
        // B: TK x BN, the image gathered. Past K, A's zeros alone would cancel B, and columns past NC
        // are never written, so only the padding needs B's zeros for finite x; the checks also keep
        // a non-finite x from reaching an output through a clamped address.
        if (fullColumns && t + IG_TK <= K) {
            for (int l = 0; l < IG_RN; l++) {
                const int bp = lid / IG_BN + (256 / IG_BN) * l;
                Bs[bp][bc] = x[xcorner + kOff[bp]];
            }
        } else {
            for (int l = 0; l < IG_RN; l++) {                  // each load checked: unsigned compares, 0 from x[0]
                const int bp = lid / IG_BN + (256 / IG_BN) * l;
                const int ok = gcol < NC && (uint) (h0 + kP[bp]) < (uint) H && (uint) (v0 + kQ[bp]) < (uint) W;
                const float xv = x[ok ? xcorner + kOff[bp] : 0];
                Bs[bp][bc] = ok ? xv : 0.0f;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        IG_MULTIPLY_TILES()
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int c = 0; c < IG_RN; c++) {
        const int col = col0 + tx * IG_RN + c;
        if (col >= NC) continue;
        const int n = col / P, ij = col % P;
        for (int r = 0; r < IG_RM; r++) {
            const int o = row0 + ty + 16 * r;
            if (o < O) {
                const float v = IG_ELEMENT(acc[r], c) + b[o];
                y[(n * O + o) * P + ij] = relu ? fmax(0.0f, v) : v;      // relu: the ReLU that follows, as relu_forward takes it
            }
        }
    }
}

// Gradient with respect to the weights, accumulated. Must equal (ReferenceBackend.conv2dBackwardWeights):
//   dw[o, k] += sum over col < N*P of dy[n, o, i, j] * im2col(k, col),   col = (n*OH + i)*OW + j
// Product: M = O, NC = K, depth N*P; A(o, col) = dy[n, o, i, j], B(col, k) = im2col(k, col).
// Work-item lid loads depth index lid % TK of both tiles and weight columns lid / TK + 16*l, whose
// (c, p, q) it computes once; the table holds each depth index's image offset, dy offset and
// window corner. The bias gradient is the separate conv_backward_bias of conv.cl.
__kernel __attribute__((reqd_work_group_size(16, 16, 1)))
void conv_backward_weights_implicit(const int N, const int C, const int H, const int W, const int O, const int KH, const int KW,
                                    const int s, const int pad, const int OH, const int OW,
                                    __global const float* x, __global const float* dy, __global float* dw) {
    const int tx = get_local_id(0), ty = get_local_id(1), lid = ty * 16 + tx;
    const int K = C * KH * KW, P = OH * OW, NP = N * P, KK = KH * KW;
    const int row0 = get_group_id(1) * IG_BM, col0 = get_group_id(0) * IG_BN;
    __local float At[IG_TK][IG_BM + 1];
    __local float Bs[IG_TK][IG_BN];
    __local int tX[IG_TK], tDy[IG_TK], tH[IG_TK], tV[IG_TK], tOk[IG_TK];
    float8 acc[IG_RM];
    for (int r = 0; r < IG_RM; r++) acc[r] = (float8)(0.0f);
    const int dp = lid % IG_TK;                                // the depth index this work-item loads
    int kOff[IG_RN], kP[IG_RN], kQ[IG_RN];                    // its weight columns' (c, p, q)
    for (int l = 0; l < IG_RN; l++) {
        const int gk = col0 + lid / IG_TK + 16 * l, ck = min(gk, K - 1), p = (ck % KK) / KW, q = ck % KW;
        kOff[l] = ((ck / KK) * H + p) * W + q;
        kP[l] = gk < K ? p : H + pad;                          // past the image for every position: a 0
        kQ[l] = q;
    }
    // Without padding every window lies in the image: full tiles of weight columns and positions need no check.
    const int fullColumns = pad == 0 && col0 + IG_BN <= K;
    for (int t = 0; t < NP; t += IG_TK) {
        if (lid < IG_TK) {                                     // the depth table: col = (n, i, j)
            const int gcol = t + lid, ccol = min(gcol, NP - 1), n = ccol / P, ij = ccol % P;
            const int h0 = (ij / OW) * s - pad, v0 = (ij % OW) * s - pad;
            tX[lid] = n * C * H * W + h0 * W + v0;             // x[n, 0, h0, v0], perhaps outside the image
            tDy[lid] = n * O * P + ij;
            tH[lid] = gcol < NP ? h0 : H + pad;                // past the image for every tap: a 0
            tV[lid] = v0;
            tOk[lid] = gcol < NP;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        const int colOk = tOk[dp], h0 = tH[dp], v0 = tV[dp], xcorner = tX[dp];
        for (int l = 0; l < IG_RM; l++) {                      // A: BM x TK, dy contiguous along the depth
            const int ar = lid / IG_TK + 16 * l, go = row0 + ar;
            const float dv = dy[tDy[dp] + min(go, O - 1) * P];
            At[dp][ar] = (go < O && colOk) ? dv : 0.0f;
        }
        if (fullColumns && t + IG_TK <= NP) {                  // B: TK x BN, the image gathered
            for (int l = 0; l < IG_RN; l++) Bs[dp][lid / IG_TK + 16 * l] = x[xcorner + kOff[l]];
        } else {
            for (int l = 0; l < IG_RN; l++) {                  // each load checked: unsigned compares, 0 from x[0]
                const int ok = (uint) (h0 + kP[l]) < (uint) H && (uint) (v0 + kQ[l]) < (uint) W;
                const float xv = x[ok ? xcorner + kOff[l] : 0];
                Bs[dp][lid / IG_TK + 16 * l] = ok ? xv : 0.0f;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        IG_MULTIPLY_TILES()
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int r = 0; r < IG_RM; r++) {
        const int o = row0 + ty + 16 * r;
        if (o >= O) continue;
        for (int c = 0; c < IG_RN; c++) {
            const int k = col0 + tx * IG_RN + c;
            if (k < K) dw[o * K + k] += IG_ELEMENT(acc[r], c);
        }
    }
}

// Gradient with respect to the input, overwritten, as a gather per input element (no atomics).
// Must equal (ReferenceBackend.conv2dBackwardData):
//   dx[n,c,h,v] = sum over o, p, q with h + pad = i*s + p, v + pad = j*s + q, 0 <= i < OH, 0 <= j < OW
//                 of dy[n,o,i,j] * w[o,c,p,q]
// Only the taps p = (h + pad) mod s + s*a reach row h (likewise q), so the input elements are split
// into the s*s phases (rh, rv) = ((h + pad) mod s, (v + pad) mod s), and within a phase
//   h + pad = rh + s*u,  p = rh + s*a,  i = u - a     (a < TA = ceil(KH / s); likewise v, q, j, b, TB)
// dy's side does not depend on the phase, so all phases are one product without wasted taps:
// rows (phase, c) < s*s*C, columns (n, u, uu) with u < U = ceil((H + pad) / s),
// uu < V = ceil((W + pad) / s), depth (o, a, b) < O*TA*TB;
//   A((rh*s + rv)*C + c, (o,a,b)) = w[o, c, rh + s*a, rv + s*b]   (0 when the tap is past KH or KW)
//   B((o,a,b), (n,u,uu)) = dy[n, o, u - a, uu - b]                (0 outside dy)
//   dx[n, c, rh + s*u - pad, rv + s*uu - pad] = Out[(rh*s + rv)*C + c, (n,u,uu)]
// Outputs whose (h, v) fall in the padding or past the image are computed and not written.
// Each work-item's A rows, and so their channel and phase, are fixed; the table holds each depth
// index's weight offset (o*C*KH*KW + s*a*KW + s*b) and (s*a, s*b), and its dy channel offset and (a, b).
__kernel __attribute__((reqd_work_group_size(16, 16, 1)))
void conv_backward_data_implicit(const int N, const int C, const int H, const int W, const int O, const int KH, const int KW,
                                 const int s, const int pad, const int OH, const int OW,
                                 __global const float* dy, __global const float* w, __global float* dx) {
    const int tx = get_local_id(0), ty = get_local_id(1), lid = ty * 16 + tx;
    const int TA = (KH + s - 1) / s, TB = (KW + s - 1) / s, TAB = TA * TB, D = O * TAB, M = s * s * C;
    const int U = (H + pad + s - 1) / s, V = (W + pad + s - 1) / s, UV = U * V, NC = N * UV;
    const int row0 = get_group_id(1) * IG_BM, col0 = get_group_id(0) * IG_BN;
    __local float At[IG_TK][IG_BM + 1];
    __local float Bs[IG_TK][IG_BN];
    __local int dW[IG_TK], dSA[IG_TK], dSB[IG_TK], dO[IG_TK], dA[IG_TK], dB[IG_TK];
    float8 acc[IG_RM];
    for (int r = 0; r < IG_RM; r++) acc[r] = (float8)(0.0f);
    int aOff[IG_RM], aRh[IG_RM], aRv[IG_RM];                  // this work-item's A rows: w[0, c, rh, rv], rh, rv
    for (int l = 0; l < IG_RM; l++) {
        const int gr = row0 + lid / IG_TK + 16 * l, cr = min(gr, M - 1), phase = cr / C, c = cr % C;
        aRh[l] = gr < M ? phase / s : KH;                      // past the kernel for every tap: a 0
        aRv[l] = phase % s;
        aOff[l] = (c * KH + phase / s) * KW + phase % s;
    }
    const int bc = lid % IG_BN, gcol = col0 + bc, ccol = min(gcol, NC - 1), colOk = gcol < NC;
    const int bn = ccol / UV, bu = (ccol % UV) / V, buu = ccol % V;
    const int dybase = bn * O * OH * OW;
    for (int t = 0; t < D; t += IG_TK) {
        if (lid < IG_TK) {                                     // the depth table: d = (o, a, b)
            const int gd = t + lid, cd = min(gd, D - 1), o = cd / TAB, a = (cd % TAB) / TB, bb = cd % TB;
            dW[lid] = o * C * KH * KW + s * a * KW + s * bb;
            dSA[lid] = gd < D ? s * a : KH;                    // past the kernel for every row: a 0
            dSB[lid] = s * bb;
            dO[lid] = o * OH * OW;
            dA[lid] = gd < D ? a : U;                          // past dy for every column: a 0
            dB[lid] = bb;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int l = 0; l < IG_RM; l++) {                      // A: BM x TK, the taps of each row's phase
            const int ar = lid / IG_TK + 16 * l, ap = lid % IG_TK;
            const int ok = (uint) (aRh[l] + dSA[ap]) < (uint) KH && (uint) (aRv[l] + dSB[ap]) < (uint) KW;
            const float wv = w[ok ? dW[ap] + aOff[l] : 0];
            At[ap][ar] = ok ? wv : 0.0f;
        }
        for (int l = 0; l < IG_RN; l++) {                      // B: TK x BN, dy gathered
            const int bp = lid / IG_BN + (256 / IG_BN) * l;
            const int i = bu - dA[bp], j = buu - dB[bp];
            const int ok = colOk && (uint) i < (uint) OH && (uint) j < (uint) OW;
            const float dv = dy[ok ? dybase + dO[bp] + i * OW + j : 0];
            Bs[bp][bc] = ok ? dv : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        IG_MULTIPLY_TILES()
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int c = 0; c < IG_RN; c++) {
        const int col = col0 + tx * IG_RN + c;
        if (col >= NC) continue;
        const int n = col / UV, u = (col % UV) / V, uu = col % V;
        for (int r = 0; r < IG_RM; r++) {
            const int row = row0 + ty + 16 * r;
            if (row >= M) continue;
            const int phase = row / C, ch = row % C, h = phase / s + s * u - pad, v = phase % s + s * uu - pad;
            if (h >= 0 && h < H && v >= 0 && v < W) dx[((n * C + ch) * H + h) * W + v] = IG_ELEMENT(acc[r], c);
        }
    }
}
