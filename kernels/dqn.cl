// The DQN-specific reductions over Q-values q [N, A]; one work-item per row b.

// Loss on the taken actions (ReferenceBackend.gatheredLoss):
//   e = q[b, actions[b]] - target[b]
//   MSE:   l = e^2,                            dl/de = 2e
//   Huber: l = e^2/2 if |e| <= delta,          dl/de = e
//          l = delta (|e| - delta/2) otherwise, dl/de = sign(e) delta
//   dq[b, k] = dl/de / N for k = actions[b], 0 for every other k;  rowLoss[b] = l (the host averages)
__kernel void gathered_loss(const int A, const int N, const int mse, const float delta,
                            __global const float* q, __global const int* actions, __global const float* target,
                            __global float* dq, __global float* rowLoss) {
    const int b = get_global_id(0);
    const int a = actions[b];
    const float e = q[b * A + a] - target[b];
    float loss, slope;
    if (mse) {
        loss = e * e;
        slope = 2.0f * e;
    } else if (fabs(e) <= delta) {
        loss = 0.5f * e * e;
        slope = e;
    } else {
        loss = delta * (fabs(e) - 0.5f * delta);
        slope = e > 0.0f ? delta : -delta;
    }
    for (int k = 0; k < A; k++) dq[b * A + k] = 0.0f;
    dq[b * A + a] = slope / N;
    rowLoss[b] = loss;
}

// max[b] = max over k of q[b, k]; argmax[b] = the first k that reaches it (ReferenceBackend.rowMax).
__kernel void row_max(const int A, __global const float* q, __global float* max, __global int* argmax) {
    const int b = get_global_id(0);
    int best = 0;
    for (int k = 1; k < A; k++) if (q[b * A + k] > q[b * A + best]) best = k;
    max[b] = q[b * A + best];
    argmax[b] = best;
}

// TD targets (ReferenceBackend.tdTarget):
//   target[j] = rewards[j] + discounts[j] bootstrap[j]      (discount: gamma^m, or 0 after a termination),
//   bootstrap[j] = max over a of nextQ[j, a]  (useActions == 0)   or   nextQ[j, nextActions[j]]  (Double DQN)
__kernel void td_target(const int A, const int useActions, __global const float* nextQ,
                        __global const int* nextActions, __global const float* rewards, __global const float* discounts,
                        __global float* target) {
    const int j = get_global_id(0);
    float bootstrap;
    if (useActions) {
        bootstrap = nextQ[j * A + nextActions[j]];
    } else {
        bootstrap = nextQ[j * A];
        for (int k = 1; k < A; k++) bootstrap = fmax(bootstrap, nextQ[j * A + k]);
    }
    target[j] = rewards[j] + discounts[j] * bootstrap;
}
