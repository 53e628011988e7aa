package dqnengine.cluster;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import dqnengine.dqn.DqnConfig;

import java.util.Arrays;

/**
 * What a learner tells every actor that joins: the run's settings (config.json, so the actor
 * opens the same game with the same preprocessing and builds the same network), how many actors
 * the replay has room for, and who the learner is. An actor checks it before its first step and
 * again after every reconnection.
 *
 * @param protocol      {@link #PROTOCOL}: the chunk and weight formats both sides speak
 * @param engineVersion the learner's dqn-engine version (its jar manifest, or "development build")
 * @param incarnation   drawn at random when the learner starts: a new value means a restarted learner
 * @param config        the run's config.json
 * @param actors        the largest number of actors the replay has streams for (actor indices 0 … actors − 1)
 * @param observationShape the environment's observation shape, as the learner opened it
 * @param actions       the number of actions
 */
public record Manifest(int protocol, String engineVersion, long incarnation, String config, int actors, int[] observationShape, int actions) {
    /** The version of the chunk format ({@link ExperienceChunk}) and the weight messages. */
    public static final int PROTOCOL = 1;
    private static final Gson GSON = new Gson();

    public String toJson() { return GSON.toJson(this); }

    public static Manifest fromJson(String json) {
        try {
            Manifest m = GSON.fromJson(json, Manifest.class);
            if (m == null || m.config == null || m.observationShape == null) throw new IllegalArgumentException("the learner's run description is incomplete");
            return m;
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("the learner's run description is not valid JSON (" + e.getMessage() + ")");
        }
    }

    public DqnConfig dqnConfig() { return DqnConfig.fromJson(config, new DqnConfig(), "the learner's config"); }

    /** This build's version string, as the manifest carries it. */
    public static String thisVersion() {
        String v = Manifest.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    /**
     * Why an actor of this build, asked to play {@code env} (null: whatever the learner plays),
     * cannot serve this learner; null when it can.
     */
    public String incompatibility(String env) {
        if (protocol != PROTOCOL) return "the learner speaks cluster protocol " + protocol + ", this actor " + PROTOCOL + ": use the same dqn-engine version on both";
        if (!engineVersion.equals(thisVersion())) {
            return "the learner runs dqn-engine " + engineVersion + ", this actor " + thisVersion() + ": use the same version on both";
        }
        String learnerEnv = dqnConfig().env;
        if (env != null && !env.equals(learnerEnv)) return "the learner trains on " + learnerEnv + ", not " + env;
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Manifest m && protocol == m.protocol && engineVersion.equals(m.engineVersion) && incarnation == m.incarnation
                && config.equals(m.config) && actors == m.actors && Arrays.equals(observationShape, m.observationShape) && actions == m.actions;
    }

    @Override
    public int hashCode() { return Long.hashCode(incarnation) * 31 + config.hashCode(); }

    @Override
    public String toString() { return toJson(); }
}
