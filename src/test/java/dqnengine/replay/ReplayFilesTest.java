package dqnengine.replay;

import dqnengine.util.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A replay buffer saved with a checkpoint loads back identical (contents, counters, priorities, and
 * so the batches it samples), only its filled part is written, segments no step touched since
 * the previous save are hard links to that save's files and outlive its deletion, and a damaged
 * or mismatched save is refused with one line that names the problem.
 */
class ReplayFilesTest {
    @TempDir Path tmp;

    static final int FRAME = 20, STACK = 4;

    /** Adds {@code steps} random transitions to every stream: random frames, actions, rewards, episode ends. */
    static void feed(ReplayBuffer b, Random r, int steps) {
        for (int t = 0; t < steps; t++) {
            for (int s = 0; s < b.streams(); s++) {
                byte[] obs = new byte[FRAME * STACK];
                r.nextBytes(obs);
                if (b.written(s) == 0 || !b.inEpisode(s)) {
                    b.start(s, obs);
                } else {
                    int end = r.nextInt(40);
                    b.add(s, r.nextInt(6), r.nextFloat() - 0.5f, end == 0, end == 1, obs);
                }
            }
        }
    }

    /** Samples a few batches and sets their priorities from made-up TD errors, as the learner does. */
    static void learn(ReplayBuffer b, Random r) {
        ReplayBuffer.Batch batch = new ReplayBuffer.Batch(16);
        for (int k = 0; k < 5; k++) {
            b.sample(batch, 0.5);
            float[] td = new float[batch.size];
            for (int i = 0; i < td.length; i++) td[i] = r.nextFloat() * 3;
            b.updatePriorities(batch, td);
        }
        float[] high = new float[batch.size], low = new float[batch.size];   // the largest priority ever set is now no current one
        Arrays.fill(high, 100f);
        Arrays.fill(low, 0.1f);
        b.updatePriorities(batch, high);
        b.updatePriorities(batch, low);
    }

    static ReplayBuffer buffer(int capacity, int streams, boolean prioritized) {
        ReplayBuffer b = new ReplayBuffer(capacity, streams, FRAME, STACK, 42);
        b.setReturns(3, 0.9);
        if (prioritized) b.setPrioritized(0.5, 1e-6);
        return b;
    }

