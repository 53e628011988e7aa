package dqnengine.optim;

import dqnengine.backend.Backend;
import dqnengine.nn.Sequential;
import dqnengine.tensor.Tensor;

import java.util.function.Consumer;

/**
 * A training step's backward pass and optimizer update, with the update of the head's parameters
 * run beside the backward pass through the convolutions. The head is the layers after the last
 * convolution ({@link Sequential#headStart}): the Nature network's two linear layers, 98% of its
 * 1.69 M parameters. Its gradients are final as soon as the backward pass has gone through it, and
 * its update (Adam's: 47 MB read and written for those parameters) is bound by memory, while the
 * convolutions' backward passes below it are bound by arithmetic. So:
 *
 * <pre>
 *   1. backward through the head, layers [h, n): their gradients are written
 *   2. at once (Backend.runBeside):
 *        the optimizer's update of the head's parameters     | the backward pass through layers [0, h)
 *   3. the optimizer's update of the other parameters
 * </pre>
 *
 * The ops are the ones of {@code net.backwardFresh} then {@code optimizer.step}, on the same
 * values, so the result is the same bit for bit: the head's update reads and writes only the head's
 * parameters, gradients and optimizer state, which the backward pass through the layers below
 * never touches (it starts from the gradient with respect to the head's input, made in step 1).
 *
 * <p>Not for a step that clips the gradient's global norm: clipping needs every gradient first.
 * A network without a convolution, or an optimizer over other parameters than the network's, is
 * stepped as before: the whole backward pass, then the whole update.
 */
public final class UpdateBesideBackward {
    private final Sequential net;
    private final Optimizer optimizer;
    private final int head;              // the first layer of the head, 0 when the step is not split
    private final int headParameter;     // the index in net.parameters() of the head's first parameter
    private Tensor headInputGrad;        // ∂L/∂(the head's input), between steps 1 and 2
    private Consumer<String> phase;
    private final Backend.Work updateHead = this::updateHead, trunkBackward = this::trunkBackward;

    public UpdateBesideBackward(Sequential net, Optimizer optimizer) {
        this.net = net;
        this.optimizer = optimizer;
        int h = net.headStart();
        boolean split = h > 0 && optimizer.parameters().equals(net.parameters());
        this.head = split ? h : 0;
        this.headParameter = split ? net.firstParameterOf(h) : 0;
    }

    /** Whether the step is split (a convolution below the head, the optimizer over the network's parameters). */
    public boolean split() { return head > 0; }

    /** The backward pass from {@code dy} (∂L/∂ the network's output), gradients written, not added to; then one optimizer step. */
    public void run(Backend be, Tensor dy) {
        run(be, dy, p -> {});
    }

    /**
     * {@link #run(Backend, Tensor)}, naming each part's phase ("backward", "optimizer") to {@code phase}
     * before it starts, as the per-op breakdown books them (from two threads at once where the backend
     * runs step 2's two parts at once; the breakdown's backend runs them one after the other).
     */
    public void run(Backend be, Tensor dy, Consumer<String> phase) {
        if (head == 0) {
            phase.accept("backward");
            net.backwardFresh(be, dy, false);
            phase.accept("optimizer");
            optimizer.step(be);
            return;
        }
        phase.accept("backward");
        headInputGrad = net.backwardFresh(be, dy, head, net.layers().size(), false);
        optimizer.beginStep();
        this.phase = phase;
        try {
            be.runBeside(updateHead, trunkBackward);
        } finally {
            headInputGrad = null;
            this.phase = null;
        }
        phase.accept("optimizer");
        optimizer.updateRange(be, 0, headParameter);
    }

    private void updateHead(Backend b) {
        phase.accept("optimizer");
        optimizer.updateRange(b, headParameter, optimizer.parameters().size());
    }

    private void trunkBackward(Backend b) {
        phase.accept("backward");
        net.backwardFresh(b, headInputGrad, 0, head, false);
    }
}
