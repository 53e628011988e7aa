package dqnengine.optim;

import dqnengine.backend.Backend;
import dqnengine.nn.Parameter;
import dqnengine.tensor.Tensor;

import java.util.List;

/**
 * RMSProp (Tieleman &amp; Hinton 2012, lecture 6.5), with the centred variant of Graves 2013
 * ("Generating Sequences With Recurrent Neural Networks", eq. 38–41).
 *
 * <pre>
 *   s ← α·s + (1−α)·g²                     running mean of g²
 *   ḡ ← α·ḡ + (1−α)·g                      (centred only) running mean of g
 *   var = s − ḡ²  (centred)   or   s
 *   θ ← θ − lr · g / (√var + ε)            PyTorch torch.optim.RMSprop
 *   θ ← θ − lr · g / √(var + ε)            DeepMind's Nature DQN (epsInsideSqrt)
 * </pre>
 *
 * The Nature DQN setting (Mnih et al. 2015, Extended Data Table 1, with the centred form and ε
 * placement of DeepMind's released code) is {@link #nature}: lr 2.5e-4, α ("decay") 0.95,
 * ε 0.01, centred, ε inside the square root. PyTorch's RMSprop puts ε outside the root, where the
 * same 0.01 means something else: inside, the denominator never falls below √0.01 = 0.1; outside,
 * never below 0.01. With the small gradient variances of DQN the two steps differ by up to 10×,
 * which is why the flag exists.
 */
public final class RmsProp extends Optimizer {
    private final float lr, alpha, eps, momentum;
    private final boolean centered, epsInsideSqrt;
    private final List<Tensor> squareAvg, gradAvg, buffers;

    public RmsProp(List<Parameter> params, float lr, float alpha, float eps, float momentum,
                   boolean centered, boolean epsInsideSqrt) {
        super(params);
        if (!(lr > 0f)) throw new IllegalArgumentException("learning rate must be positive, got " + lr);
        if (!(alpha > 0f && alpha < 1f)) throw new IllegalArgumentException("RMSProp alpha must be in (0,1), got " + alpha);
        if (!(eps > 0f)) throw new IllegalArgumentException("RMSProp eps must be positive, got " + eps);
        if (momentum < 0f || momentum >= 1f) throw new IllegalArgumentException("momentum must be in [0,1), got " + momentum);
        this.lr = lr;
        this.alpha = alpha;
        this.eps = eps;
        this.momentum = momentum;
        this.centered = centered;
        this.epsInsideSqrt = epsInsideSqrt;
        this.squareAvg = newState("square_avg");
        this.gradAvg = centered ? newState("grad_avg") : null;
        this.buffers = momentum > 0f ? newState("momentum") : null;
    }

    /** PyTorch defaults: lr 0.01, α 0.99, ε 1e-8, no momentum, not centred. */
    public static RmsProp pytorchDefaults(List<Parameter> params) {
        return new RmsProp(params, 0.01f, 0.99f, 1e-8f, 0f, false, false);
    }

    /** Nature DQN: lr 2.5e-4, α 0.95, ε 0.01, centred, ε inside the root. */
    public static RmsProp nature(List<Parameter> params) {
        return new RmsProp(params, 2.5e-4f, 0.95f, 0.01f, 0f, true, true);
    }

    @Override
    protected void update(Backend be, int i, Parameter p) {
        be.rmsPropUpdate(p.value(), p.grad(), squareAvg.get(i), centered ? gradAvg.get(i) : null,
                buffers == null ? null : buffers.get(i), lr, alpha, eps, momentum, epsInsideSqrt);
    }

    @Override
    public String kind() { return "rmsprop"; }

    @Override
    public String describe() {
        return "rmsprop lr=" + lr + " alpha=" + alpha + " eps=" + eps + " momentum=" + momentum
                + " centered=" + centered + " epsInsideSqrt=" + epsInsideSqrt;
    }
}
