// Matrix products, in numbered versions: each keeps the one before and adds one idea. The backend
// takes the newest version the device can run (OpenClBackend.bestGemm, and deviceGemm keeps v1 for fewer than 16 rows; -Ddqnengine.opencl.gemm=N
// asks for one), and the parity suite runs every version.
//
// Shapes: op(A) is [M, K], op(B) is [K, N], C is [M, N], all row-major.
//   op(A)[i,p] = transA ? A[p*M + i] : A[i*K + p]
//   op(B)[p,j] = transB ? B[j*K + p] : B[p*N + j]
// Must equal, for every i < M, j < N (ReferenceBackend.gemm):
//   float sum = 0; for (p = 0; p < K; p++) sum += op(A)[i,p] * op(B)[p,j];
//   C[i,j] = alpha * sum + (beta == 0 ? 0 : beta * C[i,j]);

// Version 1 adds tiles in local memory to the one-output-per-work-item product: a work-group reads
// each element of A's and B's 16x16 tiles from global memory once instead of 16 times.
// NDRange: global [roundUp(N,16), roundUp(M,16)], local [16, 16]; work-item (x, y) = column j, row i.

#define TILE 16

__kernel void gemm_v1(const int M, const int N, const int K, const int transA, const int transB,
                   const float alpha, __global const float* A, __global const float* B,
                   const float beta, __global float* C) {
    const int lx = get_local_id(0), ly = get_local_id(1);
    const int j = get_group_id(0) * TILE + lx;
    const int i = get_group_id(1) * TILE + ly;
    __local float As[TILE][TILE];          // As[ly][lx] = op(A)[i, t + lx]
    __local float Bs[TILE][TILE];          // Bs[ly][lx] = op(B)[t + ly, j]
    float sum = 0.0f;
    for (int t = 0; t < K; t += TILE) {
        const int pa = t + lx, pb = t + ly;
        As[ly][lx] = (i < M && pa < K) ? (transA ? A[pa * M + i] : A[i * K + pa]) : 0.0f;
        Bs[ly][lx] = (j < N && pb < K) ? (transB ? B[j * K + pb] : B[pb * N + j]) : 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int p = 0; p < TILE; p++) sum += As[ly][p] * Bs[p][lx];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (i < M && j < N) {
        const float old = beta == 0.0f ? 0.0f : beta * C[i * N + j];
        C[i * N + j] = alpha * sum + old;
    }
}

// Version 2 adds register blocking: each work-item keeps a WPT_M x WPT_N block of C in registers,
// so each value it reads from local memory serves several multiply-adds instead of 1, and a
// work-group of WG x WG work-items covers a (WG*WPT_M) x (WG*WPT_N) block of C. A's tile is stored
// transposed (At[p][r]), so the inner loop reads rows of both tiles; the rows are padded by one
// float so that the stores of a transposed load hit different banks; tiles are loaded along the
// direction that is contiguous in global memory; out-of-range elements are loaded from a clamped
// address and replaced by 0, so the inner loop has no bounds and no branches.
// The tile sizes are build options (-DWG=.. -DWPT_M=.. -DWPT_N=.. -DTK=..; OpenClBackend passes
// the device's tuned ones, GemmParams): the defaults below are the first version's 16x16
// work-groups, 4x4 per work-item (a 64x64 block) and 16-deep tiles.
// NDRange: global [roundUp(N,BN)/WPT_N, roundUp(M,BM)/WPT_M], local [WG, WG]. Work-item (tx, ty)
// of block (bx, by) computes C[by*BM + ty + WG*r, bx*BN + tx + WG*c] for r < WPT_M, c < WPT_N:
// the WG work-items of a row read WG consecutive floats of Bs, and all of them the same float of
// At (a broadcast).

#ifndef WG
#define WG 16             // work-group side
#endif
#ifndef WPT_M
#define WPT_M 4           // rows of C per work-item
#endif
#ifndef WPT_N
#define WPT_N 4           // columns of C per work-item
#endif
#ifndef TK
#define TK 16             // depth of a local tile
#endif
#define BM (WG * WPT_M)   // rows of C per work-group
#define BN (WG * WPT_N)   // columns of C per work-group

__kernel __attribute__((reqd_work_group_size(WG, WG, 1)))
void gemm_v2(const int M, const int N, const int K, const int transA, const int transB,
             const float alpha, __global const float* A, __global const float* B,
             const float beta, __global float* C) {
    const int tx = get_local_id(0), ty = get_local_id(1), lid = ty * WG + tx;
    const int i0 = get_group_id(1) * BM, j0 = get_group_id(0) * BN;
    __local float At[TK][BM + 1];          // At[p][r] = op(A)[i0 + r, t + p]
    __local float Bs[TK][BN + 1];          // Bs[p][c] = op(B)[t + p, j0 + c]
    float acc[WPT_M][WPT_N];
    for (int r = 0; r < WPT_M; r++)
        for (int c = 0; c < WPT_N; c++) acc[r][c] = 0.0f;
    for (int t = 0; t < K; t += TK) {
        for (int e = lid; e < BM * TK; e += WG * WG) {
            // A stored [M,K] is contiguous along p, stored [K,M] (transA) along r
            const int ar = transA ? e % BM : e / TK, ap = transA ? e / BM : e % TK;
            const int gi = i0 + ar, gp = t + ap;
            const int ci = min(gi, M - 1), cp = min(gp, K - 1);
            const float av = transA ? A[cp * M + ci] : A[ci * K + cp];
            At[ap][ar] = (gi < M && gp < K) ? av : 0.0f;
        }
        for (int e = lid; e < BN * TK; e += WG * WG) {
            // B stored [K,N] is contiguous along c, stored [N,K] (transB) along p
            const int bc = transB ? e / TK : e % BN, bp = transB ? e % TK : e / BN;
            const int gj = j0 + bc, gq = t + bp;
            const int cj = min(gj, N - 1), cq = min(gq, K - 1);
            const float bv = transB ? B[cj * K + cq] : B[cq * N + cj];
            Bs[bp][bc] = (gj < N && gq < K) ? bv : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
#pragma unroll
        for (int p = 0; p < TK; p++) {
            float a[WPT_M], b[WPT_N];
            for (int r = 0; r < WPT_M; r++) a[r] = At[p][ty + WG * r];
            for (int c = 0; c < WPT_N; c++) b[c] = Bs[p][tx + WG * c];
            for (int r = 0; r < WPT_M; r++)
                for (int c = 0; c < WPT_N; c++) acc[r][c] += a[r] * b[c];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int r = 0; r < WPT_M; r++) {
        const int i = i0 + ty + WG * r;
        for (int c = 0; c < WPT_N; c++) {
            const int j = j0 + tx + WG * c;
            if (i < M && j < N) {
                const float old = beta == 0.0f ? 0.0f : beta * C[i * N + j];
                C[i * N + j] = alpha * acc[r][c] + old;
            }
        }
    }
}

// y[n, j] += bias[j]   for y [rows, cols]; one work-item per element.
__kernel void add_row_bias(const int cols, __global float* y, __global const float* bias) {
    const int e = get_global_id(0);
    y[e] += bias[e % cols];
}

// db[j] += sum over n of dy[n, j]   for dy [rows, cols]; one work-item per column.
__kernel void sum_rows_into(const int rows, const int cols, __global const float* dy, __global float* db) {
    const int j = get_global_id(0);
    float s = 0.0f;
    for (int n = 0; n < rows; n++) s += dy[n * cols + j];
    db[j] += s;
}
