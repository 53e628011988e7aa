package dqnengine.backend;

import dqnengine.tensor.Tensor;

/**
 * The small set of operations every compute device implements. Layers, losses and optimizers
 * are written against this interface only; a backend knows nothing about layers.
 *
 * <p>Conventions shared by every implementation:
 * <ul>
 *   <li>Tensors are row-major; image tensors are NCHW (see {@link Tensor}).</li>
 *   <li>Outputs named {@code y}, {@code dx}, {@code c} are <em>overwritten</em> unless the
 *       method says otherwise; parameter gradients ({@code dw}, {@code db}) are
 *       <em>accumulated</em> with {@code +=}, so that several backward passes can add up
 *       after one {@code zeroGrad()}.</li>
 *   <li>Results must equal {@link dqnengine.backend.cpu.ReferenceBackend} within float
 *       rounding; the parity tests hold every backend to that.</li>
 * </ul>
 */
public interface Backend extends AutoCloseable {

    /** A short name for logs, e.g. {@code "reference"}. */
    String name();

    // ---------------------------------------------------------------- matrix products

    /**
     * General matrix product, BLAS {@code sgemm} semantics on 2-D tensors:
     * <pre>  C[m,n] = α · Σ_k op(A)[m,k] · op(B)[k,n] + β · C[m,n]</pre>
     * where op(A) = A (shape [M,K]) or Aᵀ (A stored as [K,M]) when {@code transA}; likewise B.
     * With β = 0 the old contents of C are ignored (even NaN).
     */
    void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c);

    /** y[n,j] += bias[j] for every row n of a 2-D tensor y [N,J]. */
    void addRowBias(Tensor y, Tensor bias);

    /** db[j] += Σ_n dy[n,j] for a 2-D tensor dy [N,J]. */
    void sumRowsInto(Tensor dy, Tensor db);

    // ---------------------------------------------------------------- convolution

    /**
     * Whether this backend takes the activation between two convolutions (the first's output,
     * through a ReLU, is the second's input) pixel-major: {@code producer} with
     * {@code pixelMajorOut}, {@code consumer} with {@code pixelMajorIn} (see {@link Conv2dShape}).
     * {@code Sequential} asks before a convolution's forward pass; a backend that answers yes must
     * take both shapes so flagged in every convolution op. The default is no: every activation
     * channel-major, [N, C, H, W] as its shape says.
     */
    default boolean pixelMajorBetween(Conv2dShape producer, Conv2dShape consumer) {
        return false;
    }

    /**
     * y[n,o,i,j] = b[o] + Σ_{c,p,q} x[n,c, i·s−pad+p, j·s−pad+q] · w[o,c,p,q]
     * (terms whose input index falls in the zero padding are skipped).
     */
    void conv2dForward(Conv2dShape g, Tensor x, Tensor w, Tensor b, Tensor y);

    /**
     * {@link #conv2dForward} then {@link #reluForward} on its output, y = max(0, conv(x) + b): a
     * convolution followed by a ReLU ({@code Sequential} asks for this). A backend may take the
     * max as the convolution writes its output instead of in a second pass over y; the result must
     * equal this composition.
     */
    default void conv2dForwardRelu(Conv2dShape g, Tensor x, Tensor w, Tensor b, Tensor y) {
        conv2dForward(g, x, w, b, y);
        reluForward(y, y);
    }

    /**
     * Gradient with respect to the input (overwrites dx):
     * dx[n,c,h,v] = Σ_{o,p,q : h = i·s−pad+p, v = j·s−pad+q} dy[n,o,i,j] · w[o,c,p,q].
     */
    void conv2dBackwardData(Conv2dShape g, Tensor dy, Tensor w, Tensor dx);

    /**
     * {@link #conv2dBackwardData} then the backward pass of the ReLU before the convolution:
     * dx = (input gradient) · 1[reluOutput &gt; 0], where {@code reluOutput} (x's shape) is that
     * ReLU's output, i.e. the convolution's input ({@code Sequential} asks for this for a ReLU
     * followed by a convolution). A backend may mask dx while it is still in cache instead of in
     * a second pass; the result must equal this composition.
     */
    default void conv2dBackwardDataRelu(Conv2dShape g, Tensor dy, Tensor w, Tensor reluOutput, Tensor dx) {
        conv2dBackwardData(g, dy, w, dx);
        reluBackward(reluOutput, dx, dx);
    }

    /**
     * Gradients with respect to the weight and bias (accumulates):
     * dw[o,c,p,q] += Σ_{n,i,j} dy[n,o,i,j] · x[n,c, i·s−pad+p, j·s−pad+q];  db[o] += Σ_{n,i,j} dy[n,o,i,j].
     */
    void conv2dBackwardWeights(Conv2dShape g, Tensor x, Tensor dy, Tensor dw, Tensor db);

    // ---------------------------------------------------------------- activations

    /** y = max(0, x), element-wise. */
    void reluForward(Tensor x, Tensor y);

    /** dx = dy · 1[y > 0], element-wise (overwrites dx; y is the forward output; dy and dx may be the same tensor). */
    void reluBackward(Tensor y, Tensor dy, Tensor dx);

    // ---------------------------------------------------------------- DQN-specific reductions

    /**
     * The loss on the Q-values of the taken actions, and its gradient, together.
     * <pre>
     *   e_n  = q[n, a_n] − target[n]
     *   L    = (1/N) Σ_n ℓ(e_n)                       (ℓ from {@code kind}, δ = {@code delta})
     *   dq[n,k] = (1/N) ℓ'(e_n) if k = a_n, else 0    (overwrites dq)
     * </pre>
     * @return L
     */
    float gatheredLoss(LossKind kind, float delta, Tensor q, int[] actions, Tensor target, Tensor dq);

    /** For each row n of q [N,A]: max[n] = max_k q[n,k] and argmax[n] = the first k attaining it. */
    void rowMax(Tensor q, Tensor max, int[] argmax);

    /**
     * TD targets (Mnih et al. 2015, Algorithm 1; Double DQN, van Hasselt et al. 2016):
     * <pre>
     *   target[j] = rewards[j] + discounts[j] · bootstrap[j]
     *   bootstrap[j] = max_a nextQ[j, a]            when nextActions is null (DQN)
     *                = nextQ[j, nextActions[j]]     otherwise (Double DQN: actions chosen by the online net)
     * </pre>
     * The discount carries both γ and the episode's end: γ(1 − terminated) for a one-step
     * transition, γ^m (or 0 after a termination) for an m-step return (see the replay buffer).
     * nextQ [N, A], rewards and discounts [N], target [N]. On a device, only the rewards and
     * discounts are uploaded; nothing is read back.
     */
    void tdTarget(Tensor nextQ, int[] nextActions, float[] rewards, float[] discounts, Tensor target);

    /** dst[i] = scale · (src[offset + i] &amp; 0xFF): uint8 pixels to floats. */
    void u8ToFloat(byte[] src, int offset, float scale, Tensor dst);

    // ---------------------------------------------------------------- element-wise helpers

    /** Σ_i t[i]², accumulated in double. */
    double sumOfSquares(Tensor t);

    /** t[i] *= s. */
    void scale(Tensor t, float s);

    /** t[j, k] *= w[j] for t [N, K]: per-sample weights (prioritized replay's importance weights on ∂L/∂Q). */
    void scaleRows(Tensor t, float[] w);

    /** dst = src. */
    void copy(Tensor src, Tensor dst);

    /** t[i] = value. */
    void fill(Tensor t, float value);

    // ---------------------------------------------------------------- optimizer updates

    /**
     * One Adam update of parameter p with gradient g (Kingma &amp; Ba 2015, Algorithm 1, with
     * PyTorch's placement of ε):
     * <pre>
     *   m ← β₁m + (1−β₁)g          v ← β₂v + (1−β₂)g²
     *   p ← p − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)
     * </pre>
     * @param step t, counting from 1
     */
    void adamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps, long step);

    /**
     * One RMSProp update (Tieleman &amp; Hinton 2012; centred form Graves 2013, eq. 38–41).
     * <pre>
     *   s ← αs + (1−α)g²                          (mean square)
     *   centred:   ḡ ← αḡ + (1−α)g,  var = s − ḡ²     otherwise var = s
     *   denom = √var + ε          (PyTorch)   or   √(var + ε)   when epsInsideSqrt (DeepMind's Nature DQN)
     *   momentum μ &gt; 0:  buf ← μ·buf + g/denom,  p ← p − lr·buf      else  p ← p − lr·g/denom
     * </pre>
     * @param gradAvg ḡ, or null when not centred
     * @param momentumBuf buf, or null when μ = 0
     */
    void rmsPropUpdate(Tensor p, Tensor g, Tensor squareAvg, Tensor gradAvg, Tensor momentumBuf,
                       float lr, float alpha, float eps, float momentum, boolean epsInsideSqrt);

    /**
     * One SGD update (PyTorch semantics): with momentum μ &gt; 0, buf ← μ·buf + g and p ← p − lr·buf;
     * otherwise p ← p − lr·g.
     * @param momentumBuf buf, or null when μ = 0
     */
    void sgdUpdate(Tensor p, Tensor g, Tensor momentumBuf, float lr, float momentum);

    // ---------------------------------------------------------------- independent work

    /** A piece of work for {@link #runBoth}: ops issued on the backend it is handed. */
    @FunctionalInterface
    interface Work {
        void run(Backend be);
    }

    /**
     * Runs two pieces of work that write disjoint tensors (a DQN update's target-network forward
     * pass on s′ and its online-network forward pass on s; a linear layer's parameter gradients and
     * its input gradient) and returns when both are done. Each
     * piece issues its ops on the backend it is handed, which may not be this one. The default runs
     * them one after the other on this backend; a backend with threads to spare may run them at the
     * same time, each on part of its threads. Either way each op computes what it would compute
     * alone.
     */
    default void runBoth(Work first, Work second) {
        first.run(this);
        second.run(this);
    }

    // ---------------------------------------------------------------- where tensors live

    /**
     * The host is about to read {@code t.data}: bring it up to date. A backend whose tensors live
     * on the host does nothing; a device backend that keeps tensors resident copies the newest
     * values back. Code that reads op results on the host calls this first.
     */
    default void toHost(Tensor t) {}

    /** Whether tensors live in host memory (so decoding a batch straight into {@code Tensor.data} is cheapest). */
    default boolean hostResident() { return true; }

    /**
     * The host has written {@code t.data}: ops from now on must see the new values. A no-op for
     * host backends; a device backend marks its copy stale. Code that writes tensors on the host
     * (an observation to act on, a batch decoded on the host, the dueling head's Q and stream
     * gradients, the target network after Polyak averaging, a loaded checkpoint) calls this after
     * writing.
     */
    default void hostWrote(Tensor t) {}

    /** Releases native resources, if any. The default does nothing. */
    @Override
    default void close() {}
}
