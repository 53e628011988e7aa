package dqnengine.optim;

import dqnengine.backend.Backend;
import dqnengine.nn.Parameter;

import java.util.List;

/**
 * Global-norm gradient clipping (Pascanu et al. 2013, "On the difficulty of training recurrent
 * neural networks", Algorithm 1), with {@code torch.nn.utils.clip_grad_norm_} semantics:
 *
 * <pre>
 *   ‖g‖ = √(Σ over every parameter and element of g²)
 *   if ‖g‖ &gt; maxNorm:  g ← g · maxNorm / (‖g‖ + 1e-6)
 * </pre>
 * All gradients are scaled by the same factor, so the update keeps its direction.
 */
public final class GradClip {
    private GradClip() {}

    /** Clips in place and returns the norm before clipping. */
    public static double clipGlobalNorm(Backend be, List<Parameter> params, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("max gradient norm must be positive, got " + maxNorm);
        double sumSq = 0;
        for (Parameter p : params) sumSq += be.sumOfSquares(p.grad());
        double norm = Math.sqrt(sumSq);
        if (norm > maxNorm) {
            float factor = (float) (maxNorm / (norm + 1e-6));
            for (Parameter p : params) be.scale(p.grad(), factor);
        }
        return norm;
    }
}
