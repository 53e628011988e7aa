package dqnengine.optim;

import dqnengine.backend.Backend;
import dqnengine.nn.Parameter;
import dqnengine.tensor.Tensor;

import java.util.List;

/**
 * Stochastic gradient descent, PyTorch {@code torch.optim.SGD} semantics.
 * <pre>
 *   plain:      θ ← θ − lr·g
 *   momentum:   buf ← μ·buf + g,   θ ← θ − lr·buf
 * </pre>
 */
public final class Sgd extends Optimizer {
    private final float lr, momentum;
    private final List<Tensor> buffers;

    public Sgd(List<Parameter> params, float lr) { this(params, lr, 0f); }

    public Sgd(List<Parameter> params, float lr, float momentum) {
        super(params);
        if (!(lr > 0f)) throw new IllegalArgumentException("learning rate must be positive, got " + lr);
        if (momentum < 0f || momentum >= 1f) throw new IllegalArgumentException("momentum must be in [0,1), got " + momentum);
        this.lr = lr;
        this.momentum = momentum;
        this.buffers = momentum > 0f ? newState("momentum") : null;
    }

    @Override
    protected void update(Backend be, int i, Parameter p) {
        be.sgdUpdate(p.value(), p.grad(), buffers == null ? null : buffers.get(i), lr, momentum);
    }

    @Override
    public String kind() { return "sgd"; }

    @Override
    public String describe() { return "sgd lr=" + lr + " momentum=" + momentum; }
}
