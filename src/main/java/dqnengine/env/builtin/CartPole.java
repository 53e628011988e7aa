package dqnengine.env.builtin;

import dqnengine.env.Environment;
import dqnengine.env.ObservationEncoding;
import dqnengine.env.SavedState;
import dqnengine.env.Step;
import dqnengine.util.StatefulRandom;

import java.util.List;

/**
 * Cart-pole balancing (Barto, Sutton &amp; Anderson 1983) with the constants and rules of Gym's
 * {@code CartPole-v1}.
 *
 * <p>A pole is hinged on a cart that moves along a frictionless track. Each step pushes the cart
 * left (action 0) or right (action 1) with a force of 10 N for 0.02 s. The state is
 * (x, ẋ, θ, θ̇); the dynamics are integrated with explicit Euler:
 * <pre>
 *   temp = (F + m_p·l·θ̇²·sin θ) / (m_c + m_p)
 *   θ̈    = (g·sin θ − cos θ·temp) / (l·(4/3 − m_p·cos²θ / (m_c + m_p)))
 *   ẍ    = temp − m_p·l·θ̈·cos θ / (m_c + m_p)
 * </pre>
 * with g = 9.8, m_c = 1.0, m_p = 0.1, l = 0.5 (half the pole's length). Every step earns +1,
 * the failing one included. The episode terminates when |x| &gt; 2.4 or |θ| &gt; 12°, and is
 * truncated (not terminal) after 500 steps. A reset draws all four state values uniformly from
 * [−0.05, 0.05].
 *
 * <p>Observation: the four state values as float32, shape [4].
 */
public final class CartPole implements Environment {
    public static final int MAX_STEPS = 500;
    private static final double GRAVITY = 9.8, CART_MASS = 1.0, POLE_MASS = 0.1, TOTAL_MASS = CART_MASS + POLE_MASS;
    private static final double HALF_LENGTH = 0.5, POLE_MOMENT = POLE_MASS * HALF_LENGTH, FORCE = 10.0, TAU = 0.02;
    private static final double THETA_LIMIT = 12 * 2 * Math.PI / 360, X_LIMIT = 2.4;

    private final StatefulRandom rng;
    private final byte[] observation = new byte[16];
    private double x, xDot, theta, thetaDot;
    private int steps;
    private boolean over = true;

    public CartPole(long seed) { this.rng = new StatefulRandom(seed); }

    @Override public String id() { return "cartpole"; }
    @Override public int[] observationShape() { return new int[] {4}; }
    @Override public ObservationEncoding encoding() { return ObservationEncoding.FLOAT32; }
    @Override public int actionCount() { return 2; }
    @Override public List<String> actionMeanings() { return List.of("LEFT", "RIGHT"); }

    /** The state (x, ẋ, θ, θ̇), for tests and for drawing. */
    public double[] state() { return new double[] {x, xDot, theta, thetaDot}; }

    /** Sets the state directly (tests drive the physics from known points). */
    public void setState(double x, double xDot, double theta, double thetaDot) {
        this.x = x; this.xDot = xDot; this.theta = theta; this.thetaDot = thetaDot;
        this.steps = 0;
        this.over = false;
    }

    @Override
    public Step reset() {
        setState(uniform(), uniform(), uniform(), uniform());
        return new Step(encode(), 0f, 0f, false, false, false, 0);
    }

    private double uniform() { return (rng.nextDouble() - 0.5) * 0.1; }

    @Override
    public Step step(int action) {
        if (action < 0 || action > 1) throw new IllegalArgumentException("CartPole action must be 0 or 1, got " + action);
        if (over) throw new IllegalStateException("the episode is over: call reset()");
        double force = action == 1 ? FORCE : -FORCE;
        double cos = Math.cos(theta), sin = Math.sin(theta);
        double temp = (force + POLE_MOMENT * thetaDot * thetaDot * sin) / TOTAL_MASS;
        double thetaAcc = (GRAVITY * sin - cos * temp) / (HALF_LENGTH * (4.0 / 3.0 - POLE_MASS * cos * cos / TOTAL_MASS));
        double xAcc = temp - POLE_MOMENT * thetaAcc * cos / TOTAL_MASS;
        x += TAU * xDot;
        xDot += TAU * xAcc;
        theta += TAU * thetaDot;
        thetaDot += TAU * thetaAcc;
        steps++;
        boolean terminated = x < -X_LIMIT || x > X_LIMIT || theta < -THETA_LIMIT || theta > THETA_LIMIT;
        boolean truncated = !terminated && steps >= MAX_STEPS;
        over = terminated || truncated;
        return new Step(encode(), 1f, 1f, terminated, truncated, terminated, 0);
    }

    @Override
    public byte[] saveState() {
        return new SavedState.Writer(id()).putDouble(x).putDouble(xDot).putDouble(theta).putDouble(thetaDot)
                .putInt(steps).putBoolean(over).putLong(rng.state()).bytes();
    }

    @Override
    public void restoreState(byte[] state) {
        SavedState.Reader in = new SavedState.Reader(state, id());
        double x = in.getDouble(), xDot = in.getDouble(), theta = in.getDouble(), thetaDot = in.getDouble();
        int steps = in.getInt();
        boolean over = in.getBoolean();
        long random = in.getLong();
        in.finish();
        this.x = x; this.xDot = xDot; this.theta = theta; this.thetaDot = thetaDot;
        this.steps = steps;
        this.over = over;
        rng.setState(random);
    }

    private byte[] encode() {
        ObservationEncoding.putFloat(observation, 0, (float) x);
        ObservationEncoding.putFloat(observation, 4, (float) xDot);
        ObservationEncoding.putFloat(observation, 8, (float) theta);
        ObservationEncoding.putFloat(observation, 12, (float) thetaDot);
        return observation;
    }

    @Override public void close() {}
}
