package dqnengine.replay;

import dqnengine.env.ObservationEncoding;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The replay buffer's contract, checked against a shadow copy of everything that was added: the
 * stacks it rebuilds must be the observations the environment produced, never reaching across an
 * episode start or into overwritten frames.
 */
class ReplayBufferTest {
    static final int FRAME = 3, STACK = 4;

    /** A fake stacked environment: frame k is FRAME bytes all equal to (k mod 250) + 1; a reset repeats its first frame. */
    static final class Feeder {
        final ReplayBuffer buffer;
        final int stream;
        final ArrayDeque<Integer> window = new ArrayDeque<>();
        final Map<Long, byte[]> shadow = new HashMap<>();       // absolute slot -> observation stored there
        final Map<Long, boolean[]> ends = new HashMap<>();      // absolute slot -> {terminated, truncated} of its transition
        final Map<Long, Integer> actionAt = new HashMap<>();
        final Map<Long, Integer> episodeFirstFrame = new HashMap<>();   // absolute slot -> number of its episode's first frame
        long slot = 0;
        int nextFrame, firstFrame;

        Feeder(ReplayBuffer buffer, int stream, int firstFrame) {
            this.buffer = buffer;
            this.stream = stream;
            this.nextFrame = firstFrame;
        }

        byte[] observation() {
            byte[] obs = new byte[FRAME * STACK];
            int j = 0;
            for (int f : window) for (int b = 0; b < FRAME; b++) obs[j++] = (byte) (f % 250 + 1);
            return obs;
        }

        void start() {
            window.clear();
            int f = nextFrame++;
            firstFrame = f;
            for (int k = 0; k < STACK; k++) window.addLast(f);
            byte[] obs = observation();
            episodeFirstFrame.put(slot, f);
            shadow.put(slot++, obs);
            buffer.start(stream, obs);
        }

        void step(int action, boolean terminated, boolean truncated) {
            window.removeFirst();
            window.addLast(nextFrame++);
            byte[] obs = observation();
            actionAt.put(slot - 1, action);
            ends.put(slot - 1, new boolean[] {terminated, truncated});
            episodeFirstFrame.put(slot, firstFrame);
            shadow.put(slot++, obs);
            buffer.add(stream, action, action * 0.5f, terminated, truncated, obs);
        }
    }

    private static void assertBatchMatches(ReplayBuffer buffer, ReplayBuffer.Batch batch, List<Feeder> feeders) {
        int per = FRAME * STACK;
        float[] s = new float[batch.size * per], next = new float[batch.size * per];
        buffer.gather(batch, false, ObservationEncoding.BINARY, s);
        buffer.gather(batch, true, ObservationEncoding.BINARY, next);
        for (int i = 0; i < batch.size; i++) {
            Feeder f = feeders.get(batch.stream[i]);
            long a = batch.slot[i];
            byte[] want = f.shadow.get(a), wantNext = f.shadow.get(a + 1);
            assertNotNull(want);
            assertNotNull(wantNext, "slot " + a + " has no next observation");
            for (int k = 0; k < per; k++) {
                assertEquals(want[k] & 0xFF, (int) s[i * per + k], "state of slot " + a + " value " + k);
                assertEquals(wantNext[k] & 0xFF, (int) next[i * per + k], "next state of slot " + a + " value " + k);
            }
            assertEquals(f.actionAt.get(a), batch.actions[i]);
            assertEquals(f.actionAt.get(a) * 0.5f, batch.rewards[i]);
            assertEquals(f.ends.get(a)[0] ? 1f : 0f, batch.terminated[i]);
        }
    }

    @Test
    void stacksEqualTheObservationsThatWereAddedAndNeverCrossAnEpisodeStart() {
        ReplayBuffer buffer = new ReplayBuffer(1000, 1, FRAME, STACK, 1);
        Feeder f = new Feeder(buffer, 0, 0);
        Random r = new Random(2);
        for (int episode = 0; episode < 20; episode++) {
            f.start();
            int len = 1 + r.nextInt(8);                        // short episodes: many stacks touch a start
            for (int t = 0; t < len; t++) f.step(r.nextInt(6), t == len - 1 && episode % 2 == 0, t == len - 1 && episode % 2 == 1);
        }
        ReplayBuffer.Batch batch = new ReplayBuffer.Batch(256);
        buffer.sample(batch);
        assertBatchMatches(buffer, batch, List.of(f));
    }

