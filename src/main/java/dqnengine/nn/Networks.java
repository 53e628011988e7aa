package dqnengine.nn;

import java.util.ArrayList;
import java.util.List;
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

    /**
     * The MinAtar network (Young &amp; Tian 2019, section 4: one convolution and one hidden layer).
     * <pre>
     *   [N,C,10,10] → Conv 16 3×3 /1 → ReLU → [N,16,8,8] → Flatten [N,1024]
     *              → Linear 128 → ReLU → Linear actions → Q [N,actions]
     * </pre>
     */
    public static Sequential minatar(int inChannels, int actions, Random rng) {
        return new Sequential(
                new Conv2d(inChannels, 16, 3, 1, 0, rng), new ReLU(),
                new Flatten(),
                new Linear(16 * 8 * 8, 128, rng), new ReLU(),
                new Linear(128, actions, rng));
    }

    /**
     * A multi-layer perceptron for vector observations (CartPole):
     * {@code [N,in] → (Linear h → ReLU) per hidden size → Linear actions}, with a Flatten first
     * when {@code flatten} (observations of rank above one, e.g. MinAtar's [C,10,10]).
     */
    public static Sequential mlp(int inputs, int[] hidden, int actions, boolean flatten, Random rng) {
        List<Layer> layers = new ArrayList<>();
        if (flatten) layers.add(new Flatten());
        int width = inputs;
        for (int h : hidden) {
            layers.add(new Linear(width, h, rng));
            layers.add(new ReLU());
            width = h;
        }
        layers.add(new Linear(width, actions, rng));
        return new Sequential(layers.toArray(new Layer[0]));
    }

    /** The Nature trunk with a {@link DuelingHead} (Wang et al. 2016: 512 hidden units per stream). */
    public static Sequential natureDueling(int inChannels, int actions, Random rng) {
        return new Sequential(
                new Conv2d(inChannels, 32, 8, 4, 0, rng), new ReLU(),
                new Conv2d(32, 64, 4, 2, 0, rng), new ReLU(),
                new Conv2d(64, 64, 3, 1, 0, rng), new ReLU(),
                new Flatten(),
                new DuelingHead(64 * 7 * 7, 512, actions, rng));
    }

    /** The MinAtar trunk with a {@link DuelingHead} of 128 hidden units per stream. */
    public static Sequential minatarDueling(int inChannels, int actions, Random rng) {
        return new Sequential(
                new Conv2d(inChannels, 16, 3, 1, 0, rng), new ReLU(),
                new Flatten(),
                new DuelingHead(16 * 8 * 8, 128, actions, rng));
    }

    /** An MLP whose last hidden layer becomes the two streams of a {@link DuelingHead}. */
    public static Sequential mlpDueling(int inputs, int[] hidden, int actions, boolean flatten, Random rng) {
        List<Layer> layers = new ArrayList<>();
        if (flatten) layers.add(new Flatten());
        int width = inputs;
        for (int i = 0; i < hidden.length - 1; i++) {
            layers.add(new Linear(width, hidden[i], rng));
            layers.add(new ReLU());
            width = hidden[i];
        }
        layers.add(new DuelingHead(width, hidden[hidden.length - 1], actions, rng));
        return new Sequential(layers.toArray(new Layer[0]));
    }
}
