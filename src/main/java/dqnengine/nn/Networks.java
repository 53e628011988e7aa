package dqnengine.nn;

import java.util.Random;

/** The network architectures the project uses, built from the layers in this package. */
public final class Networks {
    private Networks() {}

    /**
     * The Nature DQN network (Mnih et al. 2015, "Human-level control through deep reinforcement
     * learning", Methods: Model architecture).
     * <pre>
     *   [N,4,84,84] → Conv 32 8×8 /4 → ReLU → [N,32,20,20]
     *              → Conv 64 4×4 /2 → ReLU → [N,64,9,9]
     *              → Conv 64 3×3 /1 → ReLU → [N,64,7,7]
     *              → Flatten [N,3136] → Linear 512 → ReLU → Linear actions → Q [N,actions]
     * </pre>
     * 1,687,206 parameters for 6 actions. Layer indices (0, 2, 4, 7, 9) match the equivalent
     * PyTorch {@code nn.Sequential}.
     */
    public static Sequential nature(int inChannels, int actions, Random rng) {
        return new Sequential(
                new Conv2d(inChannels, 32, 8, 4, 0, rng), new ReLU(),
                new Conv2d(32, 64, 4, 2, 0, rng), new ReLU(),
                new Conv2d(64, 64, 3, 1, 0, rng), new ReLU(),
                new Flatten(),
                new Linear(64 * 7 * 7, 512, rng), new ReLU(),
                new Linear(512, actions, rng));
    }
}
