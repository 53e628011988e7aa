package dqnengine.bench;

import dqnengine.backend.Conv2dShape;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The breakdown's bookkeeping: results pass through untouched, work is counted from the shapes, phases and resets hold. */
class TimedBackendTest {
    private static Tensor random(Random rng, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data[i] = rng.nextFloat() - 0.5f;
        return t;
    }

    @Test
    void passesEveryResultThroughAndCountsTheWork() {
        Random rng = new Random(3);
        ReferenceBackend plain = new ReferenceBackend();
        TimedBackend timed = new TimedBackend(new ReferenceBackend());
        Tensor a = random(rng, 5, 7), b = random(rng, 3, 7), c1 = Tensor.zeros(5, 3), c2 = Tensor.zeros(5, 3);
        plain.gemm(false, true, 1f, a, b, 0f, c1);
        timed.phase("fwd");
        timed.gemm(false, true, 1f, a, b, 0f, c2);
        timed.gemm(false, true, 1f, a, b, 0f, c2);
        assertArrayEquals(c1.data, c2.data);

        Conv2dShape g = new Conv2dShape(2, 3, 9, 9, 4, 3, 3, 2, 0);
        Tensor x = random(rng, g.inputShape()), w = random(rng, g.weightShape()), bias = random(rng, 4);
        Tensor y1 = Tensor.zeros(g.outputShape()), y2 = Tensor.zeros(g.outputShape());
        plain.conv2dForward(g, x, w, bias, y1);
        timed.phase("bwd");
        timed.conv2dForward(g, x, w, bias, y2);
        assertArrayEquals(y1.data, y2.data);

        var rows = timed.entries();
        assertEquals(2, rows.size());
        assertEquals("fwd", rows.get(0).phase);
        assertEquals("gemm 5x3x7 B'", rows.get(0).op);
        assertEquals(2, rows.get(0).calls);
        assertEquals(2 * (2.0 * 5 * 3 * 7), rows.get(0).flops);
        assertEquals("bwd", rows.get(1).phase);
        assertEquals("conv 3->4 k3 s2 on 9x9 forward", rows.get(1).op);
        assertEquals(2.0 * 2 * 4 * 4 * 4 * 3 * 3 * 3, rows.get(1).flops, "2 MACs per tap: N·O·OH·OW·C·KH·KW");

        timed.reset();
        assertEquals(0, timed.entries().size());
    }
}
