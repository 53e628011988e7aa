package dqnengine.dqn;

import dqnengine.backend.Backend;
import dqnengine.backend.cpu.FastCpuBackend;
import dqnengine.env.Environment;
import dqnengine.env.Environments;
import dqnengine.env.ObservationEncoding;
import dqnengine.env.Step;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** After a resume, every logged episode is a whole one: the replay refill's unfinished episodes are not logged as if they had just begun. */
class ResumeEpisodeTest {
    @TempDir Path tmp;

    /** CartPole that records the true length of every episode it finishes (reward is 1 a step, so the return equals it). */
    static final class Recording implements Environment {
        final Environment inner;
        final List<Long> finished = new ArrayList<>();
        long length;

        Recording(long seed) { inner = Environments.builtIn("cartpole", seed); }

        @Override public String id() { return inner.id(); }
        @Override public int[] observationShape() { return inner.observationShape(); }
        @Override public int actionCount() { return inner.actionCount(); }
        @Override public ObservationEncoding encoding() { return inner.encoding(); }
        @Override public int frameStack() { return inner.frameStack(); }
        @Override public List<String> actionMeanings() { return inner.actionMeanings(); }
        @Override public Step reset() { length = 0; return inner.reset(); }
        @Override public Step step(int action) {
            Step s = inner.step(action);
            length++;
            if (s.done()) finished.add(length);
            return s;
        }
        @Override public void close() { inner.close(); }
    }

    @Test
    void theFirstEpisodeLoggedAfterAResumeIsWhole() throws Exception {
        Path dir = tmp.resolve("run");
        DqnConfig c = TrainerTest.small("cartpole", 1_100);
        c.learningStarts = 400;                            // the refill: 400 steps, several episodes, the last one unfinished
        TrainerTest.train(c, dir, null);
        int before = Files.readAllLines(dir.resolve("episodes.csv")).size() - 1;

        DqnConfig more = TrainerTest.small("cartpole", 2_000);
        more.learningStarts = 400;
        List<Recording> opened = new ArrayList<>();
        try (Backend be = new FastCpuBackend(1)) {
            Trainer t = new Trainer(more, be, (i, seed) -> {
                Recording r = new Recording(seed);
                opened.add(r);
                return r;
            }, dir, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            t.run(Checkpoint.resolve(dir, false));
        }
        List<String> rows = Files.readAllLines(dir.resolve("episodes.csv"));
        List<Long> logged = new ArrayList<>();
        for (String row : rows.subList(1 + before, rows.size())) logged.add(Long.parseLong(row.split(",")[4]));
        assertFalse(logged.isEmpty(), "episodes finished after the resume");
        List<Long> trueLengths = opened.get(0).finished;
        // the last episodes the environment finished are exactly the ones logged, whole
        assertEquals(logged, trueLengths.subList(trueLengths.size() - logged.size(), trueLengths.size()),
                "logged lengths after the resume against the environment's own");
        for (String row : rows.subList(1 + before, rows.size())) {
            String[] f = row.split(",");
            assertEquals(Double.parseDouble(f[3]), Double.parseDouble(f[4]), "CartPole pays 1 a step: return = length");
        }
    }
}
