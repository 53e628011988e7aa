package dqnengine.dqn;

import java.util.ArrayDeque;

/**
 * The returns of the last {@value #SIZE} finished training episodes: the score the logs report
 * (mean_return_100), the best-checkpoint rule and the stop bound read, and a checkpoint carries.
 */
public final class RecentReturns {
    static final int SIZE = 100;
    private final ArrayDeque<Double> window = new ArrayDeque<>();

    /** A finished episode's return; the oldest drops out once there are more than {@value #SIZE}. */
    public void add(double ret) {
        window.addLast(ret);
        if (window.size() > SIZE) window.removeFirst();
    }

    /** Puts back the returns a checkpoint saved, oldest first. */
    public void restore(double[] returns) {
        for (double r : returns) window.addLast(r);
    }

    public int size() { return window.size(); }

    public boolean isEmpty() { return window.isEmpty(); }

    public boolean isFull() { return window.size() >= SIZE; }

    /** Their mean, oldest first; NaN before the first episode ends. */
    public double mean() {
        if (window.isEmpty()) return Double.NaN;
        double s = 0;
        for (double r : window) s += r;
        return s / window.size();
    }

    public double[] toArray() { return window.stream().mapToDouble(Double::doubleValue).toArray(); }
}
