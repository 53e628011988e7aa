package dqnengine.bench;

import dqnengine.backend.Backend;
import dqnengine.backend.Conv2dShape;
import dqnengine.backend.LossKind;
import dqnengine.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A backend that passes every call to another and times it: the per-op breakdown of
 * {@code bench --breakdown}. Each call is booked under the current phase (set by the workload:
 * "target fwd", "online fwd", "loss", "backward", "optimizer") and a label naming the op and its
 * shape, with the floating-point work (matrix products and convolutions) or the bytes moved
 * (element-wise ops, counted as each operand read or written once) it did.
 *
 * <p>Only meaningful for backends whose calls have finished when they return (the CPU backends,
 * and OpenClBackend, which waits for every launch and copy): a backend that queued its work would
 * have the time land on whichever call waits for it.
 * Timing allocates a label per call; this class is for measuring, never for training.
 */
public final class TimedBackend implements Backend {

    /** One row of the breakdown: every call booked under one phase and label. */
    public static final class Entry {
        public final String phase, op;
        public long calls, nanos;
        public double flops, bytes;

        Entry(String phase, String op) {
            this.phase = phase;
            this.op = op;
        }
    }

    private final Backend inner;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private String phase = "-";

    public TimedBackend(Backend inner) { this.inner = inner; }

    /** Books later calls under {@code phase}. */
    public void phase(String phase) { this.phase = phase; }

    /** Forgets everything booked so far (after a warm-up). */
    public void reset() { entries.clear(); }

    /** The rows in the order they were first seen. */
    public List<Entry> entries() { return new ArrayList<>(entries.values()); }

    private void book(String op, long t0, double flops, double bytes) {
        long dt = System.nanoTime() - t0;
        Entry e = entries.computeIfAbsent(phase + '\u0000' + op, k -> new Entry(phase, op));
        e.calls++;
        e.nanos += dt;
        e.flops += flops;
        e.bytes += bytes;
    }

    private static double b(Tensor... ts) {
        double n = 0;
        for (Tensor t : ts) if (t != null) n += 4.0 * t.size();
        return n;
    }

    private static String conv(Conv2dShape g) {
        return g.inChannels() + "->" + g.outChannels() + " k" + g.kernelH() + " s" + g.stride() + " on " + g.inHeight() + "x" + g.inWidth();
    }

