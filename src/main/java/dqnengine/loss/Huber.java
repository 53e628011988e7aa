package dqnengine.loss;

import dqnengine.backend.Backend;
import dqnengine.backend.LossKind;
import dqnengine.tensor.Tensor;

/**
 * Huber loss on gathered Q-values (Huber 1964), mean over the batch.
 *
 * <pre>
 *   ℓ(e)  = ½e²              if |e| ≤ δ
 *         = δ(|e| − ½δ)      otherwise
 *   ℓ'(e) = e                if |e| ≤ δ
 *         = δ·sign(e)        otherwise
 * </pre>
 * The gradient is the TD error clipped to [−δ, δ]: this is the "error clipping" of Mnih et al.
 * 2015 (Methods: Training details). It is {@code torch.nn.HuberLoss(delta=δ)}; with the default
 * δ = 1 it is also exactly {@code torch.nn.functional.smooth_l1_loss} (which divides by its β
 * instead and so differs from Huber when δ ≠ 1).
 */
public final class Huber implements Loss {
    private final float delta;

    /** δ = 1. */
    public Huber() { this(1f); }

    public Huber(float delta) {
        if (!(delta > 0f) || Float.isInfinite(delta)) throw new IllegalArgumentException("Huber delta must be a positive number, got " + delta);
        this.delta = delta;
    }

    public float delta() { return delta; }

    @Override
    public float compute(Backend be, Tensor q, int[] actions, Tensor target, Tensor dq) {
        return be.gatheredLoss(LossKind.HUBER, delta, q, actions, target, dq);
    }

    @Override
    public String toString() { return "Huber(delta=" + delta + ")"; }
}
