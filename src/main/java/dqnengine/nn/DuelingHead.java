package dqnengine.nn;

import dqnengine.backend.Backend;
import dqnengine.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The dueling head (Wang et al. 2016, "Dueling Network Architectures for Deep Reinforcement
 * Learning", eq. 9): two streams from the same features, a state value V(s) and action
 * advantages A(s, a), recombined with the mean advantage subtracted so that V and A are
 * identifiable:
 * <pre>
 *   x [N,F] → value:     Linear(F,H) → ReLU → Linear(H,1)  → V [N,1]
 *           → advantage: Linear(F,H) → ReLU → Linear(H,A)  → A [N,A]
 *   Q[n,k] = V[n] + A[n,k] − (1/A) Σ_j A[n,j]
 * </pre>
 * Backward, from dQ [N,A]:
 * <pre>
 *   dV[n]   = Σ_k dQ[n,k]
 *   dA[n,k] = dQ[n,k] − (1/A) Σ_j dQ[n,j]
 *   dx      = value.backward(dV) + advantage.backward(dA)
 * </pre>
 * Parameters are named {@code value.*} and {@code advantage.*}.
 */
public final class DuelingHead implements Layer {
    private final Sequential value, advantage;
    private final int actions;
    private final List<Parameter> parameters;
    private final Map<Integer, Tensor[]> buffers = new HashMap<>();   // batch size -> {q, dV, dA, dx}

    public DuelingHead(int features, int hidden, int actions, Random rng) {
        this.actions = actions;
        this.value = new Sequential(new Linear(features, hidden, rng), new ReLU(), new Linear(hidden, 1, rng));
        this.advantage = new Sequential(new Linear(features, hidden, rng), new ReLU(), new Linear(hidden, actions, rng));
        List<Parameter> all = new ArrayList<>();
        for (Parameter p : value.parameters()) all.add(p.renamed("value." + p.name()));
        for (Parameter p : advantage.parameters()) all.add(p.renamed("advantage." + p.name()));
        this.parameters = List.copyOf(all);
    }

    private Tensor[] buffersFor(int n, int features) {
        return buffers.computeIfAbsent(n, k -> new Tensor[] {Tensor.zeros(n, actions), Tensor.zeros(n, 1), Tensor.zeros(n, actions),
                Tensor.zeros(n, features)});
    }

    @Override
    public Tensor forward(Backend be, Tensor x) {
        int n = x.dim(0);
        Tensor v = value.forward(be, x), a = advantage.forward(be, x);
        be.toHost(v);                               // the recombination runs on the host
        be.toHost(a);
        Tensor q = buffersFor(n, x.dim(1))[0];
        for (int i = 0; i < n; i++) {
            double mean = 0;
            for (int k = 0; k < actions; k++) mean += a.data[i * actions + k];
            mean /= actions;
            for (int k = 0; k < actions; k++) q.data[i * actions + k] = (float) (v.data[i] + a.data[i * actions + k] - mean);
        }
        be.hostWrote(q);
        return q;
    }

    @Override
    public Tensor backward(Backend be, Tensor dq, boolean needInputGrad) {
        int n = dq.dim(0);
        Tensor[] b = buffers.get(n);
        Tensor dv = b[1], da = b[2], dx = b[3];
        be.toHost(dq);
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int k = 0; k < actions; k++) sum += dq.data[i * actions + k];
            dv.data[i] = (float) sum;
            for (int k = 0; k < actions; k++) da.data[i * actions + k] = (float) (dq.data[i * actions + k] - sum / actions);
        }
        be.hostWrote(dv);
        be.hostWrote(da);
        Tensor fromValue = value.backward(be, dv, needInputGrad);
        if (!needInputGrad) {
            advantage.backward(be, da, false);
            return null;
        }
        be.toHost(fromValue);
        dx.copyFrom(fromValue);                      // the value stream's buffer is reused by its next backward
        Tensor fromAdvantage = advantage.backward(be, da, true);
        be.toHost(fromAdvantage);
        for (int i = 0; i < dx.size(); i++) dx.data[i] += fromAdvantage.data[i];
        be.hostWrote(dx);
        return dx;
    }

    @Override
    public List<Parameter> parameters() { return parameters; }

    @Override
    public int[] outputShape(int[] in) { return new int[] {in[0], actions}; }

    @Override
    public String toString() { return "DuelingHead(value: " + value.layers() + ", advantage: " + advantage.layers() + ")"; }
}
