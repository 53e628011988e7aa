package dqnengine.env.minatar;

import dqnengine.env.Environment;
import dqnengine.env.ObservationEncoding;
import dqnengine.env.SavedState;
import dqnengine.env.Step;
import dqnengine.util.StatefulRandom;

import java.util.Arrays;
import java.util.List;

/**
 * What the MinAtar games share (Young &amp; Tian 2019, "MinAtar: An Atari-Inspired Testbed for
 * Thorough and Reproducible Reinforcement Learning Experiments"): a 10x10 grid observed as one
 * boolean channel per kind of object, six actions, sticky actions and a seeded random source.
 *
 * <p>Observation: shape [C, 10, 10], one byte (0 or 1) per cell and channel, channel-major so
 * it is already the NCHW input of a convolution. Channel meanings are {@link #channels()}.
 *
 * <p>Actions: the full set NOOP, LEFT, UP, RIGHT, DOWN, FIRE (the paper's six), or with
 * {@code minimalActions} only the ones that do something in the game. With probability
 * {@code sticky} (the paper: 0.1) the previous action is repeated instead of the chosen one.
 *
 * <p>Episodes end when the game says so. There is no time limit in the paper; we truncate at
 * {@code maxSteps} (default 100,000) so that an agent that never loses still finishes its
 * evaluation.
 */
public abstract class MinAtarGame implements Environment {
    public static final int SIZE = 10;
    public static final int NOOP = 0, LEFT = 1, UP = 2, RIGHT = 3, DOWN = 4, FIRE = 5;
    private static final List<String> NAMES = List.of("NOOP", "LEFT", "UP", "RIGHT", "DOWN", "FIRE");

    /** The options every game takes. */
    public record Options(long seed, double sticky, boolean ramping, boolean minimalActions, long maxSteps) {
        /** The paper's settings: sticky actions 0.1, difficulty ramping, all six actions. */
        public static Options paper(long seed) { return new Options(seed, 0.1, true, false, 100_000); }

        public Options {
            if (!(sticky >= 0 && sticky < 1)) throw new IllegalArgumentException("sticky action probability must be in [0, 1), got " + sticky);
            if (maxSteps < 1) throw new IllegalArgumentException("maxSteps must be positive");
        }
    }

    protected final StatefulRandom rng;
    protected final boolean ramping;
    protected boolean terminal;
    private final String name;
    private final List<String> channels;
    private final int[] actionSet;
    private final double sticky;
    private final long maxSteps;
    private final byte[] observation;
    private int lastAction;
    private long steps;
    private boolean over = true;

    protected MinAtarGame(String name, List<String> channels, int[] minimalSet, Options options) {
        this.name = name;
        this.channels = channels;
        this.rng = new StatefulRandom(options.seed());
        this.ramping = options.ramping();
        this.sticky = options.sticky();
        this.maxSteps = options.maxSteps();
        this.actionSet = options.minimalActions() ? minimalSet.clone() : new int[] {NOOP, LEFT, UP, RIGHT, DOWN, FIRE};
        this.observation = new byte[channels.size() * SIZE * SIZE];
    }

    @Override public String id() { return "minatar:" + name; }
    @Override public int[] observationShape() { return new int[] {channels.size(), SIZE, SIZE}; }
    @Override public ObservationEncoding encoding() { return ObservationEncoding.BINARY; }
    @Override public int actionCount() { return actionSet.length; }

    @Override
    public List<String> actionMeanings() {
        return Arrays.stream(actionSet).mapToObj(NAMES::get).toList();
    }

    /** What each observation channel marks, in channel order. */
    public List<String> channels() { return channels; }

    /** The difficulty level reached so far (0 for games that do not ramp). */
    public abstract int difficulty();

    @Override
    public final Step reset() {
        terminal = false;
        lastAction = NOOP;
        steps = 0;
        over = false;
        newEpisode();
        return new Step(render(), 0f, 0f, false, false, false, 0);
    }

    @Override
    public final Step step(int action) {
        if (action < 0 || action >= actionSet.length)
            throw new IllegalArgumentException(id() + " has actions 0.." + (actionSet.length - 1) + ", got " + action);
        if (over) throw new IllegalStateException("the episode is over: call reset()");
        int a = actionSet[action];
        if (rng.nextDouble() < sticky) a = lastAction;        // sticky actions: the old action sometimes repeats
        lastAction = a;
        int reward = update(a);
        steps++;
        boolean truncated = !terminal && (steps >= maxSteps || timeUp());
        over = terminal || truncated;
        return new Step(render(), reward, reward, terminal, truncated, terminal, 0);
    }

    /** The shared state (episode position, sticky action, random source), then the game's own. */
    @Override
    public final byte[] saveState() {
        SavedState.Writer out = new SavedState.Writer(id()).putBoolean(terminal).putInt(lastAction).putLong(steps).putBoolean(over)
                .putLong(rng.state());
        saveGame(out);
        return out.bytes();
    }

    @Override
    public final void restoreState(byte[] state) {
        SavedState.Reader in = new SavedState.Reader(state, id());
        terminal = in.getBoolean();
        lastAction = in.getInt();
        steps = in.getLong();
        over = in.getBoolean();
        rng.setState(in.getLong());
        restoreGame(in);
        in.finish();
    }

    /** Writes every field of the game that changes while it is played, in a fixed order. */
    protected abstract void saveGame(SavedState.Writer out);

    /** Reads back what {@link #saveGame} wrote, in the same order. */
    protected abstract void restoreGame(SavedState.Reader in);

    /** Whether the game's own clock has run out (Freeway): an end that is a time limit, not terminal. */
    protected boolean timeUp() { return false; }

    /** Sets up the start of an episode. */
    protected abstract void newEpisode();

    /** Advances the game one step under action {@code a} (in the full set) and returns the reward. */
    protected abstract int update(int a);

    /** Marks every object in its channel with {@link #mark}. */
    protected abstract void draw();

    private byte[] render() {
        Arrays.fill(observation, (byte) 0);
        draw();
        return observation;
    }

    /** Sets cell (row y, column x) of channel c; cells outside the grid are ignored. */
    protected final void mark(int c, int y, int x) {
        if (x >= 0 && x < SIZE && y >= 0 && y < SIZE) observation[(c * SIZE + y) * SIZE + x] = 1;
    }

    @Override public void close() {}
}
