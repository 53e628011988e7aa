package dqnengine.loss;

import dqnengine.backend.Backend;
import dqnengine.tensor.Tensor;

/**
 * A DQN loss: a function of the Q-values of the actions that were taken (the "gather"), compared
 * with TD targets, averaged over the batch. Value and gradient come out of one call.
 *
 * <pre>
 *   q [N, A]   actions [N]   target [N]   dq [N, A]
 *   e_n = q[n, a_n] − target[n]
 *   L   = (1/N) Σ_n ℓ(e_n)
 *   dq[n,k] = ∂L/∂q[n,k] = ℓ'(e_n)/N for k = a_n, and 0 for every other action
 * </pre>
 * Only the taken action's Q-value receives gradient: the other outputs were not part of the
 * sampled transition (Mnih et al. 2015, Methods, eq. 3).
 */
public interface Loss {

    /** Writes ∂L/∂q into {@code dq} (overwriting it) and returns L. */
    float compute(Backend be, Tensor q, int[] actions, Tensor target, Tensor dq);
}
