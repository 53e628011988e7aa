package dqnengine.bench;

import dqnengine.nn.Conv2d;
import dqnengine.nn.Layer;
import dqnengine.nn.Linear;
import dqnengine.nn.Sequential;

/**
 * Floating-point work of a network, counted from its layers (multiply-accumulates × 2).
 *
 * <pre>
 *   forward              F = Σ over Conv2d and Linear layers of their MACs per sample
 *   DQN train step       target forward + online forward + weight gradients + input gradients
 *                        = 4F − F₁ per sample (F₁: first layer, whose input gradient is skipped)
 * </pre>
 * For the Nature network at 84×84×4: F = 9.35 M MAC, a batch-32 train step ≈ 2.18 GFLOP.
 * ReLU, bias, loss and optimizer work is memory-bound and left out, as is customary.
 */
public final class CostModel {
    private CostModel() {}

    /** Multiply-accumulates of one forward pass of one sample of shape {@code sample} (no batch dim). */
    public static long forwardMacs(Sequential net, int... sample) {
        return macs(net, sample, false);
    }

    /** MACs of the first compute layer alone. */
    public static long firstLayerMacs(Sequential net, int... sample) {
        return macs(net, sample, true);
    }

    private static long macs(Sequential net, int[] sample, boolean firstOnly) {
        int[] shape = new int[sample.length + 1];
        shape[0] = 1;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        long total = 0;
        for (Layer layer : net.layers()) {
            long m = 0;
            if (layer instanceof Conv2d conv) m = conv.shapeFor(1, shape[2], shape[3]).macs();
            else if (layer instanceof Linear lin) m = (long) lin.inFeatures() * lin.outFeatures();
            total += m;
            if (firstOnly && m > 0) return m;
            shape = layer.outputShape(shape);
        }
        return total;
    }

    /** FLOPs of one DQN train step at the given batch size. */
    public static double trainStepFlops(Sequential net, int batch, int... sample) {
        return 2.0 * batch * (4.0 * forwardMacs(net, sample) - firstLayerMacs(net, sample));
    }
}
