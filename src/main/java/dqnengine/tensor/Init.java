package dqnengine.tensor;

import java.util.Random;

/**
 * Seeded weight initialisers. All draw from a caller-supplied {@link Random}, so a seed fixes
 * every weight of a network.
 *
 * <pre>
 *   fan_in = in_channels · kernel_h · kernel_w   (convolution)   or   in_features (linear)
 *
 *   pytorchDefault:  W, b ~ U(-1/√fan_in, +1/√fan_in)
 *       PyTorch's nn.Conv2d / nn.Linear reset_parameters(): kaiming_uniform_(a=√5) gives the bound
 *       gain·√(3/fan_in) with gain = √(2/(1+a²)) = √(1/3), i.e. exactly 1/√fan_in; the bias uses
 *       the same bound.
 *   heNormal:        W ~ N(0, 2/fan_in), b = 0
 *       He et al. 2015, "Delving Deep into Rectifiers", eq. (10): keeps the variance of ReLU
 *       activations constant from layer to layer.
 *   heUniform:       W ~ U(-√(6/fan_in), +√(6/fan_in)), b = 0   (same variance as heNormal)
 * </pre>
 */
public final class Init {
    private Init() {}

    /** The scheme used to fill a layer's weight and bias. */
    public enum Scheme { PYTORCH_DEFAULT, HE_NORMAL, HE_UNIFORM }

    /** Fills {@code weight} and {@code bias} according to {@code scheme}. */
    public static void apply(Scheme scheme, Tensor weight, Tensor bias, int fanIn, Random rng) {
        switch (scheme) {
            case PYTORCH_DEFAULT -> {
                float bound = (float) (1.0 / Math.sqrt(fanIn));
                uniform(weight, -bound, bound, rng);
                uniform(bias, -bound, bound, rng);
            }
            case HE_NORMAL -> {
                normal(weight, 0.0, Math.sqrt(2.0 / fanIn), rng);
                bias.fill(0f);
            }
            case HE_UNIFORM -> {
                float bound = (float) Math.sqrt(6.0 / fanIn);
                uniform(weight, -bound, bound, rng);
                bias.fill(0f);
            }
        }
    }

    /** t[i] ~ U(lo, hi). */
    public static void uniform(Tensor t, float lo, float hi, Random rng) {
        for (int i = 0; i < t.data.length; i++) t.data[i] = lo + (hi - lo) * rng.nextFloat();
    }

    /** t[i] ~ N(mean, std²). */
    public static void normal(Tensor t, double mean, double std, Random rng) {
        for (int i = 0; i < t.data.length; i++) t.data[i] = (float) (mean + std * rng.nextGaussian());
    }
}
