package dqnengine.replay;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** A priority computed elsewhere (a cluster actor's TD error) replaces the newest transition's largest-so-far. */
class PrioritizeNewestTest {
    @Test
    void theNewestTransitionTakesTheGivenTdError() {
        ReplayBuffer r = new ReplayBuffer(40, 2, 1, 1, 3);
        r.setPrioritized(0.5, 0.01);
        r.start(1, new byte[] {0});
        r.prioritizeNewest(1, 5.0);                      // no transition yet: nothing to set
        r.add(1, 0, 1f, false, false, new byte[] {1});
        assertEquals(1.0, r.priority(1, 0), "a new transition enters at the largest priority so far (1 at first)");
        r.prioritizeNewest(1, -0.63);
        assertEquals(Math.pow(0.63 + 0.01, 0.5), r.priority(1, 0), 1e-12, "p = (|δ| + ε)^α");
        r.add(1, 1, 0f, true, false, new byte[] {2});
        r.prioritizeNewest(1, 3.0);
        assertEquals(Math.pow(3.01, 0.5), r.priority(1, 1), 1e-12);
        assertEquals(Math.pow(0.64, 0.5), r.priority(1, 0), 1e-12, "older transitions keep theirs");
        assertThrows(IllegalStateException.class, () -> new ReplayBuffer(40, 1, 1, 1, 3).prioritizeNewest(0, 1.0));
    }
}
