package dqnengine.testing;

import dqnengine.replay.ReplayBuffer;

/**
 * Two single-stream replay buffers with the same seed, fed the same transitions: a learner samples
 * from {@code mine}, and a hand computation draws the very same batch from {@code twin}.
 */
public final class TwinReplay {
    public final ReplayBuffer mine, twin;

    public TwinReplay(int capacity, int frameBytes, long seed) {
        mine = new ReplayBuffer(capacity, 1, frameBytes, 1, seed);
        twin = new ReplayBuffer(capacity, 1, frameBytes, 1, seed);
    }

    public void start(byte[] observation) {
        mine.start(0, observation);
        twin.start(0, observation);
    }

    public void add(int action, float reward, boolean terminated, boolean truncated, byte[] next) {
        mine.add(0, action, reward, terminated, truncated, next);
        twin.add(0, action, reward, terminated, truncated, next);
    }
}
