package dqnengine.env;

import java.util.List;

/**
 * What the agent talks to: a game with a fixed observation shape and a discrete action set.
 *
 * <p>Observations are unsigned bytes ({@code byte[]}, read with {@code & 0xFF}) in row-major
 * order with {@link #observationShape()}, e.g. [4, 84, 84] for stacked Atari frames. They stay
 * bytes all the way to the replay buffer; the returned array is owned by the environment and
 * overwritten by the next {@code reset} or {@code step}, so copy what you keep.
 *
 * <p>The data flows one way: the agent calls {@link #step} with an action and reads the
 * returned {@link Step}; an environment never calls back into the agent.
 */
public interface Environment extends AutoCloseable {

    /** @return the id that created it, e.g. {@code ale:pong} */
    String id();

    /** @return the shape of every observation, e.g. {@code [4, 84, 84]} */
    int[] observationShape();

    /** @return the number of actions; valid actions are 0 … actionCount() − 1 */
    int actionCount();

    /** @return how the observation bytes encode numbers (Atari pixels unless an environment says otherwise) */
    default ObservationEncoding encoding() { return ObservationEncoding.PIXELS; }

    /**
     * How many frames the observation stacks along its first axis (4 for Atari, 1 otherwise). The
     * newest frame comes last; a replay buffer stores only that one and rebuilds the stack.
     *
     * @return the frames stacked
     */
    default int frameStack() { return 1; }

    /** @return a name for every action, e.g. NOOP, FIRE, UP */
    List<String> actionMeanings();

    /**
     * Starts a new episode.
     *
     * @return its first observation (reward 0, not terminal)
     */
    Step reset();

    /**
     * Applies one action.
     *
     * @param action the action, 0 … actionCount() − 1
     * @return what followed
     */
    Step step(int action);

    /**
     * The environment's whole state (the game, the position in the episode under way, the random
     * source), so that a run resumed from a checkpoint continues that episode exactly as the
     * uninterrupted run would have; null when this environment cannot save it (Atari: the
     * emulator's state is not saved, and a resumed run starts a new episode there).
     *
     * @return the state as bytes, or null when it cannot be saved
     */
    default byte[] saveState() { return null; }

    /**
     * Continues from bytes {@link #saveState} returned, on an environment opened with the same id
     * and options; bytes of another environment, or damaged ones, are refused with
     * IllegalArgumentException.
     *
     * @param state bytes from {@link #saveState} of an environment with the same id and options
     */
    default void restoreState(byte[] state) {
        throw new UnsupportedOperationException(id() + " cannot restore a saved state");
    }

    /** Releases native resources; the environment cannot be used afterwards. */
    @Override
    void close();
}
