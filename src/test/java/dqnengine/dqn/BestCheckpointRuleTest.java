package dqnengine.dqn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** A checkpoint is only {@code best} once enough episodes have finished for their mean to mean something. */
class BestCheckpointRuleTest {
    @TempDir Path tmp;

    private static DqnConfig cartpole(long steps) {
        DqnConfig c = TrainerTest.small("cartpole", steps);
        c.learningStarts = 64;
        c.logEvery = 50;
        c.checkpointEvery = 100_000;
        return c;
    }

    @Test
    void noBestBeforeTenFinishedEpisodesThenTheBestMeanAfterThem() throws Exception {
        Path early = tmp.resolve("early");
        TrainerTest.train(cartpole(150), early, null);
        List<String> episodes = Files.readAllLines(early.resolve("episodes.csv"));
        int finished = episodes.size() - 1;
        assertTrue(finished >= 1 && finished < Trainer.MIN_EPISODES_FOR_BEST, "the setting this checks: " + finished + " episodes by step 150");
        assertFalse(Files.exists(early.resolve("checkpoints/best")), "a handful of random episodes made a 'best' checkpoint");

        Path longer = tmp.resolve("longer");
        TrainerTest.train(cartpole(1_000), longer, null);
        Checkpoint.State best = Checkpoint.readState(Checkpoint.resolve(longer, true));
        assertTrue(Files.exists(longer.resolve("checkpoints/best")));
        assertTrue(best.recentReturns.length >= Trainer.MIN_EPISODES_FOR_BEST, "best after " + best.recentReturns.length + " episodes");
        assertEquals(best.step % 50, 0, "chosen at a log step");
    }
}
