// Matrix products, in numbered versions: each keeps the one before and adds one idea. The backend
// takes the version of the device's tuned sizes, else v3 on a CPU device and v2 on others, if the
// device runs its work-groups, else v1 (OpenClBackend.bestGemm; with v2, deviceGemm keeps v1 for
// fewer than 16 rows or columns; -Ddqnengine.opencl.gemm=N asks for one), and the parity suite runs every version.
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

// Version 3 drops local memory and barriers for straight-line code a CPU device vectorises: each
// work-item keeps V3_WPT_M rows x V3_WPT_N OpenCL vectors of V3_VW floats of C in registers and
// reads A and B straight from global memory with vloadN along the direction that is contiguous there.
// Two ways through the loop over p, chosen by transB:
//  - op(B) stored [K,N] (not transB): the vectors run along j; per p, V3_WPT_N vector loads of B's
//    row p and one scalar of A per row (a broadcast), V3_WPT_M x V3_WPT_N vector multiply-adds;
//    a work-item covers columns j0 .. j0 + V3_VW*V3_WPT_N - 1.
//  - op(B) stored [N,K] (transB): the vectors run along p, one vector of running sums per output
//    (V3_WPT_M rows x V3_WPT_N columns), each the dot product of a row of A with a row of B read
//    V3_VW at a time, summed across the vector at the end and the last K % V3_VW terms added one
//    by one; a work-item covers columns j0 .. j0 + V3_WPT_N - 1.
// Rows and columns past the edge are read from a clamped (valid) address and never stored; a
// work-item whose vectors reach past N takes the same loop with element-by-element clamped loads
// (chosen once per work-item, not per p). The sizes are build options (-DV3_WPT_M -DV3_WPT_N
// -DV3_VW, GemmParams.v3); the work-group shape is the launch's: any, as there are no barriers.
// NDRange: global [roundUp(ceil(N / columns per work-item), WG), ceil(M / V3_WPT_M)], local [WG, 1].
// The work-items are numbered row-major (l = id1 * size0 + id0) and take the row blocks of one strip
// of columns before the next strip (row block l % rowBlocks, strip l / rowBlocks): the WG work-items
// of a work-group, which PoCL runs one after another on one thread, share their strip of B while it
// is in cache (on PoCL the Nature convolutions' products ran 1.3-1.8x faster this way than with a
// work-group along a row of strips); work-items past the last strip return at once.

#ifndef V3_WPT_M
#define V3_WPT_M 8
#endif
#ifndef V3_WPT_N
#define V3_WPT_N 2
#endif
#ifndef V3_VW
#define V3_VW 16
#endif
#define V3_PASTE(a, b) a##b
#define V3_CAT(a, b) V3_PASTE(a, b)
#define floatv V3_CAT(float, V3_VW)
#define vloadv V3_CAT(vload, V3_VW)
#define vstorev V3_CAT(vstore, V3_VW)

// op(A)[i, p] for an in-range (clamped) row i
#define V3_A(i, p) (transA ? A[(p) * M + (i)] : A[(i) * K + (p)])

