package dqnengine.nn;

import dqnengine.backend.Backend;
import dqnengine.tensor.Init;
import dqnengine.tensor.Tensor;

import java.util.List;
import java.util.Random;

/**
 * Fully connected (affine) layer, PyTorch's weight layout.
 *
 * <pre>
 * Shapes:  x [N, I]   w [O, I]   b [O]   y [N, O]
 *
 * Forward:   y = x·wᵀ + b              y[n,o] = b[o] + Σ_i x[n,i]·w[o,i]
 *
 * Backward (given dy = ∂L/∂y):
 *   ∂L/∂w = dyᵀ·x                     [O,N]·[N,I] = [O,I]
 *   ∂L/∂b = Σ_n dy[n,·]
 *   ∂L/∂x = dy·w                      [N,O]·[O,I] = [N,I]
 * </pre>
 */
public final class Linear implements Layer {
    private final int inFeatures, outFeatures;
    private final Parameter weight, bias;

    private Tensor input;
    private final BufferCache outputs = new BufferCache(), inputGrads = new BufferCache();

    /** A linear layer with PyTorch's default initialisation. */
    public Linear(int inFeatures, int outFeatures, Random rng) {
        this(inFeatures, outFeatures, Init.Scheme.PYTORCH_DEFAULT, rng);
    }

    public Linear(int inFeatures, int outFeatures, Init.Scheme init, Random rng) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear(" + inFeatures + ", " + outFeatures + "): sizes must be positive");
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = Parameter.of("weight", Tensor.zeros(outFeatures, inFeatures));
        this.bias = Parameter.of("bias", Tensor.zeros(outFeatures));
        Init.apply(init, weight.value(), bias.value(), inFeatures, rng);
    }

    public int inFeatures() { return inFeatures; }

    public int outFeatures() { return outFeatures; }

    public Parameter weight() { return weight; }

    public Parameter bias() { return bias; }

    @Override
    public Tensor forward(Backend be, Tensor x) {
        if (x.rank() != 2 || x.dim(1) != inFeatures) {
            throw new IllegalArgumentException("Linear expects [N, " + inFeatures + "], got " + x.shapeString());
        }
        input = x;
        Tensor output = outputs.get(x.dim(0), outFeatures);
        be.gemm(false, true, 1f, x, weight.value(), 0f, output);       // y = x·wᵀ
        be.addRowBias(output, bias.value());                           // y += b
        return output;
    }

    @Override
    public Tensor backward(Backend be, Tensor dy, boolean needInputGrad) {
        return backward(be, dy, needInputGrad, false);
    }

    /** dW = dyᵀ·x with β = 0 (the product overwrites the gradient: no pass to zero its 6.4 MB first in the Nature network), db = Σ_n dy. */
    @Override
    public Tensor backwardFresh(Backend be, Tensor dy, boolean needInputGrad) {
        return backward(be, dy, needInputGrad, true);
    }

    private Tensor backward(Backend be, Tensor dy, boolean needInputGrad, boolean fresh) {
        if (input == null) throw new IllegalStateException("Linear.backward called before forward");
        this.dy = dy;
        this.fresh = fresh;
        try {
            if (!needInputGrad) {
                parameterGrads(be);
                return null;
            }
            Tensor dx = dInput = inputGrads.like(input);
            be.runBoth(parameterGrads, inputGrad);                     // independent: the backend may run them at once
            return dx;
        } finally {
            this.dy = this.dInput = null;
        }
    }

    private Tensor dy, dInput;                                         // the backward pass in progress
    private boolean fresh;                                             // … writes the parameter gradients instead of adding to them
    private final Backend.Work parameterGrads = this::parameterGrads, inputGrad = this::inputGrad;

    private void parameterGrads(Backend be) {
        be.gemm(true, false, 1f, dy, input, fresh ? 0f : 1f, weight.grad());   // dW (+)= dyᵀ·x
        if (fresh) be.fill(bias.grad(), 0f);
        be.sumRowsInto(dy, bias.grad());                               // db (+)= Σ_n dy
    }

    private void inputGrad(Backend be) {
        be.gemm(false, false, 1f, dy, weight.value(), 0f, dInput);     // dx = dy·w
    }

    @Override
    public List<Parameter> parameters() { return List.of(weight, bias); }

    @Override
    public int[] outputShape(int[] in) { return new int[] {in[0], outFeatures}; }

    @Override
    public String toString() { return "Linear(" + inFeatures + ", " + outFeatures + ")"; }
}
