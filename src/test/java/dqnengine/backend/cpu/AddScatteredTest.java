package dqnengine.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static dqnengine.testing.TestTensors.centred;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link BroadcastKernel#addScattered}: the 512-bit kernel's gathers and scatters against the plain loop. */
class AddScatteredTest {
    private static final int L = BroadcastKernel.LANES;

    @Test
    void theVectorFormEqualsThePlainLoop() {
        assumeTrue(VectorSupport.bestBroadcastKernel() instanceof WideBroadcastKernel, "no 512-bit kernel here");
        Random rng = new Random(3);
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < 400; i++) positions.add(i);
        Collections.shuffle(positions, rng);
        int[] index = new int[7 + L];                                      // distinct offsets in shuffled order, read from 7 on
        for (int i = 0; i < index.length; i++) index[i] = positions.get(i);
        float[] acc = centred(rng, 3 + L), out0 = centred(rng, 500);
        float[] plain = out0.clone(), vector = out0.clone();
        new BroadcastKernel.Scalar(12).addScattered(acc, 3, plain, 50, index, 7);
        new WideBroadcastKernel().addScattered(acc, 3, vector, 50, index, 7);
        assertArrayEquals(plain, vector, "the same adds, each a single rounding");
        boolean changed = false;
        for (int i = 0; i < plain.length; i++) changed |= plain[i] != out0[i];
        if (!changed) throw new AssertionError("nothing was added: the check cannot tell the kernels apart");
    }

    @Test
    void anIndexPastTheEndIsRefusedNotWritten() {
        assumeTrue(VectorSupport.bestBroadcastKernel() instanceof WideBroadcastKernel, "no 512-bit kernel here");
        int[] index = new int[L];
        for (int l = 0; l < L; l++) index[l] = l;
        index[L - 1] = 1000;
        assertThrows(IndexOutOfBoundsException.class, () -> new WideBroadcastKernel().addScattered(new float[L], 0, new float[100], 0, index, 0));
    }
}
