package dqnengine.backend.cpu;

import dqnengine.backend.Conv2dShape;

import java.util.Arrays;

/**
 * Views that {@link PackedGemm} reads its operands through. A left operand op(A) [M,K] is packed
 * into strips of ROWS rows, a right operand op(B) [K,N] into panels of COLS columns (layouts in
 * {@link MicroKernel}). Convolutions never build an im2col matrix: {@link Im2col} and
 * {@link Im2colTransposed} gather the same numbers straight from the NCHW input while packing,
 * and {@link ChannelMajor} reads an NCHW gradient as the [O, N·OH·OW] matrix the GEMM wants.
 *
 * <p>Every view is a mutable object re-pointed with {@code set(…)} before each product, so a
 * training step allocates nothing.
 */
final class Operands {
    private Operands() {}

    static final int ROWS = MicroKernel.ROWS, COLS = MicroKernel.COLS;

    /** A view that can be the left factor. */
    interface Left {
        /** dst[off + k·ROWS + r] = α·op[r0 + r, k] for every k &lt; kTotal and r &lt; rows; 0 for r ≥ rows. */
        void packRowStrip(int r0, int rows, int kTotal, float alpha, float[] dst, int off);
    }

    /** A view that can be the right factor. */
    interface Right {
        /** dst[k·COLS + j] = op[k0 + k, c0 + j] for k &lt; kc and j &lt; cols; 0 for j ≥ cols. */
        void packColumnPanel(int k0, int kc, int c0, int cols, float[] dst, int worker);
    }

    // ------------------------------------------------------------------ dense row-major matrices

    /** A row-major matrix at {@code data[offset…]} with row stride {@code ld}, optionally transposed. */
    static final class Dense implements Left, Right {
        private float[] data;
        private int offset, ld;
        private boolean transposed;

        Dense set(float[] data, int offset, int ld, boolean transposed) {
            this.data = data;
            this.offset = offset;
            this.ld = ld;
            this.transposed = transposed;
            return this;
        }

        @Override
        public void packRowStrip(int r0, int rows, int kTotal, float alpha, float[] dst, int off) {
            if (rows < ROWS) Arrays.fill(dst, off, off + kTotal * ROWS, 0f);
            if (transposed) {                                         // op[r,k] = data[k·ld + r]
                for (int k = 0; k < kTotal; k++) {
                    int src = offset + k * ld + r0;
                    for (int r = 0; r < rows; r++) dst[off + k * ROWS + r] = alpha * data[src + r];
                }
            } else {                                                  // op[r,k] = data[r·ld + k]
                for (int r = 0; r < rows; r++) {
                    int src = offset + (r0 + r) * ld;
                    for (int k = 0; k < kTotal; k++) dst[off + k * ROWS + r] = alpha * data[src + k];
                }
            }
        }

        @Override
        public void packColumnPanel(int k0, int kc, int c0, int cols, float[] dst, int worker) {
            if (cols < COLS) Arrays.fill(dst, 0, kc * COLS, 0f);
            if (transposed) {                                         // op[k,j] = data[j·ld + k]
                for (int j = 0; j < cols; j++) {
                    int src = offset + (c0 + j) * ld + k0;
                    for (int k = 0; k < kc; k++) dst[k * COLS + j] = data[src + k];
                }
            } else {                                                  // op[k,j] = data[k·ld + j]
                for (int k = 0; k < kc; k++) System.arraycopy(data, offset + (k0 + k) * ld + c0, dst, k * COLS, cols);
            }
        }
    }

    // ------------------------------------------------------------------ convolution views

    /** Per-worker index scratch for the im2col gathers (COLS columns at a time). */
    static final class Scratch {
        final int[] base = new int[COLS], h = new int[COLS], w = new int[COLS];
    }

    /**
     * The im2col matrix of an NCHW input, without building it: rows are (c, p, q) (channel and
     * kernel offset, K = C·KH·KW), columns are output pixels (n, i, j) (N·OH·OW), and
     * <pre>  op[(c,p,q), (n,i,j)] = x[n, c, i·s − pad + p, j·s − pad + q]   (0 in the padding)</pre>
     */
    /** An NCHW image and its convolution, the state both im2col views read from. */
    abstract static class ImageView implements Right {
        final Scratch[] scratch;
        float[] x;
        Conv2dShape g;

        ImageView(int workers) {
            scratch = new Scratch[workers];
            for (int i = 0; i < workers; i++) scratch[i] = new Scratch();
        }

        ImageView set(float[] x, Conv2dShape g) {
            this.x = x;
            this.g = g;
            return this;
        }
    }

    static final class Im2col extends ImageView {
        Im2col(int workers) { super(workers); }

