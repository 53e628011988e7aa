package dqnengine.env;

/**
 * What one {@link Environment#step} returns.
 *
 * @param observation the new observation (owned by the environment, overwritten by the next step)
 * @param reward      the reward to learn from (after any training-time transformation such as
 *                    clipping to its sign)
 * @param score       the game's own reward for this step, unclipped: what returns are reported in
 * @param terminated  the episode ended in a terminal state: bootstrap from 0. With life loss as a
 *                    terminal this is also true when a life was lost
 * @param truncated   the episode was cut short (time limit), not terminal: bootstrap from the
 *                    next state as usual
 * @param gameOver    the game itself is over (the end of the episode whose score is reported);
 *                    differs from {@code terminated} only with life loss as a terminal
 * @param lives       lives left (0 for games without lives)
 */
public record Step(byte[] observation, float reward, float score, boolean terminated, boolean truncated,
                   boolean gameOver, int lives) {

    /** @return whether the episode is over for the agent: call {@link Environment#reset()} next */
    public boolean done() { return terminated || truncated; }
}
