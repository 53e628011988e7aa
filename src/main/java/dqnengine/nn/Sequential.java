package dqnengine.nn;

import dqnengine.backend.Backend;
import dqnengine.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A chain of layers: y = f_L(… f_2(f_1(x))).
 *
 * <p>Backward is the chain rule applied from the end: the gradient returned by layer k+1 is the
 * dy of layer k. The first layer is asked for no input gradient unless the caller wants one
 * (a DQN never needs ∂L/∂pixels, and for the Nature network that skips the largest backward
 * convolution).
 *
 * <p>Forward runs a convolution and the ReLU after it as one backend op (see {@link #forward}), and
 * backward a ReLU's backward pass with the input gradient of the convolution after it (see
 * {@link #backward(Backend, Tensor, boolean)}).
 *
 * <p>Parameters are named {@code "<index>.<name>"}, e.g. {@code "0.weight"}, exactly as PyTorch
 * names the state dict of an {@code nn.Sequential} with the same layers, so saved files load
 * into the equivalent PyTorch model.
 */
public final class Sequential implements Layer {
    private final List<Layer> layers;
    private final List<Parameter> parameters;

    public Sequential(Layer... layers) {
        this.layers = List.of(layers);
        List<Parameter> all = new ArrayList<>();
        for (int k = 0; k < layers.length; k++) {
            for (Parameter p : layers[k].parameters()) all.add(p.renamed(k + "." + p.name()));
        }
        this.parameters = List.copyOf(all);
    }

    public List<Layer> layers() { return layers; }

    /**
     * The layers in turn; a {@link Conv2d} followed by a {@link ReLU} runs as one backend op,
     * {@code conv2dForwardRelu}, which a backend may fuse (the max taken as the convolution writes
     * its output): the ReLU's output is the convolution's, so both layers' backward passes see
     * exactly what the two separate ops would have left. Where a second {@link Conv2d} takes that
     * output and the backend says it can ({@code Backend.pixelMajorBetween}), the activation
     * between the two convolutions, and its gradient in the backward pass, are stored pixel-major
     * (see {@link dqnengine.backend.Conv2dShape}); each convolution keeps the layouts it ran with
     * for its backward pass. Every other activation, and the network's output, is channel-major.
     */
    @Override
    public Tensor forward(Backend be, Tensor x) {
        Tensor h = x;
        boolean pixelMajor = false;                                                    // h stored pixel-major (see Conv2dShape)
        for (int k = 0; k < layers.size(); k++) {                                     // index loop: no iterator per call
            Layer layer = layers.get(k);
            if (layer instanceof Conv2d conv && k + 1 < layers.size() && layers.get(k + 1) instanceof ReLU relu) {
                // conv, ReLU, conv: the activation between them pixel-major where the backend takes it so
                Conv2d next = k + 2 < layers.size() && layers.get(k + 2) instanceof Conv2d c ? c : null;
                h = conv.forwardThenRelu(be, h, relu, pixelMajor, next);
                pixelMajor = conv.shape().pixelMajorOut();
                k++;
            } else if (layer instanceof Conv2d conv) {
                h = conv.forward(be, h, pixelMajor);
                pixelMajor = false;
            } else {
                h = layer.forward(be, h);
            }
        }
        return h;
    }

    /** Backward without the gradient with respect to the network's input. */
    public void backward(Backend be, Tensor dy) {
        backward(be, dy, false);
    }

    /**
     * The layers' backward passes from the last; a {@link ReLU} followed by a {@link Conv2d} runs
     * the convolution's input gradient and the ReLU's backward pass as one backend op,
     * {@code conv2dBackwardDataRelu}, which a backend may fuse (dx masked while in cache), when the
     * ReLU's input gradient is wanted.
     */
    @Override
    public Tensor backward(Backend be, Tensor dy, boolean needInputGrad) {
        return backward(be, dy, needInputGrad, false);
    }

    /** {@link #backward(Backend, Tensor, boolean)} with every layer's {@code backwardFresh}: the gradients written, not added to. */
    @Override
    public Tensor backwardFresh(Backend be, Tensor dy, boolean needInputGrad) {
        return backward(be, dy, needInputGrad, true);
    }

    private Tensor backward(Backend be, Tensor dy, boolean needInputGrad, boolean fresh) {
        Tensor g = dy;
        for (int k = layers.size() - 1; k >= 0; k--) {
            Layer layer = layers.get(k);
            boolean wanted = k > 0 || needInputGrad;
            if (layer instanceof Conv2d conv && k >= 1 && layers.get(k - 1) instanceof ReLU relu && (k - 1 > 0 || needInputGrad)) {
                g = conv.backwardThenRelu(be, g, relu, fresh);
                k--;
            } else {
                g = fresh ? layer.backwardFresh(be, g, wanted) : layer.backward(be, g, wanted);
            }
        }
        return g;
    }

    @Override
    public List<Parameter> parameters() { return parameters; }

    /** Sets every parameter gradient to zero. */
    public void zeroGrad() {
        for (int i = 0; i < parameters.size(); i++) parameters.get(i).zeroGrad();
    }

    /** Total number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) n += p.value().size();
        return n;
    }

    /** Copies every parameter value with the backend's copy: a device copy where tensors live on a device. */
    public void copyParametersFrom(Backend be, Sequential other) {
        List<Parameter> mine = parameters(), theirs = other.parameters();
        if (mine.size() != theirs.size()) throw new IllegalArgumentException("networks differ in parameter count");
        for (int i = 0; i < mine.size(); i++) be.copy(theirs.get(i).value(), mine.get(i).value());
    }

    /** Copies every parameter value from a network of identical structure, on the host. */
    public void copyParametersFrom(Sequential other) {
        List<Parameter> mine = parameters(), theirs = other.parameters();
        if (mine.size() != theirs.size()) throw new IllegalArgumentException("networks differ in parameter count");
        for (int i = 0; i < mine.size(); i++) mine.get(i).value().copyFrom(theirs.get(i).value());
    }

    @Override
    public int[] outputShape(int[] in) {
        int[] s = in;
        for (Layer layer : layers) s = layer.outputShape(s);
        return s;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Sequential(\n");
        for (int k = 0; k < layers.size(); k++) sb.append("  (").append(k).append(") ").append(layers.get(k)).append('\n');
        return sb.append(')').toString();
    }
}
