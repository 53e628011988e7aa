package dqnengine.dqn;

import java.nio.file.Path;

/**
 * What a program that uses the engine as a library hears of a {@link Trainer}'s run while it
 * runs, and its one way to end the run early.
 *
 * <p>The data flows one way: the trainer calls its listeners ({@link Trainer#addListener}) on its
 * own thread, between steps, with a record of what just happened; a listener reads that record
 * and answers {@link Decision#CONTINUE} or {@link Decision#STOP}. It gets no handle on the
 * trainer, its networks or its environments, so listening cannot change what is trained: a run
 * with listeners that always continue trains exactly as one without. Time spent in a listener
 * counts as training time in the steps/s figures, so a listener should be quick.
 *
 * <p><b>Stopping.</b> {@link Decision#STOP} ends the run as a SIGTERM on the command line does:
 * the step in progress finishes (its update and its records), then the trainer saves the
 * {@code latest} checkpoint, redraws the plots and {@link Trainer#run} returns a result whose
 * {@code interrupted()} is true. The run can be continued later with {@code Trainer.run(checkpoint)}.
 * When several listeners are registered, each hears every event; one STOP is enough.
 *
 * <p>An exception thrown by a listener ends the run as any other failure does: it leaves
 * {@link Trainer#run} without a final checkpoint.
 *
 * <p>Every method has a default that continues, so a listener overrides only what it needs:
 * <pre>{@code
 * trainer.addListener(new TrainingListener() {
 *     @Override
 *     public Decision onEpisodeEnd(EpisodeEnd e) {
 *         return e.meanReturn100() >= 9 ? Decision.STOP : Decision.CONTINUE;
 *     }
 * });
 * }</pre>
 */
public interface TrainingListener {

    /** A listener's answer to an event. */
    enum Decision {
        /** Carry on training. */
        CONTINUE,
        /** Finish the current step, save a checkpoint and return from {@link Trainer#run}. */
        STOP
    }

    /**
     * A training episode has ended (the game is over, or the episode was cut off by a time limit;
     * with Atari's life-loss terminals a lost life is not an episode's end). The same values as
     * the row of {@code episodes.csv} it is written to.
     *
     * @param episode       episodes finished so far in the run, this one included (1 for the first)
     * @param step          the run's step count when it ended (all environments together)
     * @param env           which of the run's {@code numEnvs} environments played it (from 0)
     * @param episodeReturn its return: the game's own scores summed, unclipped
     * @param length        its length in steps
     * @param epsilon       the exploration rate it was last acted with
     * @param meanReturn100 the mean return of the last 100 episodes (fewer at the start), this one
     *                      included: what the progress line and {@code stopAtReturn} read
     */
    record EpisodeEnd(long episode, long step, int env, double episodeReturn, long length, double epsilon, double meanReturn100) {}

    /**
     * An evaluation during training has ended ({@link DqnConfig#evalEvery} &gt; 0): {@code
     * evalEpisodes} episodes at {@code evalEpsilon} on an environment of its own, as a row of
     * {@code eval.csv}.
     *
     * @param step    the run's step count at which it was taken
     * @param summary the evaluation episodes' returns, their mean, standard deviation and extremes
     * @param epsilon the exploration rate it played at
     */
    record Evaluation(long step, Evaluator.Summary summary, double epsilon) {}

    /**
     * A checkpoint has been saved, whole, and its pointer moved to it.
     *
     * @param step      the step count it holds
     * @param kind      {@code "latest"} (every {@code checkpointEvery} steps and when the run ends)
     *                  or {@code "best"} (a new best evaluation score or, without evaluation, a new
     *                  best mean of the last 100 training returns)
     * @param directory the checkpoint's directory, {@code RUN_DIR/checkpoints/[best-]step-N}:
     *                  what {@link Agent#load} and {@link Trainer#run} accept
     */
    record CheckpointSaved(long step, String kind, Path directory) {}

    /**
     * Called when a training episode ends.
     *
     * @param episode what ended
     * @return whether to carry on
     */
    default Decision onEpisodeEnd(EpisodeEnd episode) { return Decision.CONTINUE; }

    /**
     * Called when an evaluation during training ends, before any {@code best} checkpoint it earns
     * is saved.
     *
     * @param evaluation its result
     * @return whether to carry on
     */
    default Decision onEvaluation(Evaluation evaluation) { return Decision.CONTINUE; }

    /**
     * Called when a checkpoint has been saved. The last one, saved as the run ends, is announced
     * too; what a listener answers to it changes nothing.
     *
     * @param checkpoint what was saved, and where
     * @return whether to carry on
     */
    default Decision onCheckpoint(CheckpointSaved checkpoint) { return Decision.CONTINUE; }
}
