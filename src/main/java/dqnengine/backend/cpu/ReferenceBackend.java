package dqnengine.backend.cpu;

import dqnengine.backend.Checks;
import dqnengine.backend.Backend;
import dqnengine.backend.Conv2dShape;
import dqnengine.backend.LossKind;
import dqnengine.tensor.Tensor;

/**
 * The reference implementation of every {@link Backend} operation: plain single-threaded loops
 * that read like the equations in the interface's Javadoc. It is the oracle the fast CPU and
 * OpenCL backends are tested against, so clarity wins over speed everywhere in this file.
 */
public class ReferenceBackend implements Backend {

    @Override
    public String name() { return "reference"; }

    // ---------------------------------------------------------------- matrix products

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        int m = c.dim(0), n = c.dim(1);
        int k = transA ? a.dim(0) : a.dim(1);
        Checks.gemmShapes(transA, transB, a, b, c);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float sum = 0f;
                for (int p = 0; p < k; p++) {
                    float aip = transA ? a.data[p * m + i] : a.data[i * k + p];   // op(A)[i,p]
                    float bpj = transB ? b.data[j * k + p] : b.data[p * n + j];   // op(B)[p,j]
                    sum += aip * bpj;
                }
                float old = beta == 0f ? 0f : beta * c.data[i * n + j];
                c.data[i * n + j] = alpha * sum + old;
            }
        }
    }

    @Override
    public void addRowBias(Tensor y, Tensor bias) {
        int rows = y.dim(0), cols = y.dim(1);
        Checks.length(bias, cols, "addRowBias bias");
        for (int n = 0; n < rows; n++) {
            for (int j = 0; j < cols; j++) y.data[n * cols + j] += bias.data[j];
        }
    }

    @Override
    public void sumRowsInto(Tensor dy, Tensor db) {
        int rows = dy.dim(0), cols = dy.dim(1);
        Checks.length(db, cols, "sumRowsInto db");
        for (int n = 0; n < rows; n++) {
            for (int j = 0; j < cols; j++) db.data[j] += dy.data[n * cols + j];
        }
    }

    // ---------------------------------------------------------------- convolution

    @Override
    public void conv2dForward(Conv2dShape g, Tensor x, Tensor w, Tensor b, Tensor y) {
        Checks.conv(g, x, w, b, y);
        int C = g.inChannels(), H = g.inHeight(), W = g.inWidth();
        int O = g.outChannels(), KH = g.kernelH(), KW = g.kernelW(), s = g.stride(), pad = g.padding();
        int OH = g.outHeight(), OW = g.outWidth();
        for (int n = 0; n < g.batch(); n++)
            for (int o = 0; o < O; o++)
                for (int i = 0; i < OH; i++)
                    for (int j = 0; j < OW; j++) {
                        float sum = b.data[o];
                        for (int c = 0; c < C; c++)
                            for (int p = 0; p < KH; p++) {
                                int h = i * s - pad + p;
                                if (h < 0 || h >= H) continue;                  // zero padding
                                for (int q = 0; q < KW; q++) {
                                    int v = j * s - pad + q;
                                    if (v < 0 || v >= W) continue;
                                    sum += x.data[g.inputIndex(n, c, h, v)] * w.data[((o * C + c) * KH + p) * KW + q];
                                }
                            }
                        y.data[g.outputIndex(n, o, i, j)] = sum;
                    }
    }

    @Override
    public void conv2dBackwardData(Conv2dShape g, Tensor dy, Tensor w, Tensor dx) {
        Checks.convBackwardData(g, dy, w, dx);
        int C = g.inChannels(), H = g.inHeight(), W = g.inWidth();
        int O = g.outChannels(), KH = g.kernelH(), KW = g.kernelW(), s = g.stride(), pad = g.padding();
        int OH = g.outHeight(), OW = g.outWidth();
        dx.fill(0f);
        // The forward loop read x[n,c,h,v] once for every (o,i,j,p,q) that touches it; the chain
        // rule sends dy[n,o,i,j]·w[o,c,p,q] back along each of those reads.
        for (int n = 0; n < g.batch(); n++)
            for (int o = 0; o < O; o++)
                for (int i = 0; i < OH; i++)
                    for (int j = 0; j < OW; j++) {
                        float grad = dy.data[g.outputIndex(n, o, i, j)];
                        for (int c = 0; c < C; c++)
                            for (int p = 0; p < KH; p++) {
                                int h = i * s - pad + p;
                                if (h < 0 || h >= H) continue;
                                for (int q = 0; q < KW; q++) {
                                    int v = j * s - pad + q;
                                    if (v < 0 || v >= W) continue;
                                    dx.data[g.inputIndex(n, c, h, v)] += grad * w.data[((o * C + c) * KH + p) * KW + q];
                                }
                            }
                    }
    }

    @Override
    public void conv2dBackwardWeights(Conv2dShape g, Tensor x, Tensor dy, Tensor dw, Tensor db) {
        Checks.convBackwardWeights(g, x, dy, dw, db);
        int C = g.inChannels(), H = g.inHeight(), W = g.inWidth();
        int O = g.outChannels(), KH = g.kernelH(), KW = g.kernelW(), s = g.stride(), pad = g.padding();
        int OH = g.outHeight(), OW = g.outWidth();
        for (int o = 0; o < O; o++)
            for (int c = 0; c < C; c++)
                for (int p = 0; p < KH; p++)
                    for (int q = 0; q < KW; q++) {
                        float sum = 0f;                                           // ∂L/∂w[o,c,p,q]
                        for (int n = 0; n < g.batch(); n++)
                            for (int i = 0; i < OH; i++) {
                                int h = i * s - pad + p;
                                if (h < 0 || h >= H) continue;
                                for (int j = 0; j < OW; j++) {
                                    int v = j * s - pad + q;
                                    if (v < 0 || v >= W) continue;
                                    sum += dy.data[g.outputIndex(n, o, i, j)] * x.data[g.inputIndex(n, c, h, v)];
                                }
                            }
                        dw.data[((o * C + c) * KH + p) * KW + q] += sum;
                    }
        for (int o = 0; o < O; o++) {
            float sum = 0f;                                                       // ∂L/∂b[o]
            for (int n = 0; n < g.batch(); n++)
                for (int i = 0; i < OH; i++)
                    for (int j = 0; j < OW; j++) sum += dy.data[g.outputIndex(n, o, i, j)];
            db.data[o] += sum;
        }
    }

    // ---------------------------------------------------------------- activations

    @Override
    public void reluForward(Tensor x, Tensor y) {
        Tensor.requireSameShape(x, y, "reluForward");
        for (int i = 0; i < x.data.length; i++) y.data[i] = Math.max(0f, x.data[i]);
    }

    @Override
    public void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        Tensor.requireSameShape(y, dy, "reluBackward");
        Tensor.requireSameShape(y, dx, "reluBackward");
        for (int i = 0; i < y.data.length; i++) dx.data[i] = y.data[i] > 0f ? dy.data[i] : 0f;
    }

    // ---------------------------------------------------------------- DQN-specific reductions

    @Override
    public float gatheredLoss(LossKind kind, float delta, Tensor q, int[] actions, Tensor target, Tensor dq) {
        int n = q.dim(0), a = q.dim(1);
        Checks.gathered(q, actions, target, dq);
        dq.fill(0f);
        double total = 0;
        for (int b = 0; b < n; b++) {
            float e = q.data[b * a + actions[b]] - target.data[b];               // TD error
            double loss;
            float slope;                                                          // dℓ/de
            if (kind == LossKind.MSE) {
                loss = (double) e * e;
                slope = 2f * e;
            } else if (Math.abs(e) <= delta) {
                loss = 0.5 * e * e;
                slope = e;
            } else {
                loss = delta * (Math.abs(e) - 0.5 * delta);
                slope = Math.signum(e) * delta;
            }
            total += loss;
            dq.data[b * a + actions[b]] = slope / n;
        }
        return (float) (total / n);
    }

    @Override
    public void rowMax(Tensor q, Tensor max, int[] argmax) {
        int n = q.dim(0), a = q.dim(1);
        Checks.rowMax(q, max, argmax);
        for (int b = 0; b < n; b++) {
            int best = 0;
            for (int k = 1; k < a; k++) if (q.data[b * a + k] > q.data[b * a + best]) best = k;
            max.data[b] = q.data[b * a + best];
            if (argmax != null) argmax[b] = best;
        }
    }

    @Override
    public void tdTarget(Tensor nextQ, int[] nextActions, float[] rewards, float[] discounts, Tensor target) {
        int n = nextQ.dim(0), a = nextQ.dim(1);
        Checks.tdTarget(nextQ, nextActions, rewards, discounts, target);
        for (int j = 0; j < n; j++) {
            float bootstrap;
            if (nextActions == null) {
                bootstrap = nextQ.data[j * a];
                for (int k = 1; k < a; k++) bootstrap = Math.max(bootstrap, nextQ.data[j * a + k]);
            } else {
                bootstrap = nextQ.data[j * a + nextActions[j]];
            }
            target.data[j] = rewards[j] + discounts[j] * bootstrap;
        }
    }

    @Override
    public void u8ToFloat(byte[] src, int offset, float scale, Tensor dst) {
        for (int i = 0; i < dst.data.length; i++) dst.data[i] = scale * (src[offset + i] & 0xFF);
    }

    // ---------------------------------------------------------------- element-wise helpers

    @Override
    public double sumOfSquares(Tensor t) {
        double s = 0;
        for (float v : t.data) s += (double) v * v;
        return s;
    }

    @Override
    public void scale(Tensor t, float s) {
        for (int i = 0; i < t.data.length; i++) t.data[i] *= s;
    }

    @Override
    public void scaleRows(Tensor t, float[] w) {
        Checks.scaleRows(t, w);
        int n = t.dim(0), k = t.dim(1);
        for (int j = 0; j < n; j++) for (int i = 0; i < k; i++) t.data[j * k + i] *= w[j];
    }

    @Override
    public void copy(Tensor src, Tensor dst) { dst.copyFrom(src); }

    @Override
    public void fill(Tensor t, float value) { t.fill(value); }

    // ---------------------------------------------------------------- optimizer updates

    @Override
    public void adamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps, long step) {
        Checks.sameShapes("adamUpdate", p, g, m, v);
        double bias1 = 1 - Math.pow(beta1, step);                                 // 1 − β₁ᵗ
        double bias2 = 1 - Math.pow(beta2, step);                                 // 1 − β₂ᵗ
        for (int i = 0; i < p.data.length; i++) {
            float gi = g.data[i];
            m.data[i] = beta1 * m.data[i] + (1 - beta1) * gi;
            v.data[i] = beta2 * v.data[i] + (1 - beta2) * gi * gi;
            double mHat = m.data[i] / bias1;
            double vHat = v.data[i] / bias2;
            p.data[i] -= (float) (lr * mHat / (Math.sqrt(vHat) + eps));
        }
    }

    @Override
    public void rmsPropUpdate(Tensor p, Tensor g, Tensor squareAvg, Tensor gradAvg, Tensor momentumBuf,
                              float lr, float alpha, float eps, float momentum, boolean epsInsideSqrt) {
        Checks.sameShapes("rmsPropUpdate", p, g, squareAvg);
        for (int i = 0; i < p.data.length; i++) {
            float gi = g.data[i];
            squareAvg.data[i] = alpha * squareAvg.data[i] + (1 - alpha) * gi * gi;
            float variance = squareAvg.data[i];
            if (gradAvg != null) {                                                // centred
                gradAvg.data[i] = alpha * gradAvg.data[i] + (1 - alpha) * gi;
                variance -= gradAvg.data[i] * gradAvg.data[i];
            }
            float denom = epsInsideSqrt ? (float) Math.sqrt(variance + eps) : (float) Math.sqrt(variance) + eps;
            if (momentumBuf != null && momentum != 0f) {
                momentumBuf.data[i] = momentum * momentumBuf.data[i] + gi / denom;
                p.data[i] -= lr * momentumBuf.data[i];
            } else {
                p.data[i] -= lr * gi / denom;
            }
        }
    }

    @Override
    public void sgdUpdate(Tensor p, Tensor g, Tensor momentumBuf, float lr, float momentum) {
        Checks.sameShapes("sgdUpdate", p, g);
        for (int i = 0; i < p.data.length; i++) {
            if (momentumBuf != null && momentum != 0f) {
                momentumBuf.data[i] = momentum * momentumBuf.data[i] + g.data[i];
                p.data[i] -= lr * momentumBuf.data[i];
            } else {
                p.data[i] -= lr * g.data[i];
            }
        }
    }
}
