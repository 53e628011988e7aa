package dqnengine.optim;

import dqnengine.backend.Backend;
import dqnengine.nn.Parameter;
import dqnengine.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters from their accumulated gradients. Optimizers are listed in this package in
 * order of increasing complexity: {@link Sgd}, {@link RmsProp}, {@link Adam}.
 *
 * <p>State (moments, momentum buffers) is one tensor per parameter and per kind, allocated at
 * construction. {@link #state()} exposes it under stable names so checkpoints can save and
 * restore it; {@link #stepCount()} is the number of updates taken so far.
 */
public abstract class Optimizer {
    protected final List<Parameter> params;
    protected long step;
    private final Map<String, Tensor> state = new LinkedHashMap<>();

    protected Optimizer(List<Parameter> params) {
        this.params = List.copyOf(params);
    }

    /** Allocates a zero state tensor named {@code "<kind>.<parameter name>"} for every parameter. */
    protected final List<Tensor> newState(String kind) {
        List<Tensor> tensors = new ArrayList<>(params.size());
        for (Parameter p : params) {
            Tensor t = Tensor.zerosLike(p.value());
            state.put(kind + "." + p.name(), t);
            tensors.add(t);
        }
        return tensors;
    }

    /** Applies one update to every parameter, using its current gradient. */
    public final void step(Backend be) {
        step++;
        for (int i = 0; i < params.size(); i++) update(be, i, params.get(i));
    }

    /** Updates parameter {@code index}; {@link #step} already counts this update (t ≥ 1). */
    protected abstract void update(Backend be, int index, Parameter p);

    /**
     * Sets every parameter's gradient to zero with the backend's fill (where the gradients live).
     * A training step need not: {@code Layer.backwardFresh} writes the gradients instead of adding
     * to them (DqnLearner does that).
     */
    public void zeroGrad(Backend be) {
        for (int i = 0; i < params.size(); i++) be.fill(params.get(i).grad(), 0f);
    }

    /** Sets every parameter's gradient to zero on the host (for host-resident backends and tests). */
    public void zeroGrad() {
        for (int i = 0; i < params.size(); i++) params.get(i).zeroGrad();
    }

    public List<Parameter> parameters() { return params; }

    /** Number of updates applied. */
    public long stepCount() { return step; }

    /** Restores the update count (when loading a checkpoint). */
    public void setStepCount(long steps) {
        if (steps < 0) throw new IllegalArgumentException("negative step count");
        this.step = steps;
    }

    /** The optimizer's state tensors by name; the map is live (writes into it restore state). */
    public Map<String, Tensor> state() { return state; }

    /** A name for files and logs, e.g. {@code "adam"}. */
    public abstract String kind();

    /** The hyperparameters as text, written into checkpoints for the reader's benefit. */
    public abstract String describe();
}
