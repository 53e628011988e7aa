package dqnengine.loss;

import dqnengine.backend.Backend;
import dqnengine.backend.LossKind;
import dqnengine.tensor.Tensor;

/**
 * Mean squared error on gathered Q-values ({@code torch.nn.MSELoss}, mean reduction).
 *
 * <pre>
 *   ℓ(e) = e²        ℓ'(e) = 2e
 * </pre>
 */
public final class Mse implements Loss {

    @Override
    public float compute(Backend be, Tensor q, int[] actions, Tensor target, Tensor dq) {
        return be.gatheredLoss(LossKind.MSE, 0f, q, actions, target, dq);
    }

    @Override
    public String toString() { return "Mse()"; }
}