    /** Everything a buffer holds, as bytes: each stream's counters and filled slots, and the priorities. */
    static byte[] contents(ReplayBuffer b) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        for (int s = 0; s < b.streams(); s++) {
            out.writeLong(b.written(s));
            out.writeBoolean(b.inEpisode(s));
            int held = (int) Math.min(b.written(s), b.perStream());
            b.writeSlots(s * b.perStream(), held, out);
        }
        if (b.prioritized()) {
            out.writeDouble(b.priorityTree().maxSet());
            out.writeDouble(b.priorityTree().total());
            for (int i = 0; i < b.capacity(); i++) out.writeDouble(b.priorityTree().get(i));
        }
        out.writeLong(b.rngState());
        return bytes.toByteArray();
    }

    /** The next batches both buffers sample: the same transitions, weights and observations. */
    static void assertSampleAlike(ReplayBuffer a, ReplayBuffer b) {
        ReplayBuffer.Batch x = new ReplayBuffer.Batch(32), y = new ReplayBuffer.Batch(32);
        byte[] bx = new byte[32 * FRAME * STACK], by = new byte[32 * FRAME * STACK];
        for (int k = 0; k < 10; k++) {
            a.sample(x, 0.4);
            b.sample(y, 0.4);
            assertArrayEquals(x.slot, y.slot);
            assertArrayEquals(x.stream, y.stream);
            assertArrayEquals(x.weights, y.weights);
            assertArrayEquals(x.rewards, y.rewards);
            assertArrayEquals(x.discount, y.discount);
            a.gatherBytes(x, true, bx);
            b.gatherBytes(y, true, by);
            assertArrayEquals(bx, by);
        }
    }

    @Test
    void aSavedBufferLoadsBackIdenticalAndSamplesWhatTheOriginalWould() throws IOException {
        for (boolean prioritized : new boolean[] {false, true}) {
            ReplayBuffer live = buffer(1_000, 2, prioritized);
            Random r = new Random(prioritized ? 1 : 2);
            feed(live, r, 1_300);                                  // each stream's ring of 500 has wrapped
            if (prioritized) learn(live, r);
            Path dir = tmp.resolve("save-" + prioritized);
            ReplayFiles.save(live, dir, 77, null, 64);

            ReplayBuffer loaded = buffer(1_000, 2, prioritized);
            assertFalse(Arrays.equals(contents(live), contents(loaded)), "precondition: a fresh buffer differs");
            ReplayFiles.load(loaded, dir, 77);
            loaded.setRngState(live.rngState());                   // the checkpoint's state.json carries it
            assertArrayEquals(contents(live), contents(loaded), "counters, slots and priorities as saved");
            assertSampleAlike(live, loaded);
            feed(live, new Random(5), 50);                         // and both go on alike
            feed(loaded, new Random(5), 50);
            assertSampleAlike(live, loaded);
            assertArrayEquals(contents(live), contents(loaded));
        }
    }

    @Test
    void onlyTheFilledPartIsWritten() throws IOException {
        ReplayBuffer live = buffer(1_000, 1, false);
        feed(live, new Random(3), 100);
        Path dir = tmp.resolve("partial");
        ReplayFiles.Saved saved = ReplayFiles.save(live, dir, 100, null, 64);
        assertEquals(2, saved.segmentsWritten(), "100 of 1,000 slots: one whole segment of 64 and 36 slots of the next");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("manifest.json", "s0-00000.seg", "s0-00001.seg"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        String manifest = Files.readString(dir.resolve("manifest.json"));
        assertTrue(manifest.contains("\"slots\": 36"), manifest);
        ReplayBuffer loaded = buffer(1_000, 1, false);
        ReplayFiles.load(loaded, dir, 100);
        assertArrayEquals(contents(live), contents(loaded));
    }

    /**
     * After the previous save at w₀ = 128 frames (segments 0 and 1 full), one more step writes
     * slot 128 (segment 2) and completes slot 127 (its action, reward and flags; segment 1): only
     * segment 0 is unchanged and linked. Deleting the previous save (as pruning does) leaves the
     * new one whole.
     */
    @Test
    void segmentsNoStepTouchedAreLinkedAndOutliveThePreviousSave() throws IOException {
        ReplayBuffer live = buffer(1_000, 1, true);
        Random r = new Random(4);
        feed(live, r, 128);
        assertTrue(live.inEpisode(0), "precondition: the next step completes slot 127");
        Path a = tmp.resolve("a"), b = tmp.resolve("b"), c = tmp.resolve("c");
        ReplayFiles.save(live, a, 128, null, 64);
        byte[] priorities = Files.readAllBytes(a.resolve("priorities.bin"));
        live.add(0, 1, 0.5f, false, false, new byte[FRAME * STACK]);
        ReplayFiles.Saved second = ReplayFiles.save(live, b, 129, a, 64);
        assertEquals(1, second.segmentsLinked());
        assertEquals(2, second.segmentsWritten());
        assertTrue(Files.isSameFile(a.resolve("s0-00000.seg"), b.resolve("s0-00000.seg")), "untouched: the same file");
        assertFalse(Files.isSameFile(a.resolve("s0-00001.seg"), b.resolve("s0-00001.seg")), "slot 127 was completed: written again");
        assertFalse(Arrays.equals(priorities, Files.readAllBytes(b.resolve("priorities.bin"))), "the priorities are written every time");

        AtomicFiles.deleteTree(a);
        ReplayBuffer loaded = buffer(1_000, 1, true);
        ReplayFiles.load(loaded, b, 129);
        loaded.setRngState(live.rngState());
        assertArrayEquals(contents(live), contents(loaded), "the linked segment survived the deletion of the save it came from");

        feed(live, r, 1_000);                                      // the ring wraps: every segment changed
        ReplayFiles.Saved third = ReplayFiles.save(live, c, 1_129, b, 64);
        assertEquals(0, third.segmentsLinked());
        ReplayBuffer again = buffer(1_000, 1, true);
        ReplayFiles.load(again, c, 1_129);
        again.setRngState(live.rngState());
        assertArrayEquals(contents(live), contents(again));
    }

    @Test
    void theStepsSinceASaveTouchTheRingPositionsTheyWroteWrappingRound() {
        int per = 100;
        assertFalse(ReplayFiles.touched(10, 10, 0, 100, per), "no step");
        assertTrue(ReplayFiles.touched(10, 11, 10, 20, per));
        assertFalse(ReplayFiles.touched(10, 20, 20, 30, per), "positions 10..19 do not reach 20");
        assertFalse(ReplayFiles.touched(10, 20, 0, 10, per));
        assertTrue(ReplayFiles.touched(195, 205, 0, 5, per), "wrapped: 95..99 and 0..4");
        assertTrue(ReplayFiles.touched(195, 205, 95, 100, per));
        assertFalse(ReplayFiles.touched(195, 205, 5, 95, per));
        assertTrue(ReplayFiles.touched(0, 100, 50, 51, per), "a whole ring touches everything");
    }

    @Test
    void aDamagedOrMismatchedSaveIsRefusedNamingTheProblem() throws IOException {
        ReplayBuffer live = buffer(1_000, 2, true);
        Random r = new Random(6);
        feed(live, r, 300);
        learn(live, r);
        Path good = tmp.resolve("good");
        ReplayFiles.save(live, good, 300, null, 64);

        assertRefused(good, buffer(1_000, 2, true), 301, "was saved at step 300, not with this checkpoint (step 301)");
        assertRefused(good, buffer(1_200, 2, true), 300, "holds a buffer of 1,000 frames");
        assertRefused(good, buffer(1_000, 1, true), 300, "holds a buffer of 1,000 frames of 20 bytes for 2 environment(s)");
        assertRefused(good, buffer(1_000, 2, false), 300, "prioritized; this run's is 1,000 frames of 20 bytes for 2 environment(s), stacks of 4, uniform");
        assertRefused(good, new ReplayBuffer(1_000, 2, FRAME + 1, STACK, 42), 300, "frames of 21 bytes");
        assertRefused(good, new ReplayBuffer(1_000, 2, FRAME * STACK, 1, 42), 300, "stacks of 1");

        Path cut = copy(good, "cut");
        byte[] seg = Files.readAllBytes(cut.resolve("s1-00001.seg"));
        Files.write(cut.resolve("s1-00001.seg"), Arrays.copyOf(seg, seg.length / 2));
        assertRefused(cut, buffer(1_000, 2, true), 300, "has s1-00001.seg of " + seg.length / 2 + " bytes where " + seg.length + " were written");

        Path flipped = copy(good, "flipped");
        byte[] bytes = Files.readAllBytes(flipped.resolve("s0-00002.seg"));
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(flipped.resolve("s0-00002.seg"), bytes);
        assertRefused(flipped, buffer(1_000, 2, true), 300, "corrupt s0-00002.seg");

        Path flippedPriorities = copy(good, "flipped-priorities");
        bytes = Files.readAllBytes(flippedPriorities.resolve("priorities.bin"));
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(flippedPriorities.resolve("priorities.bin"), bytes);
        assertRefused(flippedPriorities, buffer(1_000, 2, true), 300, "corrupt priorities.bin");

        Path missing = copy(good, "missing");
        Files.delete(missing.resolve("s0-00000.seg"));
        assertRefused(missing, buffer(1_000, 2, true), 300, "is missing s0-00000.seg");

        Path noManifest = copy(good, "no-manifest");
        Files.delete(noManifest.resolve("manifest.json"));
        assertRefused(noManifest, buffer(1_000, 2, true), 300, "has no manifest.json");

        Path edited = copy(good, "edited");
        String m = Files.readString(edited.resolve("manifest.json"));
        Files.writeString(edited.resolve("manifest.json"), m.replaceFirst("\"written\": \\[\\s*300", "\"written\": [ 310"));
        assertRefused(edited, buffer(1_000, 2, true), 300, "lists segment s0-00004.seg where its counters need");

        Files.writeString(edited.resolve("manifest.json"), m.substring(0, m.length() / 2));
        assertRefused(edited, buffer(1_000, 2, true), 300, "has a damaged manifest.json");
    }

    private Path copy(Path from, String name) throws IOException {
        Path to = Files.createDirectories(tmp.resolve(name));
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
        return to;
    }

    private static void assertRefused(Path dir, ReplayBuffer into, long step, String problem) {
        ReplayFiles.DamagedReplayException e = assertThrows(ReplayFiles.DamagedReplayException.class, () -> ReplayFiles.load(into, dir, step));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertTrue(e.getMessage().startsWith("saved replay buffer " + dir + " "), e.getMessage());
        assertTrue(e.getMessage().endsWith("remove that directory"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
