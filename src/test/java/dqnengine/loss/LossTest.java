package dqnengine.loss;

import dqnengine.backend.Backend;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LossTest {
    private final Backend be = new ReferenceBackend();

    @Test
    void huberIsQuadraticBelowDeltaAndLinearAboveIt() {
        // Two samples, three actions. Errors: e0 = 0.5 (below δ = 1), e1 = −3 (above).
        Tensor q = Tensor.wrap(new float[] {9f, 1.5f, 9f, 9f, 9f, 2f}, 2, 3);
        int[] actions = {1, 2};
        Tensor target = Tensor.wrap(new float[] {1f, 5f}, 2);
        Tensor dq = Tensor.zeros(2, 3);
        float loss = new Huber().compute(be, q, actions, target, dq);
        // ℓ(0.5) = ½·0.25 = 0.125;  ℓ(−3) = 1·(3 − 0.5) = 2.5;  mean = 1.3125
        assertEquals(1.3125f, loss, 1e-6f);
        // ℓ'(0.5)/2 = 0.25, ℓ'(−3)/2 = −1/2; every other entry 0.
        float[] expected = {0f, 0.25f, 0f, 0f, 0f, -0.5f};
        for (int i = 0; i < 6; i++) assertEquals(expected[i], dq.data[i], 1e-7f, "dq[" + i + "]");
    }

    @Test
    void huberWithLargerDeltaScalesTheLinearPart() {
        Tensor q = Tensor.wrap(new float[] {4f}, 1, 1);
        Tensor dq = Tensor.zeros(1, 1);
        // e = 3, δ = 2: ℓ = 2·(3 − 1) = 4, ℓ' = 2.
        assertEquals(4f, new Huber(2f).compute(be, q, new int[] {0}, Tensor.wrap(new float[] {1f}, 1), dq), 1e-6f);
        assertEquals(2f, dq.data[0], 1e-6f);
    }

    @Test
    void mseIsTheMeanSquaredTdError() {
        Tensor q = Tensor.wrap(new float[] {1f, 2f, 3f, 4f}, 2, 2);
        Tensor dq = Tensor.zeros(2, 2);
        // e0 = q[0,0] − 0 = 1, e1 = q[1,1] − 1 = 3: L = (1 + 9)/2 = 5; dq = 2e/N.
        float loss = new Mse().compute(be, q, new int[] {0, 1}, Tensor.wrap(new float[] {0f, 1f}, 2), dq);
        assertEquals(5f, loss, 1e-6f);
        assertEquals(1f, dq.data[0], 1e-6f);
        assertEquals(0f, dq.data[1]);
        assertEquals(3f, dq.data[3], 1e-6f);
    }

    /** Central differences of L with respect to every q entry, with errors kept off ±δ. */
    private void assertGradientMatchesFiniteDifferences(Loss loss, float errorScale) {
        Random rng = new Random(3);
        int n = 6, a = 4;
        Tensor q = Tensor.zeros(n, a);
        for (int i = 0; i < q.size(); i++) q.data[i] = rng.nextFloat() * 4 - 2;
        int[] actions = new int[n];
        Tensor target = Tensor.zeros(n);
        for (int b = 0; b < n; b++) {
            actions[b] = rng.nextInt(a);
            // |e| in {0.3·s, 0.6·s, 2·s, …}: never within h of the Huber kink at δ = 1.
            float e = errorScale * (b % 2 == 0 ? 0.3f + b * 0.1f : -(1.5f + b));
            target.data[b] = q.data[b * a + actions[b]] - e;
        }
        Tensor dq = Tensor.zeros(n, a);
        loss.compute(be, q, actions, target, dq);
        double h = 1e-2;
        Tensor scratch = Tensor.zeros(n, a);
        for (int i = 0; i < q.size(); i++) {
            float saved = q.data[i];
            q.data[i] = (float) (saved + h);
            double plus = loss.compute(be, q, actions, target, scratch);
            q.data[i] = (float) (saved - h);
            double minus = loss.compute(be, q, actions, target, scratch);
            q.data[i] = saved;
            double numeric = (plus - minus) / (2 * h);
            assertEquals(numeric, dq.data[i], 1e-3 + 1e-2 * Math.abs(numeric), "dq[" + i + "]");
        }
    }

    @Test
    void huberGradientMatchesFiniteDifferences() {
        assertGradientMatchesFiniteDifferences(new Huber(), 1f);
    }

    @Test
    void mseGradientMatchesFiniteDifferences() {
        assertGradientMatchesFiniteDifferences(new Mse(), 1f);
    }

    @Test
    void lossGradientCheckDetectsAWrongGradient() {
        Loss wrong = (b, q, actions, target, dq) -> {
            float v = new Huber().compute(b, q, actions, target, dq);
            for (int i = 0; i < dq.size(); i++) dq.data[i] *= 1.1f;                 // 10% off
            return v;
        };
        assertThrows(AssertionError.class, () -> assertGradientMatchesFiniteDifferences(wrong, 1f));
    }

    @Test
    void mseGradientCheckDetectsAMissingFactorOfTwo() {
        Loss wrong = (b, q, actions, target, dq) -> {
            float v = new Mse().compute(b, q, actions, target, dq);
            for (int i = 0; i < dq.size(); i++) dq.data[i] *= 0.5f;                 // ℓ' = e instead of 2e
            return v;
        };
        assertGradientMatchesFiniteDifferences(new Mse(), 1f);
        assertThrows(AssertionError.class, () -> assertGradientMatchesFiniteDifferences(wrong, 1f));
    }

    @Test
    void anActionOutsideTheQRowIsRejected() {
        Tensor q = Tensor.zeros(1, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Huber().compute(be, q, new int[] {3}, Tensor.zeros(1), Tensor.zeros(1, 3)));
        assertTrue(e.getMessage().contains("action 3"));
    }

    @Test
    void aNonPositiveHuberDeltaIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Huber(0f));
        assertThrows(IllegalArgumentException.class, () -> new Huber(Float.NaN));
    }
}