__kernel void gemm_v3(const int M, const int N, const int K, const int transA, const int transB,
                      const float alpha, __global const float* A, __global const float* B,
                      const float beta, __global float* C) {
    const int rowBlocks = (M + V3_WPT_M - 1) / V3_WPT_M;
    const int l = get_global_id(1) * get_global_size(0) + get_global_id(0);
    const int x = l / rowBlocks, i0 = (l % rowBlocks) * V3_WPT_M;   // row blocks first: see above
    if (i0 >= M) return;
    int ia[V3_WPT_M];                                   // clamped rows: loads stay in A
    for (int r = 0; r < V3_WPT_M; r++) ia[r] = min(i0 + r, M - 1);
    float tmp[V3_VW];
    if (!transB) {
        const int j0 = x * (V3_VW * V3_WPT_N);
        if (j0 >= N) return;
        floatv acc[V3_WPT_M][V3_WPT_N];
        for (int r = 0; r < V3_WPT_M; r++)
            for (int c = 0; c < V3_WPT_N; c++) acc[r][c] = (floatv)(0.0f);
        const bool full = j0 + V3_VW * V3_WPT_N <= N;
        if (full) {
            __global const float* b = B + j0;
            for (int p = 0; p < K; p++, b += N) {
                floatv bv[V3_WPT_N];
                for (int c = 0; c < V3_WPT_N; c++) bv[c] = vloadv(c, b);
                for (int r = 0; r < V3_WPT_M; r++) {
                    const float a = V3_A(ia[r], p);
                    for (int c = 0; c < V3_WPT_N; c++) acc[r][c] = fma((floatv)(a), bv[c], acc[r][c]);
                }
            }
        } else {
            for (int p = 0; p < K; p++) {
                floatv bv[V3_WPT_N];
                for (int c = 0; c < V3_WPT_N; c++) {
                    for (int e = 0; e < V3_VW; e++) tmp[e] = B[p * N + min(j0 + c * V3_VW + e, N - 1)];
                    bv[c] = vloadv(0, tmp);
                }
                for (int r = 0; r < V3_WPT_M; r++) {
                    const float a = V3_A(ia[r], p);
                    for (int c = 0; c < V3_WPT_N; c++) acc[r][c] = fma((floatv)(a), bv[c], acc[r][c]);
                }
            }
        }
        for (int r = 0; r < V3_WPT_M; r++) {
            const int i = i0 + r;
            if (i >= M) break;
            for (int c = 0; c < V3_WPT_N; c++) {
                __global float* out = C + i * N + j0 + c * V3_VW;
                if (full) {
                    const floatv old = beta == 0.0f ? (floatv)(0.0f) : beta * vloadv(0, out);
                    vstorev(alpha * acc[r][c] + old, 0, out);
                } else {
                    vstorev(acc[r][c], 0, tmp);
                    for (int e = 0; e < V3_VW && j0 + c * V3_VW + e < N; e++) {
                        const float old = beta == 0.0f ? 0.0f : beta * out[e];
                        out[e] = alpha * tmp[e] + old;
                    }
                }
            }
        }
    } else {
        const int j0 = x * V3_WPT_N;
        if (j0 >= N) return;
        int jb[V3_WPT_N];                               // clamped columns: rows of B stored [N,K]
        for (int c = 0; c < V3_WPT_N; c++) jb[c] = min(j0 + c, N - 1);
        floatv acc[V3_WPT_M][V3_WPT_N];
        for (int r = 0; r < V3_WPT_M; r++)
            for (int c = 0; c < V3_WPT_N; c++) acc[r][c] = (floatv)(0.0f);
        const int kv = K - K % V3_VW;
        for (int p = 0; p < kv; p += V3_VW) {
            floatv bv[V3_WPT_N];
            for (int c = 0; c < V3_WPT_N; c++) bv[c] = vloadv(0, B + jb[c] * K + p);
            for (int r = 0; r < V3_WPT_M; r++) {
                floatv av;
                if (transA) {
                    for (int e = 0; e < V3_VW; e++) tmp[e] = A[(p + e) * M + ia[r]];
                    av = vloadv(0, tmp);
                } else {
                    av = vloadv(0, A + ia[r] * K + p);
                }
                for (int c = 0; c < V3_WPT_N; c++) acc[r][c] = fma(av, bv[c], acc[r][c]);
            }
        }
        for (int r = 0; r < V3_WPT_M; r++) {
            const int i = i0 + r;
            if (i >= M) break;
            for (int c = 0; c < V3_WPT_N; c++) {
                const int j = j0 + c;
                if (j >= N) break;
                vstorev(acc[r][c], 0, tmp);
                float sum = 0.0f;
                for (int e = 0; e < V3_VW; e++) sum += tmp[e];
                for (int p = kv; p < K; p++) sum += V3_A(ia[r], p) * B[jb[c] * K + p];
                const float old = beta == 0.0f ? 0.0f : beta * C[i * N + j];
                C[i * N + j] = alpha * sum + old;
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
