package dqnengine.optim;

import dqnengine.backend.Backend;
import dqnengine.nn.Parameter;
import dqnengine.tensor.Tensor;

import java.util.List;

/**
 * Adam (Kingma &amp; Ba 2015, "Adam: A Method for Stochastic Optimization", Algorithm 1), with
 * PyTorch's {@code torch.optim.Adam} placement of ε (added to √v̂, outside the root):
 *
 * <pre>
 *   m ← β₁·m + (1−β₁)·g              first moment
 *   v ← β₂·v + (1−β₂)·g²             second moment
 *   m̂ = m / (1−β₁ᵗ)                 bias corrections, t = update count from 1
 *   v̂ = v / (1−β₂ᵗ)
 *   θ ← θ − lr · m̂ / (√v̂ + ε)
 * </pre>
 * Defaults β₁ = 0.9, β₂ = 0.999 (the paper's). Rainbow (Hessel et al. 2018) and Dopamine use
 * lr 6.25e-5 with ε = 1.5e-4; CleanRL's {@code dqn_atari.py} uses lr 1e-4 with PyTorch's default
 * ε = 1e-8.
 */
public final class Adam extends Optimizer {
    private final float lr, beta1, beta2, eps;
    private final List<Tensor> m, v;

    public Adam(List<Parameter> params, float lr) { this(params, lr, 0.9f, 0.999f, 1e-8f); }

    public Adam(List<Parameter> params, float lr, float beta1, float beta2, float eps) {
        super(params);
        if (!(lr > 0f)) throw new IllegalArgumentException("learning rate must be positive, got " + lr);
        if (!(beta1 >= 0f && beta1 < 1f) || !(beta2 >= 0f && beta2 < 1f)) {
            throw new IllegalArgumentException("Adam betas must be in [0,1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0f)) throw new IllegalArgumentException("Adam eps must be positive, got " + eps);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.m = newState("exp_avg");
        this.v = newState("exp_avg_sq");
    }

    @Override
    protected void update(Backend be, int i, Parameter p) {
        be.adamUpdate(p.value(), p.grad(), m.get(i), v.get(i), lr, beta1, beta2, eps, step);
    }

    @Override
    public String kind() { return "adam"; }

    @Override
    public String describe() { return "adam lr=" + lr + " beta1=" + beta1 + " beta2=" + beta2 + " eps=" + eps; }
}
