import dqnengine.backend.Backend;
import dqnengine.backend.Backends;
import dqnengine.nn.*;
import dqnengine.optim.*;
import dqnengine.tensor.Tensor;
import java.util.*;

/**
 * The Nature network's backward pass and Adam update at batch 32 on the fast CPU backend, in one JVM,
 * alternated call by call (medians of 30 calls a round): the whole backward pass then Adam ("seq"),
 * UpdateBesideBackward ("beside": the linear layers' update on worker 1 while the caller runs the
 * convolutions' backward pass), and the parts: the head's backward pass with its update on two
 * threads, the convolutions' backward pass on two and on one thread, and that pass on one thread
 * beside the head's update on the other (runBoth). Not kept: see the README's seventeenth session.
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp target/dqn-engine.jar scripts/UpdateBesideTime.java ROUNDS
 * </pre>
 */
public final class UpdateBesideTime {
    public static void main(String[] args) {
        int rounds = Integer.parseInt(args[0]);
        try (Backend be = Backends.create("cpu", 2); Backend one = Backends.create("cpu", 1)) {
            Random rng = new Random(1);
            Sequential net = Networks.nature(4, 6, rng);
            Adam adam = new Adam(net.parameters(), 1e-4f, 0.9f, 0.999f, 1.5e-4f);
            UpdateBesideBackward ub = new UpdateBesideBackward(net, adam);
            Tensor x = Tensor.zeros(32, 4, 84, 84);
            for (int i = 0; i < x.size(); i++) x.data[i] = rng.nextFloat();
            Tensor dq = Tensor.zeros(32, 6);
            for (int i = 0; i < dq.size(); i++) dq.data[i] = (rng.nextFloat() - 0.5f) * 1e-3f;
            int h = net.headStart(), hp = net.firstParameterOf(h), n = adam.parameters().size();
            String[] names = {"seq", "beside", "headbwd+headAdam2T", "trunk bwd 2T", "trunk bwd 1T", "runBoth(adamHead, trunk)"};
            Tensor[] hg = new Tensor[1];
            Runnable[] ways = {
                () -> { net.backwardFresh(be, dq, false); adam.step(be); },
                () -> ub.run(be, dq),
                () -> { hg[0] = net.backwardFresh(be, dq, h, net.layers().size(), false); adam.beginStep(); adam.updateRange(be, hp, n); },
                () -> net.backwardFresh(be, hg[0], 0, h, false),
                () -> net.backwardFresh(one, hg[0], 0, h, false),
                () -> be.runBoth(b -> adam.updateRange(b, hp, n), b -> net.backwardFresh(b, hg[0], 0, h, false)),
            };
            int CALLS = 30;
            for (int round = 1; round <= rounds; round++) {
                double[][] ms = new double[ways.length][CALLS];
                for (int call = 0; call < CALLS; call++) for (int way = 0; way < ways.length; way++) {
                    if (way < 3) net.forward(be, x);
                    long t0 = System.nanoTime();
                    ways[way].run();
                    ms[way][call] = (System.nanoTime() - t0) / 1e6;
                }
                StringBuilder line = new StringBuilder("round " + round + ":");
                for (int way = 0; way < ways.length; way++) { Arrays.sort(ms[way]); line.append(String.format(Locale.ROOT, "  %s %.3f", names[way], ms[way][CALLS / 2])); }
                System.out.println(line);
            }
        }
    }
}
