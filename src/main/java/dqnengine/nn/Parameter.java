package dqnengine.nn;

import dqnengine.tensor.Tensor;

/**
 * A trainable tensor and the gradient of the loss with respect to it, of the same shape.
 * Backward passes add into {@link #grad} ({@code +=}); {@link #zeroGrad()} starts a new sum, and a
 * layer's {@code backwardFresh} writes it ({@code =}) as if it had been zeroed first.
 *
 * @param name  the name in saved files (PyTorch state-dict style, e.g. {@code "0.weight"})
 */
public record Parameter(String name, Tensor value, Tensor grad) {

    /** A parameter whose gradient buffer is allocated to match {@code value}. */
    public static Parameter of(String name, Tensor value) {
        return new Parameter(name, value, Tensor.zerosLike(value));
    }

    /** The same tensors under another name (used by containers to prefix their children). */
    public Parameter renamed(String newName) {
        return new Parameter(newName, value, grad);
    }

    public void zeroGrad() { grad.fill(0f); }
}
