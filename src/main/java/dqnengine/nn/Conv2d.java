package dqnengine.nn;

import dqnengine.backend.Backend;
import dqnengine.backend.Conv2dShape;
import dqnengine.tensor.Init;
import dqnengine.tensor.Tensor;

import java.util.List;
import java.util.Random;

/**
 * 2-D convolution (cross-correlation, as in every deep-learning library).
 *
 * <pre>
 * Shapes:  x [N, C, H, W]   w [O, C, KH, KW]   b [O]   y [N, O, OH, OW]
 *          OH = ⌊(H + 2·pad − KH)/s⌋ + 1,  OW likewise
 *
 * Forward:          y[n,o,i,j] = b[o] + Σ_{c,p,q} w[o,c,p,q] · x[n,c, i·s−pad+p, j·s−pad+q]
 *
 * Backward (given dy = ∂L/∂y):
 *   ∂L/∂w[o,c,p,q] = Σ_{n,i,j} dy[n,o,i,j] · x[n,c, i·s−pad+p, j·s−pad+q]
 *   ∂L/∂b[o]       = Σ_{n,i,j} dy[n,o,i,j]
 *   ∂L/∂x[n,c,h,v] = Σ over every (o,i,j,p,q) with h = i·s−pad+p, v = j·s−pad+q of dy[n,o,i,j] · w[o,c,p,q]
 * </pre>
 * Each sum follows from y being linear in w, b and x: the derivative of one product term with
 * respect to one factor is the other factor. See Goodfellow, Bengio &amp; Courville, "Deep
 * Learning" (2016), §9.5, for the same result.
 */
public final class Conv2d implements Layer {
    private final int inChannels, outChannels, kernel, stride, padding;
    private final Parameter weight, bias;
    private final List<Parameter> parameters;                          // weight, bias: one list, not one per call (the default backwardFresh asks every step)

    private Conv2dShape shape;      // geometry of the last forward, with the layouts of x and y it ran with
    // The shapes of the last forward passes, each with the backend and the next convolution its layouts were chosen for:
    // a train step may run the same layer on the whole team and on half of it (runBoth), and acting at batch 1 in between.
    private static final int SHAPES = 4;
    private final Conv2dShape[] shapes = new Conv2dShape[SHAPES];
    private final Backend[] shapeBackends = new Backend[SHAPES];
    private final Conv2d[] shapeNexts = new Conv2d[SHAPES];
    private int nextSlot;
    private Tensor input;           // x of the last forward (a reference, not a copy)
    private final BufferCache outputs = new BufferCache(), inputGrads = new BufferCache();

