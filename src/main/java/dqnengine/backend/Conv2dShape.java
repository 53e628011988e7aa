package dqnengine.backend;

/**
 * The geometry of one 2-D convolution, everything a kernel needs to index its tensors.
 *
 * <pre>
 *   input  x : [batch, inChannels,  inHeight,  inWidth]
 *   weight w : [outChannels, inChannels, kernelH, kernelW]
 *   bias   b : [outChannels]
 *   output y : [batch, outChannels, outHeight, outWidth]
 *
 *   outHeight = ⌊(inHeight + 2·padding − kernelH) / stride⌋ + 1     (same for the width)
 * </pre>
 *
 * Multiply-accumulates of one forward pass: batch · outChannels · outHeight · outWidth ·
 * inChannels · kernelH · kernelW (see {@link #macs()}).
 */
public record Conv2dShape(int batch, int inChannels, int inHeight, int inWidth,
                          int outChannels, int kernelH, int kernelW, int stride, int padding) {

    public Conv2dShape {
        if (batch <= 0 || inChannels <= 0 || inHeight <= 0 || inWidth <= 0 || outChannels <= 0
                || kernelH <= 0 || kernelW <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("invalid convolution " + describe(batch, inChannels, inHeight, inWidth,
                    outChannels, kernelH, kernelW, stride, padding));
        }
        if (inHeight + 2 * padding < kernelH || inWidth + 2 * padding < kernelW) {
            throw new IllegalArgumentException("kernel " + kernelH + "x" + kernelW + " larger than padded input "
                    + (inHeight + 2 * padding) + "x" + (inWidth + 2 * padding));
        }
    }

    public int outHeight() { return (inHeight + 2 * padding - kernelH) / stride + 1; }

    public int outWidth() { return (inWidth + 2 * padding - kernelW) / stride + 1; }

    /** Multiply-accumulate operations of one forward pass over the whole batch. */
    public long macs() {
        return (long) batch * outChannels * outHeight() * outWidth() * inChannels * kernelH * kernelW;
    }

    /** The same convolution for another batch size. */
    public Conv2dShape withBatch(int n) {
        return new Conv2dShape(n, inChannels, inHeight, inWidth, outChannels, kernelH, kernelW, stride, padding);
    }

    public int[] inputShape() { return new int[] {batch, inChannels, inHeight, inWidth}; }

    public int[] weightShape() { return new int[] {outChannels, inChannels, kernelH, kernelW}; }

    public int[] outputShape() { return new int[] {batch, outChannels, outHeight(), outWidth()}; }

    private static String describe(int n, int c, int h, int w, int oc, int kh, int kw, int s, int p) {
        return "[" + n + "," + c + "," + h + "," + w + "] -> " + oc + " channels, kernel " + kh + "x" + kw
                + ", stride " + s + ", padding " + p;
    }
}
