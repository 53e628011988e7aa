package dqnengine.cluster;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** An actor's initial priorities: the n-step TD errors of the steps it holds back, by hand. */
class ActorPrioritiesTest {

    private static List<String> written(ExperienceChunk.Writer w) throws Exception {
        ExperienceChunkTest.Recorder r = new ExperienceChunkTest.Recorder();
        ExperienceChunk.read(w.finish(), 1, r);
        return r.seen;
    }

    @Test
    void eachStepLeavesWithItsNStepTdError() throws Exception {
        ExperienceChunk.Writer w = new ExperienceChunk.Writer(0, 1L, 1);
        Actor.Priorities held = new Actor.Priorities(2, 0.5, 1);     // n = 2, γ = 0.5
        held.add(0, 1f, false, false, 2f, new byte[] {10});            // r = 1, Q(s0, a0) = 2
        held.resolveOldest(9f, w);                                     // one step held: nothing to resolve yet
        held.add(1, 2f, false, false, 1f, new byte[] {11});            // r = 2, Q(s1, a1) = 1
        held.resolveOldest(4f, w);                                     // max Q(s2) = 4: δ0 = 1 + 0.5·2 + 0.25·4 − 2 = 1
        held.add(2, 4f, true, false, 3f, new byte[] {12});             // r = 4, Q(s2, a2) = 3, terminal
        held.finish(100f, true, w);                                    // δ1 = 2 + 0.5·4 − 1 = 3;  δ2 = 4 − 3 = 1 (no bootstrap)
        assertEquals(List.of("step 0 1.0 false false p=1.0 [10]", "step 1 2.0 false false p=3.0 [11]", "step 2 4.0 true false p=1.0 [12]"),
                written(w));

        held.add(3, 1f, false, true, 0f, new byte[] {13});             // cut off by a time limit: bootstrap from the last observation
        held.finish(10f, false, w);                                    // δ = 1 + 0.5·10 − 0 = 6
        held.add(4, -1f, false, false, 0.5f, new byte[] {14});
        held.flush(w);                                                 // no weights any more: sent without a priority
        assertEquals(List.of("step 3 1.0 false true p=6.0 [13]", "step 4 -1.0 false false [14]"), written(w));
    }
}
