package dqnengine.nn;

import dqnengine.backend.Backend;
import dqnengine.tensor.Tensor;

/**
 * A trainable tensor and the gradient of the loss with respect to it, of the same shape.
 * Backward passes add into {@link #grad} ({@code +=}); {@link #zeroGrad()} starts a new sum, and a
 * layer's {@code backwardFresh} writes it ({@code =}) as if it had been zeroed first.
 *
 * <h2>A gradient left as a product</h2>
 * A linear layer's weight gradient is the product dyᵀ·x of two tensors the layer already holds.
 * When the parameter's optimizer can update from that product directly ({@link #allowProductGradient},
 * called by {@code Adam} and {@code RmsProp}), a fresh backward pass records the two factors
 * ({@link #setProduct}) instead of making the product, and the optimizer's update makes it a block
 * at a time and uses each block at once ({@code Backend.adamUpdateProduct}): the Nature network's
 * 6.4 MB weight gradient is then never written to memory and read back. Nothing else changes:
 * {@link #grad} makes the product first when one is pending, so gradient clipping, tests and any
 * other reader see the gradient as always. Only after the optimizer has used a product is there no
 * stored gradient to read, and {@link #grad} says so instead of returning stale numbers, until the
 * next backward pass or {@link #zeroGrad}.
 *
 * <p>Copies made by {@link #renamed} share the tensors and this state.
 */
public final class Parameter {
    private final String name;
    private final Tensor value, grad;
    private final GradientState state;

    /** Whether the gradient is stored, pending as a product, or used by an update and not stored. */
    private static final class GradientState {
        boolean productsAllowed;
        Backend backend;               // the backend the product is made on if someone reads it
        Tensor dy, x;                  // pending: grad = dyᵀ·x
        boolean consumed;              // an optimizer used the pending product; grad holds no gradient
    }

    private Parameter(String name, Tensor value, Tensor grad, GradientState state) {
        this.name = name;
        this.value = value;
        this.grad = grad;
        this.state = state;
    }

    /** A parameter whose gradient buffer is allocated to match {@code value}. */
    public static Parameter of(String name, Tensor value) {
        return new Parameter(name, value, Tensor.zerosLike(value), new GradientState());
    }

    /** The same tensors (and gradient state) under another name (used by containers to prefix their children). */
    public Parameter renamed(String newName) {
        return new Parameter(newName, value, grad, state);
    }

    /** The name in saved files (PyTorch state-dict style, e.g. {@code "0.weight"}). */
    public String name() { return name; }

    public Tensor value() { return value; }

    /**
     * The gradient. A pending product is made first (on the backend the backward pass ran on).
     * @throws IllegalStateException after an optimizer has used a product (the gradient was never stored)
     */
    public Tensor grad() {
        GradientState s = state;
        if (s.dy != null) {
            Tensor dy = s.dy, x = s.x;
            s.dy = s.x = null;
            s.backend.gemm(true, false, 1f, dy, x, 0f, grad);
            s.backend = null;
        } else if (s.consumed) {
            throw new IllegalStateException("the gradient of " + name + " was used by the optimizer's update straight from"
                    + " its product and not stored: read gradients before the optimizer's step, or after the next backward pass");
        }
        return grad;
    }

    /** The gradient buffer, to be overwritten whole: any pending product or used-product state is dropped. */
    public Tensor gradToOverwrite() {
        clearProduct();
        return grad;
    }

    public void zeroGrad() { gradToOverwrite().fill(0f); }

    /** Lets backward passes leave this parameter's gradient as a product (see the class comment). */
    public void allowProductGradient() { state.productsAllowed = true; }

    /** Whether a fresh backward pass may leave the gradient as a product. */
    public boolean productGradientAllowed() { return state.productsAllowed; }

    /**
     * Records grad = dyᵀ·x without making it (a fresh backward pass: the product replaces the
     * gradient). dy and x must keep their values until the gradient is made or used: until the
     * layer's next forward pass.
     */
    public void setProduct(Backend be, Tensor dy, Tensor x) {
        if (!state.productsAllowed) throw new IllegalStateException(name + " does not take its gradient as a product");
        state.backend = be;
        state.dy = dy;
        state.x = x;
        state.consumed = false;
    }

    /** Whether the gradient is pending as a product dyᵀ·x ({@link #productDy}, {@link #productX}). */
    public boolean hasProduct() { return state.dy != null; }

    public Tensor productDy() { return state.dy; }

    public Tensor productX() { return state.x; }

    /**
     * The optimizer takes the pending product (read {@link #productDy} and {@link #productX} first):
     * from now on there is no stored gradient to read. Returns the gradient's buffer, which the
     * update may use as scratch (the default {@code Backend.adamUpdateProduct} stores the product there).
     */
    public Tensor useProduct() {
        if (state.dy == null) throw new IllegalStateException(name + " has no pending product");
        clearProduct();
        state.consumed = true;
        return grad;
    }

    private void clearProduct() {
        state.backend = null;
        state.dy = state.x = null;
        state.consumed = false;
    }

    @Override
    public String toString() { return "Parameter[" + name + " " + value.shapeString() + "]"; }
}
