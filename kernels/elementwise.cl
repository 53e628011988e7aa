// Element-wise ops on flat float arrays; one work-item per element unless said otherwise.

// y[i] = max(0, x[i])
__kernel void relu_forward(__global const float* x, __global float* y) {
    const int i = get_global_id(0);
    y[i] = fmax(0.0f, x[i]);
}

// dx[i] = y[i] > 0 ? dy[i] : 0      (y is the forward output)
__kernel void relu_backward(__global const float* y, __global const float* dy, __global float* dx) {
    const int i = get_global_id(0);
    dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

// dst[i] = scale * src[i]  for unsigned bytes src
__kernel void u8_to_float(__global const uchar* src, const float scale, __global float* dst) {
    const int i = get_global_id(0);
    dst[i] = scale * (float) src[i];
}

// t[i] *= s
__kernel void scale(__global float* t, const float s) {
    const int i = get_global_id(0);
    t[i] *= s;
}

// t[j, k] *= w[j] for t [N, K] (ReferenceBackend.scaleRows)
__kernel void scale_rows(const int K, __global float* t, __global const float* w) {
    const int i = get_global_id(0);
    t[i] *= w[i / K];
}

// t[i] = value
__kernel void fill(__global float* t, const float value) {
    t[get_global_id(0)] = value;
}

// partial[g] = sum of t[k]^2 over k = g, g + G, g + 2G, ... < n   (G = global size); the host adds
// the partials in double. Must equal ReferenceBackend.sumOfSquares up to summation order.
__kernel void sum_of_squares(const int n, __global const float* t, __global float* partial) {
    const int g = get_global_id(0), G = get_global_size(0);
    float s = 0.0f;
    for (int k = g; k < n; k += G) s += t[k] * t[k];
    partial[g] = s;
}