    /** A square-kernel convolution with PyTorch's default initialisation. */
    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, Random rng) {
        this(inChannels, outChannels, kernel, stride, padding, Init.Scheme.PYTORCH_DEFAULT, rng);
    }

    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, Init.Scheme init, Random rng) {
        if (inChannels <= 0 || outChannels <= 0 || kernel <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("Conv2d(" + inChannels + ", " + outChannels + ", kernel " + kernel
                    + ", stride " + stride + ", padding " + padding + "): sizes must be positive");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.weight = Parameter.of("weight", Tensor.zeros(outChannels, inChannels, kernel, kernel));
        this.bias = Parameter.of("bias", Tensor.zeros(outChannels));
        this.parameters = List.of(weight, bias);
        Init.apply(init, weight.value(), bias.value(), inChannels * kernel * kernel, rng);
    }

    public Parameter weight() { return weight; }

    public Parameter bias() { return bias; }

    /** The geometry of this convolution on an input of shape [N, C, H, W]. */
    public Conv2dShape shapeFor(int batch, int height, int width) {
        return new Conv2dShape(batch, inChannels, height, width, outChannels, kernel, kernel, stride, padding);
    }

    @Override
    public Tensor forward(Backend be, Tensor x) {
        return forward(be, x, false);
    }

    /** {@link #forward(Backend, Tensor)} on an x that is pixel-major where {@code pixelMajorIn} (see {@link Conv2dShape}). */
    Tensor forward(Backend be, Tensor x, boolean pixelMajorIn) {
        prepare(be, x, pixelMajorIn, null);
        Tensor output = outputs.get(shape.batch(), outChannels, shape.outHeight(), shape.outWidth());
        be.conv2dForward(shape, x, weight.value(), bias.value(), output);
        return output;
    }

    /**
     * This layer's forward pass and then {@code relu}'s, as one backend op
     * ({@code conv2dForwardRelu}, written straight into the ReLU's output): what {@link Sequential}
     * runs for a convolution followed by a ReLU. Backward is unchanged: this layer keeps its input,
     * the ReLU its output.
     */
    Tensor forwardThenRelu(Backend be, Tensor x, ReLU relu) {
        return forwardThenRelu(be, x, relu, false, null);
    }

    /**
     * {@link #forwardThenRelu(Backend, Tensor, ReLU)} on an x that is pixel-major where
     * {@code pixelMajorIn}; with {@code next}, the convolution that takes the ReLU's output, the
     * output is written pixel-major where the backend takes it so between the two
     * ({@code Backend.pixelMajorBetween}); {@link #shape()} then says so.
     */
    Tensor forwardThenRelu(Backend be, Tensor x, ReLU relu, boolean pixelMajorIn, Conv2d next) {
        prepare(be, x, pixelMajorIn, next);
        Tensor output = relu.outputFor(shape.batch(), outChannels, shape.outHeight(), shape.outWidth());
        be.conv2dForwardRelu(shape, x, weight.value(), bias.value(), output);
        return output;
    }

    /**
     * The shape of this forward pass: built once for each input size and layout, backend and next
     * convolution (the last four are kept), not on every call: the hot path allocates nothing.
     */
    private void prepare(Backend be, Tensor x, boolean pixelMajorIn, Conv2d next) {
        if (x.rank() != 4 || x.dim(1) != inChannels) {
            throw new IllegalArgumentException("Conv2d expects [N, " + inChannels + ", H, W], got " + x.shapeString());
        }
        input = x;
        for (int i = 0; i < SHAPES; i++) {
            Conv2dShape g = shapes[i];
            if (g != null && shapeBackends[i] == be && shapeNexts[i] == next && g.batch() == x.dim(0) && g.inHeight() == x.dim(2)
                    && g.inWidth() == x.dim(3) && g.pixelMajorIn() == pixelMajorIn) {
                shape = g;
                return;
            }
        }
        shape = shapeOn(be, x.dim(0), x.dim(2), x.dim(3), pixelMajorIn, next);
        shapes[nextSlot] = shape;
        shapeBackends[nextSlot] = be;
        shapeNexts[nextSlot] = next;
        nextSlot = (nextSlot + 1) % SHAPES;
    }

    /**
     * The geometry of a forward pass on [batch, C, height, width] with the layouts this layer runs it
     * with on {@code be}: x pixel-major where {@code pixelMajorIn}, y pixel-major where {@code next}
     * (the convolution that takes the ReLU's output, or null) and the backend take it so
     * ({@code Backend.pixelMajorBetween}). A new record on every call: {@link #forward} keeps its own.
     */
    public Conv2dShape shapeOn(Backend be, int batch, int height, int width, boolean pixelMajorIn, Conv2d next) {
        Conv2dShape g = shapeFor(batch, height, width).withLayouts(pixelMajorIn, false);
        boolean pixelMajorOut = next != null
                && be.pixelMajorBetween(g, next.shapeFor(g.batch(), g.outHeight(), g.outWidth()).withLayouts(true, false));
        return pixelMajorOut ? g.withLayouts(pixelMajorIn, true) : g;
    }

    /** The geometry of the last forward pass, with the layouts it ran with; null before the first. */
    public Conv2dShape shape() { return shape; }

    @Override
    public Tensor backward(Backend be, Tensor dy, boolean needInputGrad) {
        if (input == null) throw new IllegalStateException("Conv2d.backward called before forward");
        be.conv2dBackwardWeights(shape, input, dy, weight.grad(), bias.grad());      // dW += …, db += …
        if (!needInputGrad) return null;
        Tensor dInput = inputGrads.like(input);
        be.conv2dBackwardData(shape, dy, weight.value(), dInput);                     // dx = …
        return dInput;
    }

    /**
     * This layer's backward pass and then that of {@code relu}, the ReLU before it (whose output
     * is this layer's input), as one backend op for the input gradient
     * ({@code conv2dBackwardDataRelu}): what {@link Sequential} runs for a ReLU followed by a
     * convolution. Returns the gradient with respect to the ReLU's input. With {@code fresh} the
     * parameter gradients are written, as {@link #backwardFresh}.
     */
    Tensor backwardThenRelu(Backend be, Tensor dy, ReLU relu, boolean fresh) {
        if (input == null) throw new IllegalStateException("Conv2d.backward called before forward");
        if (relu.output() != input) throw new IllegalStateException("the ReLU's last output is not this convolution's last input");
        if (fresh) {                                                                   // as backwardFresh: the gradients start from 0
            be.fill(weight.grad(), 0f);
            be.fill(bias.grad(), 0f);
        }
        be.conv2dBackwardWeights(shape, input, dy, weight.grad(), bias.grad());      // dW += …, db += …
        Tensor dInput = inputGrads.like(input);
        be.conv2dBackwardDataRelu(shape, dy, weight.value(), input, dInput);          // dx = … · 1[input > 0]
        return dInput;
    }

    @Override
    public List<Parameter> parameters() { return parameters; }

    @Override
    public int[] outputShape(int[] in) {
        return shapeFor(in[0], in[2], in[3]).outputShape();
    }

    @Override
    public String toString() {
        return "Conv2d(" + inChannels + ", " + outChannels + ", kernel=" + kernel + ", stride=" + stride
                + (padding > 0 ? ", padding=" + padding : "") + ")";
    }
}
