// Matrix product with 16x16 tiles in local memory.
//
// Shapes: op(A) is [M, K], op(B) is [K, N], C is [M, N], all row-major.
//   op(A)[i,p] = transA ? A[p*M + i] : A[i*K + p]
//   op(B)[p,j] = transB ? B[j*K + p] : B[p*N + j]
// Must equal, for every i < M, j < N (ReferenceBackend.gemm):
//   float sum = 0; for (p = 0; p < K; p++) sum += op(A)[i,p] * op(B)[p,j];
//   C[i,j] = alpha * sum + (beta == 0 ? 0 : beta * C[i,j]);
// NDRange: global [roundUp(N,16), roundUp(M,16)], local [16, 16]; work-item (x, y) = column j, row i.

#define TILE 16

__kernel void gemm(const int M, const int N, const int K, const int transA, const int transB,
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
