package dqnengine.nn;

import dqnengine.backend.Backend;
import dqnengine.tensor.Tensor;

import java.util.List;

/**
 * Rectified linear unit, element-wise, any shape.
 *
 * <pre>
 * Forward:   y = max(0, x)
 * Backward:  ∂L/∂x = ∂L/∂y · 1[y &gt; 0]      (the subgradient 0 is taken at x = 0)
 * </pre>
 * Only y is kept for the backward pass: y &gt; 0 exactly when x &gt; 0.
 */
public final class ReLU implements Layer {
    private Tensor output;
    private final BufferCache outputs = new BufferCache(), inputGrads = new BufferCache();

    @Override
    public Tensor forward(Backend be, Tensor x) {
        output = outputs.like(x);
        be.reluForward(x, output);
        return output;
    }

    /**
     * The buffer this layer's output goes in, for a layer before it that computes the ReLU itself
     * ({@link Conv2d#forwardThenRelu}); it becomes the output the backward pass uses.
     */
    Tensor outputFor(int n, int c, int h, int w) {
        output = outputs.get(n, c, h, w);
        return output;
    }

    /** The output of the last forward pass (what {@link Conv2d#backwardThenRelu} masks its input gradient with), or null before one. */
    Tensor output() { return output; }

    @Override
    public Tensor backward(Backend be, Tensor dy, boolean needInputGrad) {
        if (output == null) throw new IllegalStateException("ReLU.backward called before forward");
        if (!needInputGrad) return null;
        Tensor dInput = inputGrads.like(output);
        be.reluBackward(output, dy, dInput);
        return dInput;
    }

    @Override
    public List<Parameter> parameters() { return List.of(); }

    @Override
    public int[] outputShape(int[] in) { return in.clone(); }

    @Override
    public String toString() { return "ReLU()"; }
}
