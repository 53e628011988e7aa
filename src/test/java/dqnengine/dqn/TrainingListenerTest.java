package dqnengine.dqn;

import dqnengine.backend.Backend;
import dqnengine.backend.cpu.FastCpuBackend;
import dqnengine.env.Environments;
import dqnengine.io.CsvLog;
import dqnengine.util.BadInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link TrainingListener}: told of what the run records, as it records it, without changing the
 * training; a STOP ends the run at that step with a checkpoint, as a SIGTERM does.
 */
class TrainingListenerTest {
    @TempDir Path tmp;

    /** Writes down every event; answers STOP to those {@code stopAt} accepts. */
    static final class Recorder implements TrainingListener {
        final List<Object> events = new ArrayList<>();
        final List<Boolean> checkpointWhole = new ArrayList<>();    // state.json there when told, per CheckpointSaved
        final Predicate<Object> stopAt;

        Recorder(Predicate<Object> stopAt) { this.stopAt = stopAt; }

        private Decision answer(Object event) {
            events.add(event);
            return stopAt.test(event) ? Decision.STOP : Decision.CONTINUE;
        }

        @Override public Decision onEpisodeEnd(EpisodeEnd e) { return answer(e); }
        @Override public Decision onEvaluation(Evaluation e) { return answer(e); }

        @Override
        public Decision onCheckpoint(CheckpointSaved c) {
            checkpointWhole.add(Files.isRegularFile(c.directory().resolve("state.json")));
            return answer(c);
        }

        <T> List<T> of(Class<T> kind) {
            return events.stream().filter(kind::isInstance).map(kind::cast).toList();
        }
    }

