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
            // written out rather than through a helper taking vectors: a vector argument to a method C2
            // does not inline is boxed on the heap (VectorDot's first version allocated 1 MB per step so)
            int r0 = cOff, r1 = cOff + ldc, r2 = cOff + 2 * ldc, r3 = cOff + 3 * ldc;
            if (!overwrite) {
                c00 = c00.add(FloatVector.fromArray(S, c, r0)); c01 = c01.add(FloatVector.fromArray(S, c, r0 + L)); c02 = c02.add(FloatVector.fromArray(S, c, r0 + 2 * L));
                c10 = c10.add(FloatVector.fromArray(S, c, r1)); c11 = c11.add(FloatVector.fromArray(S, c, r1 + L)); c12 = c12.add(FloatVector.fromArray(S, c, r1 + 2 * L));
                c20 = c20.add(FloatVector.fromArray(S, c, r2)); c21 = c21.add(FloatVector.fromArray(S, c, r2 + L)); c22 = c22.add(FloatVector.fromArray(S, c, r2 + 2 * L));
                c30 = c30.add(FloatVector.fromArray(S, c, r3)); c31 = c31.add(FloatVector.fromArray(S, c, r3 + L)); c32 = c32.add(FloatVector.fromArray(S, c, r3 + 2 * L));
            }
            c00.intoArray(c, r0); c01.intoArray(c, r0 + L); c02.intoArray(c, r0 + 2 * L);
            c10.intoArray(c, r1); c11.intoArray(c, r1 + L); c12.intoArray(c, r1 + 2 * L);
            c20.intoArray(c, r2); c21.intoArray(c, r2 + L); c22.intoArray(c, r2 + 2 * L);
            c30.intoArray(c, r3); c31.intoArray(c, r3 + L); c32.intoArray(c, r3 + 2 * L);
        } else {
            c00.intoArray(scratch, 0); c01.intoArray(scratch, L); c02.intoArray(scratch, 2 * L);
            c10.intoArray(scratch, COLS); c11.intoArray(scratch, COLS + L); c12.intoArray(scratch, COLS + 2 * L);
            c20.intoArray(scratch, 2 * COLS); c21.intoArray(scratch, 2 * COLS + L); c22.intoArray(scratch, 2 * COLS + 2 * L);
            c30.intoArray(scratch, 3 * COLS); c31.intoArray(scratch, 3 * COLS + L); c32.intoArray(scratch, 3 * COLS + 2 * L);
            MicroKernel.writeBack(scratch, c, cOff, ldc, rows, cols, overwrite);
        }
    }

}
