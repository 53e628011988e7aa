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
 *
 * <p><b>Pixel-major activations.</b> With {@code pixelMajorIn} the elements of x (and of its
 * gradient) are stored pixel by pixel, [batch, inHeight, inWidth, inChannels], with
 * {@code pixelMajorOut} those of y and dy; the tensors keep their shapes [N, C, H, W], only the
 * order of their elements differs ({@link #inputIndex}, {@link #outputIndex}). {@code Sequential}
 * asks for it between two convolutions (through their ReLU) where the backend says it can take it
 * ({@code Backend.pixelMajorBetween}): a pixel's channels are then the vector lanes of both
 * convolutions' kernels, so the first writes its output and the second its input gradient a
 * vector at a time instead of one value per channel plane. Nothing outside those two layers ever
 * sees such a tensor.
 */
public record Conv2dShape(int batch, int inChannels, int inHeight, int inWidth,
                          int outChannels, int kernelH, int kernelW, int stride, int padding,
                          boolean pixelMajorIn, boolean pixelMajorOut) {

    /** A convolution whose activations are channel-major, [N, C, H, W] in memory as in shape. */
    public Conv2dShape(int batch, int inChannels, int inHeight, int inWidth,
                       int outChannels, int kernelH, int kernelW, int stride, int padding) {
        this(batch, inChannels, inHeight, inWidth, outChannels, kernelH, kernelW, stride, padding, false, false);
    }

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
        return new Conv2dShape(n, inChannels, inHeight, inWidth, outChannels, kernelH, kernelW, stride, padding, pixelMajorIn, pixelMajorOut);
    }

    /** The same convolution with x (and dx) pixel-major or not, and y (and dy) pixel-major or not. */
    public Conv2dShape withLayouts(boolean in, boolean out) {
        return new Conv2dShape(batch, inChannels, inHeight, inWidth, outChannels, kernelH, kernelW, stride, padding, in, out);
    }

    /** Where x[n, c, h, w] (or dx's) is stored: (n·C + c)·H·W + h·W + w, or pixel-major (n·H·W + h·W + w)·C + c. */
    public int inputIndex(int n, int c, int h, int w) {
        return pixelMajorIn ? ((n * inHeight + h) * inWidth + w) * inChannels + c : ((n * inChannels + c) * inHeight + h) * inWidth + w;
    }

    /** Where y[n, o, i, j] (or dy's) is stored, channel-major or pixel-major as {@link #inputIndex}. */
    public int outputIndex(int n, int o, int i, int j) {
        int OH = outHeight(), OW = outWidth();
        return pixelMajorOut ? ((n * OH + i) * OW + j) * outChannels + o : ((n * outChannels + o) * OH + i) * OW + j;
    }

    public int[] inputShape() { return new int[] {batch, inChannels, inHeight, inWidth}; }

    public int[] weightShape() { return new int[] {outChannels, inChannels, kernelH, kernelW}; }

    public int[] outputShape() { return new int[] {batch, outChannels, outHeight(), outWidth()}; }

    private static String describe(int n, int c, int h, int w, int oc, int kh, int kw, int s, int p) {
        return "[" + n + "," + c + "," + h + "," + w + "] -> " + oc + " channels, kernel " + kh + "x" + kw
                + ", stride " + s + ", padding " + p;
    }
}
