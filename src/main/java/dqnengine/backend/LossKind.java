package dqnengine.backend;

/** The per-sample loss a backend applies to gathered Q-values (see {@link Backend#gatheredLoss}). */
public enum LossKind {
    /** ℓ(e) = ½e² if |e| ≤ δ, else δ(|e| − ½δ). */
    HUBER,
    /** ℓ(e) = e². */
    MSE
}