    @Test
    void wraparoundKeepsCapacityAndNeverSamplesOverwrittenFramesOrTheCursor() {
        int capacity = 50;
        ReplayBuffer buffer = new ReplayBuffer(capacity, 1, FRAME, STACK, 3);
        Feeder f = new Feeder(buffer, 0, 0);
        f.start();
        long added = 1;
        ReplayBuffer.Batch batch = new ReplayBuffer.Batch(64);
        for (int t = 0; t < 400; t++) {
            boolean end = t % 37 == 36;
            f.step(t % 6, end, false);
            added++;
            if (end) { f.start(); added++; }
            assertEquals(Math.min(added, capacity), buffer.size());
            assertEquals(added, buffer.added());
            if (t > 10) {
                buffer.sample(batch);
                assertBatchMatches(buffer, batch, List.of(f));
                for (int i = 0; i < batch.size; i++) {
                    assertTrue(batch.slot[i] + 1 < added, "never the newest slot");
                    assertTrue(batch.first[i] >= added - capacity, "no overwritten frame in a stack");
                }
            }
        }
    }

    @Test
    void truncationIsNotTerminalAndKeepsTheFinalObservation() {
        ReplayBuffer buffer = new ReplayBuffer(100, 1, FRAME, STACK, 4);
        Feeder f = new Feeder(buffer, 0, 0);
        f.start();
        f.step(1, false, true);                // the only transition: truncated
        ReplayBuffer.Batch batch = new ReplayBuffer.Batch(8);
        buffer.sample(batch);
        for (int i = 0; i < batch.size; i++) {
            assertEquals(0, batch.slot[i]);
            assertEquals(0f, batch.terminated[i], "truncation must bootstrap");
        }
        assertBatchMatches(buffer, batch, List.of(f));
    }

