// Optimizer updates, one work-item per parameter element; the same formulas as ReferenceBackend.

// Adam (Kingma & Ba 2015), PyTorch semantics; bias1 = 1 - beta1^t and bias2 = 1 - beta2^t come
// from the host (computed in double there).
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  p -= lr (m / bias1) / (sqrt(v / bias2) + eps)
__kernel void adam(__global float* p, __global const float* g, __global float* m, __global float* v,
                   const float lr, const float beta1, const float beta2, const float eps, const float bias1, const float bias2) {
    const int i = get_global_id(0);
    const float gi = g[i];
    const float mi = beta1 * m[i] + (1.0f - beta1) * gi;
    const float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= lr * (mi / bias1) / (sqrt(vi / bias2) + eps);
}

// RMSProp: s = a s + (1 - a) g^2; centred: ga = a ga + (1 - a) g, var = s - ga^2, else var = s;
//   denom = epsInsideSqrt ? sqrt(var + eps) : sqrt(var) + eps
//   momentum: buf = mu buf + g / denom, p -= lr buf;   else p -= lr g / denom
__kernel void rmsprop(__global float* p, __global const float* g, __global float* sq, __global float* ga, __global float* buf,
                      const int centred, const int useMomentum, const float lr, const float alpha, const float eps,
                      const float momentum, const int epsInsideSqrt) {
    const int i = get_global_id(0);
    const float gi = g[i];
    const float si = alpha * sq[i] + (1.0f - alpha) * gi * gi;
    sq[i] = si;
    float variance = si;
    if (centred) {
        const float gai = alpha * ga[i] + (1.0f - alpha) * gi;
        ga[i] = gai;
        variance -= gai * gai;
    }
    const float denom = epsInsideSqrt ? sqrt(variance + eps) : sqrt(variance) + eps;
    if (useMomentum) {
        const float bi = momentum * buf[i] + gi / denom;
        buf[i] = bi;
        p[i] -= lr * bi;
    } else {
        p[i] -= lr * gi / denom;
    }
}

// SGD: momentum: buf = mu buf + g, p -= lr buf;  else p -= lr g
__kernel void sgd(__global float* p, __global const float* g, __global float* buf, const int useMomentum,
                  const float lr, const float momentum) {
    const int i = get_global_id(0);
    if (useMomentum) {
        const float bi = momentum * buf[i] + g[i];
        buf[i] = bi;
        p[i] -= lr * bi;
    } else {
        p[i] -= lr * g[i];
    }
}