        @Override
        public void packColumnPanel(int k0, int kc, int c0, int cols, float[] dst, int worker) {
            int H = g.inHeight(), W = g.inWidth(), s = g.stride(), pad = g.padding();
            int KH = g.kernelH(), KW = g.kernelW(), OW = g.outWidth(), ohw = g.outHeight() * OW, chw = g.inChannels() * H * W;
            Scratch sc = scratch[worker];
            for (int j = 0; j < cols; j++) {                          // where each output pixel's window starts
                int pixel = c0 + j, n = pixel / ohw, rem = pixel - n * ohw, i = rem / OW, jj = rem - i * OW;
                sc.h[j] = i * s - pad;
                sc.w[j] = jj * s - pad;
                sc.base[j] = n * chw + sc.h[j] * W + sc.w[j];
            }
            if (cols < COLS) Arrays.fill(dst, 0, kc * COLS, 0f);
            for (int k = 0; k < kc; k++) {
                int kk = k0 + k, c = kk / (KH * KW), pq = kk - c * KH * KW, p = pq / KW, q = pq - p * KW;
                int kOff = (c * H + p) * W + q;
                int d = k * COLS;
                if (pad == 0) {
                    for (int j = 0; j < cols; j++) dst[d + j] = x[sc.base[j] + kOff];
                } else {
                    for (int j = 0; j < cols; j++) {
                        int h = sc.h[j] + p, v = sc.w[j] + q;
                        dst[d + j] = (h >= 0 && h < H && v >= 0 && v < W) ? x[sc.base[j] + kOff] : 0f;
                    }
                }
            }
        }
    }

    /** The transpose of {@link Im2col}: rows are output pixels (n, i, j), columns are (c, p, q). */
    static final class Im2colTransposed extends ImageView {
        Im2colTransposed(int workers) { super(workers); }

        @Override
        public void packColumnPanel(int k0, int kc, int c0, int cols, float[] dst, int worker) {
            int H = g.inHeight(), W = g.inWidth(), s = g.stride(), pad = g.padding();
            int KH = g.kernelH(), KW = g.kernelW(), OW = g.outWidth(), ohw = g.outHeight() * OW, chw = g.inChannels() * H * W;
            Scratch sc = scratch[worker];
            for (int j = 0; j < cols; j++) {                          // column = (c, p, q)
                int kk = c0 + j, c = kk / (KH * KW), pq = kk - c * KH * KW, p = pq / KW, q = pq - p * KW;
                sc.h[j] = p;
                sc.w[j] = q;
                sc.base[j] = (c * H + p) * W + q;
            }
            if (cols < COLS) Arrays.fill(dst, 0, kc * COLS, 0f);
            for (int k = 0; k < kc; k++) {                            // row = output pixel
                int pixel = k0 + k, n = pixel / ohw, rem = pixel - n * ohw, i = rem / OW, jj = rem - i * OW;
                int h0 = i * s - pad, w0 = jj * s - pad, rowBase = n * chw + h0 * W + w0;
                int d = k * COLS;
                if (pad == 0) {
                    for (int j = 0; j < cols; j++) dst[d + j] = x[rowBase + sc.base[j]];
                } else {
                    for (int j = 0; j < cols; j++) {
                        int h = h0 + sc.h[j], v = w0 + sc.w[j];
                        dst[d + j] = (h >= 0 && h < H && v >= 0 && v < W) ? x[rowBase + sc.base[j]] : 0f;
                    }
                }
            }
        }
    }

    /**
     * An NCHW gradient dy [N, O, OH, OW] read as the matrix [O, N·OH·OW]:
     * <pre>  op[o, (n, pix)] = dy[(n·O + o)·OH·OW + pix]</pre>
     */
    static final class ChannelMajor implements Left, Right {
        private final Scratch[] scratch;
        private float[] dy;
        private int channels, pixelsPerImage;

        ChannelMajor(int workers) {
            scratch = new Scratch[workers];
            for (int i = 0; i < workers; i++) scratch[i] = new Scratch();
        }

        ChannelMajor set(float[] dy, int channels, int pixelsPerImage) {
            this.dy = dy;
            this.channels = channels;
            this.pixelsPerImage = pixelsPerImage;
            return this;
        }

        @Override
        public void packRowStrip(int r0, int rows, int kTotal, float alpha, float[] dst, int off) {
            if (rows < ROWS) Arrays.fill(dst, off, off + kTotal * ROWS, 0f);
            int images = kTotal / pixelsPerImage;
            for (int r = 0; r < rows; r++) {
                for (int n = 0; n < images; n++) {
                    int src = (n * channels + r0 + r) * pixelsPerImage;
                    int d = off + n * pixelsPerImage * ROWS + r;
                    for (int pix = 0; pix < pixelsPerImage; pix++) dst[d + pix * ROWS] = alpha * dy[src + pix];
                }
            }
        }

        @Override
        public void packColumnPanel(int k0, int kc, int c0, int cols, float[] dst, int worker) {
            int[] base = scratch[worker].base;
            for (int j = 0; j < cols; j++) {
                int p = c0 + j, n = p / pixelsPerImage;
                base[j] = n * channels * pixelsPerImage + (p - n * pixelsPerImage);
            }
            if (cols < COLS) Arrays.fill(dst, 0, kc * COLS, 0f);
            for (int k = 0; k < kc; k++) {
                int o = (k0 + k) * pixelsPerImage, d = k * COLS;
                for (int j = 0; j < cols; j++) dst[d + j] = dy[base[j] + o];
            }
        }
    }
}
