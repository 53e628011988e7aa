package dqnengine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The micro-kernel on the Vector API: the 4 × 3-vector tile lives in twelve registers for the
 * whole k loop, so each step does 3 loads of B, 4 broadcasts of A and 12 fused multiply-adds,
 * with no memory traffic for C until the end.
 *
 * <p>Only loaded when {@code jdk.incubator.vector} is in the boot layer (see
 * {@link VectorSupport}); the vectors are the kernels' one width, 256 or 512 bits.
 */
final class VectorMicroKernel implements MicroKernel {
    private static final VectorSpecies<Float> S = VectorSupport.Width.SPECIES;
    private static final int L = VectorSupport.LANES;

    @Override
    public void tile(float[] ap, int apOff, float[] bp, int kc, float[] c, int cOff, int ldc, int rows, int cols,
                     boolean overwrite, float[] scratch) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00,
                c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
        int a = apOff, b = 0;
        for (int k = 0; k < kc; k++, a += ROWS, b += COLS) {
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + L);
            FloatVector b2 = FloatVector.fromArray(S, bp, b + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, ap[a]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(S, ap[a + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12);
            FloatVector a2 = FloatVector.broadcast(S, ap[a + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22);
            FloatVector a3 = FloatVector.broadcast(S, ap[a + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32);
        }
        if (rows == ROWS && cols == COLS) {
            store(c00, c01, c02, c, cOff, overwrite);
            store(c10, c11, c12, c, cOff + ldc, overwrite);
            store(c20, c21, c22, c, cOff + 2 * ldc, overwrite);
            store(c30, c31, c32, c, cOff + 3 * ldc, overwrite);
        } else {
            c00.intoArray(scratch, 0); c01.intoArray(scratch, L); c02.intoArray(scratch, 2 * L);
            c10.intoArray(scratch, COLS); c11.intoArray(scratch, COLS + L); c12.intoArray(scratch, COLS + 2 * L);
            c20.intoArray(scratch, 2 * COLS); c21.intoArray(scratch, 2 * COLS + L); c22.intoArray(scratch, 2 * COLS + 2 * L);
            c30.intoArray(scratch, 3 * COLS); c31.intoArray(scratch, 3 * COLS + L); c32.intoArray(scratch, 3 * COLS + 2 * L);
            MicroKernel.writeBack(scratch, c, cOff, ldc, rows, cols, overwrite);
        }
    }

    private static void store(FloatVector v0, FloatVector v1, FloatVector v2, float[] c, int off, boolean overwrite) {
        if (!overwrite) {
            v0 = v0.add(FloatVector.fromArray(S, c, off));
            v1 = v1.add(FloatVector.fromArray(S, c, off + L));
            v2 = v2.add(FloatVector.fromArray(S, c, off + 2 * L));
        }
        v0.intoArray(c, off);
        v1.intoArray(c, off + L);
        v2.intoArray(c, off + 2 * L);
    }
}
