package dqnengine.cluster;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static org.junit.jupiter.api.Assertions.*;

/** The wire form of an actor's experience: what goes in comes out in order, and a damaged chunk is refused whole. */
class ExperienceChunkTest {

    /** Records what a sink receives, one string per record. */
    static final class Recorder implements ExperienceChunk.Sink {
        final List<String> seen = new ArrayList<>();
        ExperienceChunk.Header header;

        @Override
        public void begin(ExperienceChunk.Header h) { header = h; }

        @Override
        public void start(byte[] frame) { seen.add("start " + Arrays.toString(frame)); }

        @Override
        public void step(int action, float reward, boolean terminated, boolean truncated, float priority, byte[] frame) {
            seen.add("step " + action + " " + reward + " " + terminated + " " + truncated + (Float.isNaN(priority) ? "" : " p=" + priority) + " "
                    + Arrays.toString(frame));
        }

        @Override
        public void episode(double score, long length, float epsilon) { seen.add("episode " + score + " " + length + " " + epsilon); }
    }

    /** An observation of 2 stacked frames of 3 bytes: only the newest (last 3 bytes) travels. */
    private static byte[] obs(int older, int newest) {
        return new byte[] {(byte) older, (byte) older, (byte) older, (byte) newest, (byte) (newest + 1), (byte) (newest + 2)};
    }

    @Test
    void recordsComeOutInOrderWithOnlyTheNewestFrame() throws Exception {
        ExperienceChunk.Writer w = new ExperienceChunk.Writer(3, 77L, 3);
        w.start(obs(9, 10));
        w.step(2, 1f, false, false, obs(10, 20));
        w.step(17, -1f, true, false, 0.75f, obs(20, 30));
        w.episode(21.5, 2, 0.25f);
        w.start(obs(1, 40));
        w.step(0, 0f, false, true, obs(40, (byte) 250));
        assertEquals(3, w.steps());
        byte[] first = w.finish();
        assertEquals(0, w.steps(), "finish starts the next chunk");

        Recorder r = new Recorder();
        ExperienceChunk.Header h = ExperienceChunk.read(first, 3, r);
        assertEquals(new ExperienceChunk.Header(3, 77L, 0, 3, 3, 6), h);
        assertEquals(h, r.header);
        assertEquals(List.of(
                "start [10, 11, 12]",
                "step 2 1.0 false false [20, 21, 22]",
                "step 17 -1.0 true false p=0.75 [30, 31, 32]",
                "episode 21.5 2 0.25",
                "start [40, 41, 42]",
                "step 0 0.0 false true [-6, -5, -4]"), r.seen);

        w.step(1, 0.5f, false, false, obs(0, 5));
        Recorder r2 = new Recorder();
        assertEquals(1, ExperienceChunk.read(w.finish(), 3, r2).sequence(), "the sequence number counts chunks");
        assertEquals(List.of("step 1 0.5 false false [5, 6, 7]"), r2.seen);
    }

    @Test
    void aChunkGrowsPastItsFirstGuess() throws Exception {
        ExperienceChunk.Writer w = new ExperienceChunk.Writer(0, 1L, 3);
        w.start(obs(0, 0));
        for (int i = 0; i < 1_000; i++) w.step(i % 5, i, false, false, obs(0, i % 200));
        Recorder r = new Recorder();
        ExperienceChunk.read(w.finish(), 3, r);
        assertEquals(1_001, r.seen.size());
        assertEquals("step 4 999.0 false false [-57, -56, -55]", r.seen.get(1_000), "frame bytes 199, 200, 201 read back as signed bytes");
    }

    @Test
    void damagedChunksAreRefusedBeforeAnyRecordIsUsed() throws Exception {
        ExperienceChunk.Writer w = new ExperienceChunk.Writer(0, 1L, 3);
        w.start(obs(0, 1));
        w.step(1, 1f, false, false, obs(1, 2));
        byte[] good = w.finish();

        Recorder r = new Recorder();
        var e = assertThrows(ExperienceChunk.FormatException.class, () -> ExperienceChunk.read(good, 4, r));
        assertTrue(e.getMessage().contains("frames of 3 bytes, the learner's environment has 4"), e.getMessage());
        assertThrows(ExperienceChunk.FormatException.class, () -> ExperienceChunk.read(Arrays.copyOf(good, good.length / 2), 3, r));
        assertThrows(ExperienceChunk.FormatException.class, () -> ExperienceChunk.read("not a chunk at all".getBytes(), 3, r));
        assertTrue(r.seen.isEmpty() && r.header == null, "nothing of a refused chunk reaches the sink");

        // a well-deflated body whose header lies about its records
        ExperienceChunk.Writer liar = new ExperienceChunk.Writer(0, 1L, 3);
        liar.step(1, 1f, false, false, obs(0, 1));
        byte[] chunk = liar.finish();
        byte[] body = inflate(chunk);
        ByteBuffer.wrap(body).putInt(4 + 4 + 4 + 8 + 8 + 4 + 4, 2);    // records: 2, the body holds 1
        var cut = assertThrows(ExperienceChunk.FormatException.class, () -> ExperienceChunk.read(deflate(body), 3, r));
        assertTrue(cut.getMessage().contains("ends after 1 of 2 records"), cut.getMessage());
        assertTrue(r.seen.isEmpty());
    }

    private static byte[] inflate(byte[] b) throws Exception {
        var inf = new Inflater();
        inf.setInput(b);
        byte[] out = new byte[1 << 16];
        int n = inf.inflate(out);
        inf.end();
        return Arrays.copyOf(out, n);
    }

    private static byte[] deflate(byte[] b) {
        var d = new Deflater();
        d.setInput(b);
        d.finish();
        byte[] out = new byte[1 << 16];
        int n = d.deflate(out);
        d.end();
        return Arrays.copyOf(out, n);
    }
}
