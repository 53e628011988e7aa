package dqnengine.env.builtin;

import dqnengine.env.Environment;
import dqnengine.env.ObservationEncoding;
import dqnengine.env.SavedState;
import dqnengine.env.Step;
import dqnengine.util.StatefulRandom;

import java.util.Arrays;
import java.util.List;

/**
 * FrozenLake 4x4 with the map and rules of Gym's {@code FrozenLake-v1}:
 * <pre>
 *   S F F F      S start, F frozen (safe), H hole, G goal
 *   F H F H
 *   F F F H
 *   H F F G
 * </pre>
 * Actions 0 LEFT, 1 DOWN, 2 RIGHT, 3 UP; moving into a wall leaves the agent in place. On a
 * slippery lake the move goes in the intended direction or either perpendicular one, each with
 * probability 1/3. Reaching G gives +1 and terminates; falling into H terminates with 0. The
 * episode is truncated after 100 steps.
 *
 * <p>States are numbered row · 4 + column; {@link #state()} gives it to a tabular agent and the
 * observation is its one-hot encoding, shape [16], for a network.
 */
public final class FrozenLake implements Environment {
    public static final String[] MAP = {"SFFF", "FHFH", "FFFH", "HFFG"};
    public static final int SIDE = 4, STATES = SIDE * SIDE, ACTIONS = 4, MAX_STEPS = 100;
    public static final int LEFT = 0, DOWN = 1, RIGHT = 2, UP = 3;

    private final boolean slippery;
    private final StatefulRandom rng;
    private final byte[] observation = new byte[STATES];
    private int state, steps;

    public FrozenLake(boolean slippery, long seed) {
        this.slippery = slippery;
        this.rng = new StatefulRandom(seed);
    }

    @Override public String id() { return slippery ? "frozenlake" : "frozenlake:deterministic"; }
    @Override public int[] observationShape() { return new int[] {STATES}; }
    @Override public ObservationEncoding encoding() { return ObservationEncoding.BINARY; }
    @Override public int actionCount() { return ACTIONS; }
    @Override public List<String> actionMeanings() { return List.of("LEFT", "DOWN", "RIGHT", "UP"); }

    public boolean slippery() { return slippery; }

    /** The current cell, row · 4 + column. */
    public int state() { return state; }

    /** The map letter of a cell. */
    public static char cell(int s) { return MAP[s / SIDE].charAt(s % SIDE); }

    @Override
    public Step reset() {
        state = 0;
        steps = 0;
        return new Step(encode(), 0f, 0f, false, false, false, 0);
    }

    @Override
    public Step step(int action) {
        if (action < 0 || action >= ACTIONS) throw new IllegalArgumentException("FrozenLake action must be 0..3, got " + action);
        int move = action;
        if (slippery) move = Math.floorMod(action + rng.nextInt(3) - 1, ACTIONS);   // intended, or one of its two neighbours
        state = moved(state, move);
        steps++;
        char c = cell(state);
        boolean terminated = c == 'H' || c == 'G';
        float reward = c == 'G' ? 1f : 0f;
        boolean truncated = !terminated && steps >= MAX_STEPS;
        return new Step(encode(), reward, reward, terminated, truncated, terminated, 0);
    }

    /** The cell reached from {@code s} by moving in direction {@code move}, walls stopping it. */
    public static int moved(int s, int move) {
        int row = s / SIDE, col = s % SIDE;
        switch (move) {
            case LEFT -> col = Math.max(col - 1, 0);
            case DOWN -> row = Math.min(row + 1, SIDE - 1);
            case RIGHT -> col = Math.min(col + 1, SIDE - 1);
            case UP -> row = Math.max(row - 1, 0);
            default -> throw new IllegalArgumentException("no move " + move);
        }
        return row * SIDE + col;
    }

    @Override
    public byte[] saveState() {
        return new SavedState.Writer(id()).putInt(state).putInt(steps).putLong(rng.state()).bytes();
    }

    @Override
    public void restoreState(byte[] saved) {
        SavedState.Reader in = new SavedState.Reader(saved, id());
        int cell = in.getInt(), steps = in.getInt();
        long random = in.getLong();
        in.finish();
        if (cell < 0 || cell >= STATES || steps < 0) throw new IllegalArgumentException("the saved FrozenLake state is impossible");
        this.state = cell;
        this.steps = steps;
        rng.setState(random);
    }

    private byte[] encode() {
        Arrays.fill(observation, (byte) 0);
        observation[state] = 1;
        return observation;
    }

    @Override public void close() {}
}
