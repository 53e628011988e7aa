package dqnengine.nn;

import dqnengine.backend.Backend;
import dqnengine.tensor.Tensor;

import java.util.List;

/**
 * Collapses every dimension after the batch into one: [N, d1, d2, …] → [N, d1·d2·…].
 * Row-major storage means no element moves, so both passes are views of the same array:
 * forward reshapes x, backward reshapes dy back to x's shape.
 */
public final class Flatten implements Layer {
    private Tensor input, flat;             // the last input and its flat view
    private Tensor gradient, gradientView;  // the last dy and its view in the input's shape

    @Override
    public Tensor forward(Backend be, Tensor x) {
        if (x != input) {                   // views are cached: the previous layer reuses its buffers
            input = x;
            flat = x.reshape(outputShape(x.shape()));
        }
        return flat;
    }

    @Override
    public Tensor backward(Backend be, Tensor dy, boolean needInputGrad) {
        if (input == null) throw new IllegalStateException("Flatten.backward called before forward");
        if (!needInputGrad) return null;
        if (dy != gradient || !gradientView.sameShape(input)) {
            gradient = dy;
            gradientView = dy.reshape(input.shape());
        }
        return gradientView;
    }

    @Override
    public List<Parameter> parameters() { return List.of(); }

    @Override
    public int[] outputShape(int[] in) {
        int features = 1;
        for (int i = 1; i < in.length; i++) features *= in[i];
        return new int[] {in[0], features};
    }

    @Override
    public String toString() { return "Flatten()"; }
}