    static Trainer.Result train(DqnConfig c, Path dir, Path resumeFrom, TrainingListener... listeners) throws IOException {
        if (resumeFrom == null) RunDirectory.prepareNew(dir, c);
        try (Backend be = new FastCpuBackend(1)) {
            Trainer t = new Trainer(c, be, (i, seed) -> Environments.builtIn(c.env, seed), dir,
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            for (TrainingListener l : listeners) t.addListener(l);
            return t.run(resumeFrom);
        }
    }

    static DqnConfig withEvaluation() {
        DqnConfig c = TrainerTest.small("cartpole", 1_500);
        c.evalEvery = 500;
        c.evalEpisodes = 2;
        c.checkpointEvery = 500;
        return c;
    }

    @Test
    void listenersHearWhatTheRunRecordsAndTheTrainingIsUnchanged() throws IOException {
        Path plain = tmp.resolve("plain"), heard = tmp.resolve("heard");
        train(withEvaluation(), plain, null);
        Recorder r = new Recorder(e -> false);
        Trainer.Result result = train(withEvaluation(), heard, null, r);
        assertFalse(result.interrupted());
        assertEquals(1_500, result.steps());

        // The training: the same episodes as the run without a listener.
        List<String> a = Files.readAllLines(plain.resolve("episodes.csv")), b = Files.readAllLines(heard.resolve("episodes.csv"));
        assertEquals(a.stream().map(TrainingListenerTest::withoutClock).toList(), b.stream().map(TrainingListenerTest::withoutClock).toList());

        // Episodes: one event per row of episodes.csv, with its values.
        List<TrainingListener.EpisodeEnd> episodes = r.of(TrainingListener.EpisodeEnd.class);
        assertEquals(b.size() - 1, episodes.size());
        assertEquals(result.episodes(), episodes.size());
        RecentReturns recent = new RecentReturns();
        for (int i = 0; i < episodes.size(); i++) {
            String[] row = b.get(i + 1).split(",");
            TrainingListener.EpisodeEnd e = episodes.get(i);
            assertEquals(String.join(",", row[0], row[1], row[2], row[4]), e.episode() + "," + e.step() + "," + e.env() + "," + e.length());
            assertEquals(Double.parseDouble(row[3]), e.episodeReturn(), 1e-9);
            recent.add(e.episodeReturn());
            assertEquals(recent.mean(), e.meanReturn100(), 1e-9, "the mean of the last 100 with this one");
        }

        // Evaluations: one per row of eval.csv.
        double[][] eval = CsvLog.columns(heard.resolve("eval.csv"), "step", "mean_return");
        List<TrainingListener.Evaluation> evaluations = r.of(TrainingListener.Evaluation.class);
        assertEquals(List.of(500L, 1_000L, 1_500L), evaluations.stream().map(TrainingListener.Evaluation::step).toList());
        for (int i = 0; i < evaluations.size(); i++) {
            assertEquals(eval[1][i], evaluations.get(i).summary().mean(), 1e-2);
            assertEquals(2, evaluations.get(i).summary().returns().length);
        }

        // Checkpoints: every latest save, whole when told; the best one where the run's pointer says.
        List<TrainingListener.CheckpointSaved> saved = r.of(TrainingListener.CheckpointSaved.class);
        assertEquals(List.of(500L, 1_000L, 1_500L), saved.stream().filter(c -> c.kind().equals("latest")).map(TrainingListener.CheckpointSaved::step).toList());
        assertFalse(r.checkpointWhole.contains(false), "each checkpoint was complete when announced");
        TrainingListener.CheckpointSaved lastBest = saved.stream().filter(c -> c.kind().equals("best")).reduce((x, y) -> y).orElseThrow();
        assertEquals(Checkpoint.resolve(heard, true).toAbsolutePath(), lastBest.directory().toAbsolutePath());
        assertEquals(Checkpoint.resolve(heard, false).toAbsolutePath(), saved.get(saved.size() - 1).directory().toAbsolutePath());
    }

    private static String withoutClock(String episodesRow) { return episodesRow.substring(0, episodesRow.lastIndexOf(',')); }

    @Test
    void aStopAtAnEpisodeEndsTheRunThereWithACheckpointAndTheRunCanContinue() throws IOException {
        DqnConfig c = TrainerTest.small("cartpole", 1_500);
        c.numEnvs = 2;                                   // the stop comes between the two environments' steps, not after both
        Path dir = tmp.resolve("stopped");
        Recorder r = new Recorder(e -> e instanceof TrainingListener.EpisodeEnd end && end.episode() == 20);
        Recorder bystander = new Recorder(e -> false);
        Trainer.Result result = train(c, dir, null, r, bystander);

        TrainingListener.EpisodeEnd twentieth = r.of(TrainingListener.EpisodeEnd.class).get(19);
        assertTrue(result.interrupted(), "a listener's stop is an early stop");
        assertEquals(twentieth.step(), result.steps(), "the run ended at the step of the episode that asked");
        assertEquals(20, result.episodes());
        assertEquals(20, r.of(TrainingListener.EpisodeEnd.class).size(), "no episode after the stop");
        assertEquals(r.events, bystander.events, "every listener hears every event");
        Checkpoint.State latest = Checkpoint.readState(Checkpoint.resolve(dir, false));
        assertEquals(twentieth.step(), latest.step, "the latest checkpoint holds the stop");
        Object last = r.events.get(r.events.size() - 1);
        assertEquals(new TrainingListener.CheckpointSaved(twentieth.step(), "latest", Checkpoint.resolve(dir, false)), last);

        Trainer.Result rest = train(c, dir, Checkpoint.resolve(dir, false), new Recorder(e -> false));
        assertFalse(rest.interrupted());
        assertEquals(1_500, rest.steps(), "the resumed run goes on to its end");
    }

    @Test
    void aStopAtACheckpointEndsTheRunThere() throws IOException {
        DqnConfig c = withEvaluation();
        Recorder r = new Recorder(e -> e instanceof TrainingListener.CheckpointSaved saved && saved.kind().equals("latest"));
        Trainer.Result result = train(c, tmp.resolve("at-checkpoint"), null, r);
        assertTrue(result.interrupted());
        assertEquals(500, result.steps());
        assertEquals(1, r.of(TrainingListener.Evaluation.class).size(), "the evaluation at step 500 came first");
    }

    @Test
    void anImpossibleConfigIsRefusedWhenTheTrainerIsMade() {
        DqnConfig c = TrainerTest.small("cartpole", 1_000);
        c.learningStarts = 4;                           // below the batch size
        BadInput e = assertThrows(BadInput.class, () -> new Trainer(c, null, (i, seed) -> null, tmp, System.out));
        assertTrue(e.getMessage().contains("--learning-starts must be at least the batch size"), e.getMessage());
    }
}
