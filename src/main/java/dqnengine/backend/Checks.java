package dqnengine.backend;

import dqnengine.backend.Conv2dShape;
import dqnengine.tensor.Tensor;

import java.util.Arrays;

/** Argument checks shared by the backends (reference, fast CPU, OpenCL): a wrong shape fails loudly, never silently. */
public final class Checks {
    private Checks() {}

    public static void shape(Tensor t, int[] expected, String what) {
        if (!t.hasShape(expected)) {
            throw new IllegalArgumentException(what + ": expected shape " + Arrays.toString(expected) + ", got " + t.shapeString());
        }
    }

    public static void length(Tensor t, int expected, String what) {
        if (t.size() != expected) {
            throw new IllegalArgumentException(what + ": expected " + expected + " elements, got " + t.shapeString());
        }
    }

    /** For a backend that keeps every activation channel-major: a shape that says otherwise is refused. */
    public static void channelMajor(Conv2dShape g, String backend) {
        if (g.pixelMajorIn() || g.pixelMajorOut()) {
            throw new IllegalArgumentException(backend + " takes channel-major activations only; got a convolution with pixel-major "
                    + (g.pixelMajorIn() && g.pixelMajorOut() ? "input and output" : g.pixelMajorIn() ? "input" : "output"));
        }
    }

    // Fixed arities rather than varargs, and dimension-by-dimension comparisons: these run on
    // every call of the hot path, which must not allocate.

    public static void sameShapes(String what, Tensor first, Tensor second) {
        Tensor.requireSameShape(first, second, what);
    }

    public static void sameShapes(String what, Tensor first, Tensor second, Tensor third) {
        Tensor.requireSameShape(first, second, what);
        Tensor.requireSameShape(first, third, what);
    }

    public static void sameShapes(String what, Tensor first, Tensor second, Tensor third, Tensor fourth) {
        sameShapes(what, first, second, third);
        Tensor.requireSameShape(first, fourth, what);
    }

    private static boolean is4d(Tensor t, int d0, int d1, int d2, int d3) {
        return t.rank() == 4 && t.dim(0) == d0 && t.dim(1) == d1 && t.dim(2) == d2 && t.dim(3) == d3;
    }

    public static void input(Conv2dShape g, Tensor x, String what) {
        if (!is4d(x, g.batch(), g.inChannels(), g.inHeight(), g.inWidth())) shape(x, g.inputShape(), what);
    }

    public static void weight(Conv2dShape g, Tensor w, String what) {
        if (!is4d(w, g.outChannels(), g.inChannels(), g.kernelH(), g.kernelW())) shape(w, g.weightShape(), what);
    }

    public static void output(Conv2dShape g, Tensor y, String what) {
        if (!is4d(y, g.batch(), g.outChannels(), g.outHeight(), g.outWidth())) shape(y, g.outputShape(), what);
    }

    public static void conv(Conv2dShape g, Tensor x, Tensor w, Tensor b, Tensor y) {
        input(g, x, "conv2d x");
        weight(g, w, "conv2d w");
        length(b, g.outChannels(), "conv2d b");
        output(g, y, "conv2d y");
    }

    public static void convBackwardData(Conv2dShape g, Tensor dy, Tensor w, Tensor dx) {
        input(g, dx, "conv2dBackwardData dx");
        output(g, dy, "conv2dBackwardData dy");
        weight(g, w, "conv2dBackwardData w");
    }

    public static void convBackwardWeights(Conv2dShape g, Tensor x, Tensor dy, Tensor dw, Tensor db) {
        input(g, x, "conv2dBackwardWeights x");
        output(g, dy, "conv2dBackwardWeights dy");
        weight(g, dw, "conv2dBackwardWeights dw");
        length(db, g.outChannels(), "conv2dBackwardWeights db");
    }

    public static void gemmShapes(boolean transA, boolean transB, Tensor a, Tensor b, Tensor c) {
        if (a.rank() != 2 || b.rank() != 2 || c.rank() != 2) {
            throw new IllegalArgumentException("gemm needs 2-D tensors, got " + a.shapeString() + " " + b.shapeString() + " " + c.shapeString());
        }
        int m = c.dim(0), n = c.dim(1);
        int am = transA ? a.dim(1) : a.dim(0), ak = transA ? a.dim(0) : a.dim(1);
        int bk = transB ? b.dim(1) : b.dim(0), bn = transB ? b.dim(0) : b.dim(1);
        if (am != m || bn != n || ak != bk) {
            throw new IllegalArgumentException("gemm shapes do not agree: op(A) " + am + "x" + ak + ", op(B) " + bk + "x" + bn + ", C " + m + "x" + n);
        }
    }

    public static void gathered(Tensor q, int[] actions, Tensor target, Tensor dq) {
        int n = q.dim(0), a = q.dim(1);
        if (q.rank() != 2) throw new IllegalArgumentException("Q-values must be [batch, actions], got " + q.shapeString());
        if (actions.length < n) throw new IllegalArgumentException("need " + n + " actions, got " + actions.length);
        length(target, n, "loss target");
        Tensor.requireSameShape(q, dq, "loss dq");
        for (int i = 0; i < n; i++) {
            if (actions[i] < 0 || actions[i] >= a) throw new IllegalArgumentException("action " + actions[i] + " out of range [0," + a + ")");
        }
    }

    public static void rowMax(Tensor q, Tensor max, int[] argmax) {
        length(max, q.dim(0), "rowMax max");
        if (argmax != null && argmax.length < q.dim(0)) throw new IllegalArgumentException("rowMax argmax too short");
    }

    public static void tdTarget(Tensor nextQ, int[] nextActions, float[] rewards, float[] discounts, Tensor target) {
        int n = nextQ.dim(0), a = nextQ.dim(1);
        length(target, n, "tdTarget target");
        if (rewards.length < n || discounts.length < n || (nextActions != null && nextActions.length < n)) {
            throw new IllegalArgumentException("tdTarget: rewards, discounts and nextActions need " + n + " entries");
        }
        if (nextActions != null) {
            for (int j = 0; j < n; j++) {
                if (nextActions[j] < 0 || nextActions[j] >= a) throw new IllegalArgumentException("action " + nextActions[j] + " out of range [0," + a + ")");
            }
        }
    }

    public static void scaleRows(Tensor t, float[] w) {
        if (t.rank() != 2 || w.length < t.dim(0)) throw new IllegalArgumentException("scaleRows: needs [N, K] and N weights, got " + t.shapeString() + " and " + w.length);
    }
}
