package dqnengine.bench;

import dqnengine.nn.Networks;
import dqnengine.nn.Sequential;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CostModelTest {
    private final Sequential nature = Networks.nature(4, 6, new Random(0));

    @Test
    void natureForwardMacsMatchTheLayerByLayerCount() {
        long conv1 = 32L * 20 * 20 * 4 * 8 * 8;      // 3,276,800
        long conv2 = 64L * 9 * 9 * 32 * 4 * 4;       // 2,654,208
        long conv3 = 64L * 7 * 7 * 64 * 3 * 3;       // 1,806,336
        long fc = 3136L * 512 + 512L * 6;            // 1,608,704
        assertEquals(conv1 + conv2 + conv3 + fc, CostModel.forwardMacs(nature, 4, 84, 84));
        assertEquals(conv1, CostModel.firstLayerMacs(nature, 4, 84, 84));
    }

    @Test
    void aBatch32TrainStepIsAbout2Point18Gflop() {
        // 2 · 32 · (4 · 9,346,048 − 3,276,800) = 64 · 34,107,392 = 2,182,873,088
        assertEquals(2_182_873_088.0, CostModel.trainStepFlops(nature, 32, 4, 84, 84), 0.5);
    }
}
