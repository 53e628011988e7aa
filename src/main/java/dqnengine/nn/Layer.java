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
 *       {@code needInputGrad} is false (the first layer of a network never needs it).</li>
 * </ul>
 */
public interface Layer {

    Tensor forward(Backend be, Tensor x);

    Tensor backward(Backend be, Tensor dy, boolean needInputGrad);

    /** Trainable parameters, named relative to this layer (empty for ReLU and Flatten). */
    List<Parameter> parameters();

    /** The output shape for an input of the given shape (batch dimension included). */
    int[] outputShape(int[] inputShape);
}