    @Override
    public String name() { return inner.name(); }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        long t0 = System.nanoTime();
        inner.gemm(transA, transB, alpha, a, b, beta, c);
        int k = transA ? a.dim(0) : a.dim(1);
        book("gemm " + c.dim(0) + "x" + c.dim(1) + "x" + k + (transA ? " A'" : "") + (transB ? " B'" : ""), t0,
                2.0 * c.dim(0) * c.dim(1) * k, 0);
    }

    @Override
    public void addRowBias(Tensor y, Tensor bias) {
        long t0 = System.nanoTime();
        inner.addRowBias(y, bias);
        book("bias add [" + y.dim(0) + "," + y.dim(1) + "]", t0, 0, 2 * b(y) + b(bias));
    }

    @Override
    public void sumRowsInto(Tensor dy, Tensor db) {
        long t0 = System.nanoTime();
        inner.sumRowsInto(dy, db);
        book("bias grad [" + dy.dim(0) + "," + dy.dim(1) + "]", t0, 0, b(dy) + 2 * b(db));
    }

    @Override
    public boolean pixelMajorBetween(Conv2dShape producer, Conv2dShape consumer) {
        return inner.pixelMajorBetween(producer, consumer);
    }

    @Override
    public void conv2dForward(Conv2dShape g, Tensor x, Tensor w, Tensor bias, Tensor y) {
        long t0 = System.nanoTime();
        inner.conv2dForward(g, x, w, bias, y);
        book("conv " + conv(g) + " forward", t0, 2.0 * g.macs(), 0);
    }

    @Override
    public void conv2dForwardRelu(Conv2dShape g, Tensor x, Tensor w, Tensor bias, Tensor y) {
        long t0 = System.nanoTime();
        inner.conv2dForwardRelu(g, x, w, bias, y);
        book("conv " + conv(g) + " forward + relu", t0, 2.0 * g.macs(), 0);
    }

    @Override
    public void conv2dBackwardData(Conv2dShape g, Tensor dy, Tensor w, Tensor dx) {
        long t0 = System.nanoTime();
        inner.conv2dBackwardData(g, dy, w, dx);
        book("conv " + conv(g) + " input grad", t0, 2.0 * g.macs(), 0);
    }

    @Override
    public void conv2dBackwardDataRelu(Conv2dShape g, Tensor dy, Tensor w, Tensor reluOutput, Tensor dx) {
        long t0 = System.nanoTime();
        inner.conv2dBackwardDataRelu(g, dy, w, reluOutput, dx);
        book("conv " + conv(g) + " input grad + relu grad", t0, 2.0 * g.macs(), 0);
    }

    @Override
    public void conv2dBackwardWeights(Conv2dShape g, Tensor x, Tensor dy, Tensor dw, Tensor db) {
        long t0 = System.nanoTime();
        inner.conv2dBackwardWeights(g, x, dy, dw, db);
        book("conv " + conv(g) + " weight+bias grad", t0, 2.0 * g.macs(), 0);
    }

    @Override
    public void reluForward(Tensor x, Tensor y) {
        long t0 = System.nanoTime();
        inner.reluForward(x, y);
        book("relu " + x.size(), t0, 0, b(x, y));
    }

    @Override
    public void reluBackward(Tensor y, Tensor dy, Tensor dx) {
        long t0 = System.nanoTime();
        inner.reluBackward(y, dy, dx);
        book("relu grad " + y.size(), t0, 0, b(y, dy, dx));
    }

    @Override
    public float gatheredLoss(LossKind kind, float delta, Tensor q, int[] actions, Tensor target, Tensor dq) {
        long t0 = System.nanoTime();
        float loss = inner.gatheredLoss(kind, delta, q, actions, target, dq);
        book(kind.name().toLowerCase(Locale.ROOT) + " loss + dL/dQ", t0, 0, b(q, target, dq));
        return loss;
    }

    @Override
    public void rowMax(Tensor q, Tensor max, int[] argmax) {
        long t0 = System.nanoTime();
        inner.rowMax(q, max, argmax);
        book("row max", t0, 0, b(q, max));
    }

    @Override
    public void tdTarget(Tensor nextQ, int[] nextActions, float[] rewards, float[] discounts, Tensor target) {
        long t0 = System.nanoTime();
        inner.tdTarget(nextQ, nextActions, rewards, discounts, target);
        book("TD target", t0, 0, b(nextQ, target) + 8.0 * rewards.length);
    }

    @Override
    public void u8ToFloat(byte[] src, int offset, float scale, Tensor dst) {
        long t0 = System.nanoTime();
        inner.u8ToFloat(src, offset, scale, dst);
        book("u8 -> float " + dst.size(), t0, 0, dst.size() + b(dst));
    }

    @Override
    public double sumOfSquares(Tensor t) {
        long t0 = System.nanoTime();
        double s = inner.sumOfSquares(t);
        book("sum of squares", t0, 0, b(t));
        return s;
    }

    @Override
    public void scale(Tensor t, float s) {
        long t0 = System.nanoTime();
        inner.scale(t, s);
        book("scale", t0, 0, 2 * b(t));
    }

    @Override
    public void scaleRows(Tensor t, float[] w) {
        long t0 = System.nanoTime();
        inner.scaleRows(t, w);
        book("scale rows", t0, 0, 2 * b(t) + 4.0 * w.length);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        long t0 = System.nanoTime();
        inner.copy(src, dst);
        book("copy", t0, 0, b(src, dst));
    }

    @Override
    public void fill(Tensor t, float value) {
        long t0 = System.nanoTime();
        inner.fill(t, value);
        book("zero gradients", t0, 0, b(t));
    }

    @Override
    public void adamUpdate(Tensor p, Tensor g, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps, long step) {
        long t0 = System.nanoTime();
        inner.adamUpdate(p, g, m, v, lr, beta1, beta2, eps, step);
        book("adam update (all parameters)", t0, 0, b(p, g, m, v) + b(p, m, v));   // 4 read, 3 written
    }

    @Override
    public void rmsPropUpdate(Tensor p, Tensor g, Tensor squareAvg, Tensor gradAvg, Tensor momentumBuf,
                              float lr, float alpha, float eps, float momentum, boolean epsInsideSqrt) {
        long t0 = System.nanoTime();
        inner.rmsPropUpdate(p, g, squareAvg, gradAvg, momentumBuf, lr, alpha, eps, momentum, epsInsideSqrt);
        book("rmsprop update (all parameters)", t0, 0, b(p, g, squareAvg, gradAvg, momentumBuf) + b(p, squareAvg, gradAvg, momentumBuf));
    }

    @Override
    public void sgdUpdate(Tensor p, Tensor g, Tensor momentumBuf, float lr, float momentum) {
        long t0 = System.nanoTime();
        inner.sgdUpdate(p, g, momentumBuf, lr, momentum);
        book("sgd update (all parameters)", t0, 0, b(p, g, momentumBuf) + b(p, momentumBuf));
    }

    @Override
    public void toHost(Tensor t) { inner.toHost(t); }

    @Override
    public boolean hostResident() { return inner.hostResident(); }

    @Override
    public void hostWrote(Tensor t) { inner.hostWrote(t); }

    @Override
    public void close() { inner.close(); }
}
