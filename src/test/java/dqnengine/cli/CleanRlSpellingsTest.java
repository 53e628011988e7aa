package dqnengine.cli;

import dqnengine.dqn.ConfigFile;
import dqnengine.dqn.DqnConfig;
import dqnengine.testing.CliRun;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** CleanRL's / SB3's flag spellings as aliases of ours, Gym ids for --env-id, and --print-config. */
class CleanRlSpellingsTest {
    private static DqnConfig printed(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "train";
        System.arraycopy(args, 0, all, 1, args.length);
        all[all.length - 1] = "--print-config";
        CliRun r = CliRun.of(all);
        assertEquals(0, r.code(), r.err());
        DqnConfig c = DqnConfig.preset("cartpole");
        ConfigFile.apply(ConfigFile.read(r.out(), "printed"), c);    // what --print-config prints is what --config accepts
        return c;
    }

    @Test
    void cleanRlSpellingsSetTheSameSettings() {
        DqnConfig c = printed("--env-id", "CartPole-v1", "--total-timesteps", "30000", "--learning-rate", "0.001", "--buffer-size", "1000",
                "--target-network-frequency", "50", "--train-frequency", "2", "--start-e", "0.9", "--end-e", "0.05",
                "--exploration-fraction", "0.5", "--learning-starts", "200", "--seed", "3");
        assertEquals("cartpole", c.env);
        assertEquals(30_000, c.steps);
        assertEquals(0.001, c.lr);
        assertEquals(1_000, c.replaySize);
        assertEquals(50, c.targetEvery);
        assertEquals(2, c.trainEvery);
        assertEquals(0.9, c.epsilonStart);
        assertEquals(0.05, c.epsilonEnd);
        assertEquals(15_000, c.epsilonSteps, "half of the 30,000 steps");
        assertEquals(200, c.learningStarts);
        assertEquals(3, c.seed);
    }

    @Test
    void gymAndAlePyIdsMapToOurs() {
        assertEquals("ale:pong", EnvOptions.canonicalEnv("PongNoFrameskip-v4"));
        assertEquals("ale:space_invaders", EnvOptions.canonicalEnv("SpaceInvadersNoFrameskip-v4"));
        assertEquals("ale:beam_rider", EnvOptions.canonicalEnv("ALE/BeamRider-v5"));
        assertEquals("ale:breakout", EnvOptions.canonicalEnv("Breakout-v5"));
        assertEquals("cartpole", EnvOptions.canonicalEnv("CartPole-v1"));
        assertEquals("frozenlake", EnvOptions.canonicalEnv("FrozenLake-v1"));
        assertEquals("minatar:breakout", EnvOptions.canonicalEnv("minatar:breakout"));
        assertEquals("ale:pong", printed("--env-id", "PongNoFrameskip-v4").env, "no ROM needed to print the settings");
    }

    @Test
    void printConfigShowsAPresetsValuesAndWritesNothing() {
        DqnConfig nature = printed("--preset", "nature");
        assertEquals("rmsprop-nature", nature.optimizer);
        assertEquals("sum", nature.lossReduction);
        assertEquals(1_000_000, nature.replaySize);
        CliRun both = CliRun.of("train", "--epsilon-steps", "10", "--exploration-fraction", "0.1", "--print-config");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("not both"), both.err());
    }
}
