package dqnengine.nn;

import dqnengine.backend.Backend;
import dqnengine.tensor.Tensor;

import java.util.List;

/**
 * One differentiable function y = f(x; θ) with its forward and backward passes side by side.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@code forward} computes y and remembers what {@code backward} will need. The returned
 *       tensor is owned by the layer and reused by its next {@code forward}: buffers are
 *       allocated once per batch size, so a steady training loop allocates nothing.</li>
 *   <li>{@code backward} takes ∂L/∂y for the most recent forward, adds ∂L/∂θ into every
 *       parameter's gradient ({@code +=}) and returns ∂L/∂x, or null when
 *       {@code needInputGrad} is false (the first layer of a network never needs it);
 *       {@code backwardFresh} writes ∂L/∂θ ({@code =}) instead.</li>
 * </ul>
 */
public interface Layer {

    Tensor forward(Backend be, Tensor x);

    Tensor backward(Backend be, Tensor dy, boolean needInputGrad);

    /**
     * The backward pass with every parameter gradient <em>written</em> ({@code =}) instead of added
     * to: what zeroing the gradients and then {@link #backward} leave, whatever the gradients held
     * before (PyTorch's {@code zero_grad(set_to_none=True)} before its backward has the same
     * effect). A training step that starts a new sum each time calls this and skips the separate
     * pass that zeroes 1.7 M gradients (6.8 MB) of the Nature network. The default zeroes this
     * layer's gradients with the backend and runs {@link #backward}; a layer whose gradient op can
     * overwrite (the linear layer's product with β = 0) does better.
     */
    default Tensor backwardFresh(Backend be, Tensor dy, boolean needInputGrad) {
        List<Parameter> params = parameters();
        for (int i = 0; i < params.size(); i++) be.fill(params.get(i).grad(), 0f);     // index loop: no iterator per call
        return backward(be, dy, needInputGrad);
    }

    /** Trainable parameters, named relative to this layer (empty for ReLU and Flatten). */
    List<Parameter> parameters();

    /** The output shape for an input of the given shape (batch dimension included). */
    int[] outputShape(int[] inputShape);
}