    @Test
    void severalStreamsKeepTheirOwnEpisodes() {
        ReplayBuffer buffer = new ReplayBuffer(300, 3, FRAME, STACK, 5);
        List<Feeder> feeders = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            Feeder f = new Feeder(buffer, s, 100 * s);
            f.start();
            feeders.add(f);
        }
        for (int t = 0; t < 250; t++) {                        // interleaved, as the trainer steps them
            for (int s = 0; s < 3; s++) {
                boolean end = (t + s) % (10 + s) == 0;
                feeders.get(s).step(s, end, false);
                if (end) feeders.get(s).start();
            }
        }
        ReplayBuffer.Batch batch = new ReplayBuffer.Batch(200);
        buffer.sample(batch);
        boolean[] seen = new boolean[3];
        for (int i = 0; i < batch.size; i++) seen[batch.stream[i]] = true;
        assertArrayEquals(new boolean[] {true, true, true}, seen, "every stream is sampled");
        assertBatchMatches(buffer, batch, feeders);
    }

    /**
     * Many episodes shorter than the stack, in a ring that has wrapped (so a stack reaching back
     * past its episode's start would find real frames of the previous episode, not an index out of
     * bounds): every frame of every sampled s and s' belongs to the transition's own episode, the
     * frames before its start are its first frame repeated, and every transition held is drawn.
     */
    @Test
    void aStackNearAnEpisodeStartRepeatsItsFirstFrameAndNeverShowsThePreviousEpisode() {
        int capacity = 60;
        ReplayBuffer buffer = new ReplayBuffer(capacity, 1, FRAME, STACK, 7);
        Feeder f = new Feeder(buffer, 0, 0);
        Random r = new Random(8);
        for (int episode = 0; episode < 55; episode++) {       // at most 220 frames: each has its own value (< 250)
            f.start();
            int len = 1 + r.nextInt(3);                        // 1 to 3 transitions: every stack touches a start
            for (int t = 0; t < len; t++) f.step(r.nextInt(6), t == len - 1, false);
        }
        assertTrue(f.slot > 2 * capacity, "the ring has wrapped");
        int per = FRAME * STACK;
        ReplayBuffer.Batch batch = new ReplayBuffer.Batch(256);
        float[] s = new float[batch.size * per], next = new float[batch.size * per];
        Set<Long> drawn = new HashSet<>();
        for (int draw = 0; draw < 4; draw++) {
            buffer.sample(batch);
            buffer.gather(batch, false, ObservationEncoding.BINARY, s);
            buffer.gather(batch, true, ObservationEncoding.BINARY, next);
            for (int i = 0; i < batch.size; i++) {
                long a = batch.slot[i];
                drawn.add(a);
                int start = f.episodeFirstFrame.get(a);
                for (float[] obs : new float[][] {s, next}) {
                    String which = (obs == s ? "state" : "next state") + " of slot " + a;
                    int previous = start;
                    for (int j = 0; j < STACK; j++) {
                        int frame = (int) obs[i * per + j * FRAME] - 1;
                        assertTrue(frame >= start, which + " shows frame " + frame + " of an earlier episode (its episode starts at frame "
                                + start + ")");
                        assertTrue(frame == previous || frame == previous + 1 && frame > start || j == 0,
                                which + ": frame " + frame + " after " + previous);
                        previous = frame;
                    }
                    if (obs == s) assertEquals(start, (int) obs[i * per] - 1, which + ": the oldest frame of a stack touching the start is the first");
                }
            }
            assertBatchMatches(buffer, batch, List.of(f));
        }
        for (long a = f.slot - capacity + STACK; a < f.slot - 1; a++) {
            if (f.actionAt.containsKey(a)) assertTrue(drawn.contains(a), "transition " + a + " was never drawn");
        }
    }

    @Test
    void theSameSeedDrawsTheSameBatchAndAnotherSeedAnother() {
        long[][] slots = new long[3][];
        float[][] states = new float[3][];
        for (int run = 0; run < 3; run++) {
            ReplayBuffer buffer = new ReplayBuffer(200, 1, FRAME, STACK, run < 2 ? 42 : 43);
            Feeder f = new Feeder(buffer, 0, 0);
            for (int episode = 0; episode < 30; episode++) {
                f.start();
                for (int t = 0; t < 4; t++) f.step(t % 3, t == 3, false);
            }
            ReplayBuffer.Batch batch = new ReplayBuffer.Batch(32);
            buffer.sample(batch);
            slots[run] = batch.slot.clone();
            states[run] = new float[batch.size * FRAME * STACK];
            buffer.gather(batch, false, ObservationEncoding.BINARY, states[run]);
        }
        assertArrayEquals(slots[0], slots[1]);
        assertArrayEquals(states[0], states[1]);
        assertFalse(Arrays.equals(slots[0], slots[2]), "another seed draws another batch");
    }

    @Test
    void misuseIsRefused() {
        ReplayBuffer buffer = new ReplayBuffer(100, 1, FRAME, STACK, 1);
        byte[] obs = new byte[FRAME * STACK];
        assertThrows(IllegalStateException.class, () -> buffer.add(0, 0, 0f, false, false, obs), "add before start");
        assertThrows(IllegalStateException.class, () -> buffer.sample(new ReplayBuffer.Batch(1)), "sample from an empty buffer");
        assertThrows(IllegalArgumentException.class, () -> buffer.start(0, new byte[5]), "wrong observation size");
        buffer.start(0, obs);
        buffer.add(0, 0, 0f, true, false, obs);
        assertThrows(IllegalStateException.class, () -> buffer.add(0, 0, 0f, false, false, obs), "add after the episode ended");
        assertThrows(IllegalArgumentException.class, () -> new ReplayBuffer(10, 4, FRAME, STACK, 1), "too small for the streams");
    }

    @Test
    void memoryEstimateIsOneBytePerPixelPlusBookkeeping() {
        // The Nature buffer: 1,000,000 frames of 84x84 = 7.056 GB of pixels + 9 bytes per slot.
        assertEquals(1_000_000L * (84 * 84 + 9), ReplayBuffer.bytesNeeded(1_000_000, 84 * 84));
        assertTrue(ReplayBuffer.bytesNeeded(1_000_000, 84 * 84) < 7_200_000_000L);
    }
}
