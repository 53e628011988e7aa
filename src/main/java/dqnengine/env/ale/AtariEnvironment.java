package dqnengine.env.ale;

import dqnengine.env.Environment;
import dqnengine.env.Step;

import java.util.List;
import java.util.Random;

/**
 * An Atari game through the standard DQN preprocessing stack ({@link AtariConfig} cites each
 * choice). One agent step:
 * <pre>
 *   repeat the action for frameSkip emulator frames, summing the game's reward
 *   frame  = max(grayscale screen of the last two frames)          210×160, against flicker
 *   frame  = area-resize(frame)                                     84×84 ({@link AreaResize})
 *            (both lines are done by {@link ScreenDownscaler}, from ALE's palette indices,
 *             recomputing only the pixels that changed since the previous step)
 *   obs    = the last `stack` frames, oldest first                  [4, 84, 84] uint8
 *   reward = sign(sum)          terminated = game over, or a life lost (if lifeLossTerminal)
 *   truncated = the episode reached maxEpisodeFrames emulator frames
 * </pre>
 * After a life lost with {@code lifeLossTerminal}, {@link #reset()} continues the same game (no
 * emulator reset, no no-ops), so the score reported per game stays the game's real score.
 *
 * <p>Observations are bytes from the screen to the replay buffer: no float copy per frame. The
 * newest 84×84 frame alone is {@link #latestFrame()}, for a replay buffer of single frames.
 */
public final class AtariEnvironment implements Environment {
    private final String id;
    private final AleGame game;
    private final AtariConfig cfg;
    private final Random noopRng;
    private final ScreenDownscaler downscaler;
    private final int fireAction, frameSize;
    private final byte[] screenBeforeLast = new byte[AleGame.HEIGHT * AleGame.WIDTH];
    private final byte[] screenLast = new byte[AleGame.HEIGHT * AleGame.WIDTH];
    private final byte[][] frames;                  // ring of the last `stack` resized frames
    private int newest;
    private final byte[] observation;
    private int episodeFrames, lives;
    private boolean needsGameReset = true;

    public AtariEnvironment(RomFinder.FoundRom rom, AtariConfig cfg, long seed) {
        this.id = "ale:" + rom.game().id();
        this.cfg = cfg;
        this.game = new AleGame(rom, seed, cfg.stickyProbability(), cfg.fullActionSet(),
                cfg.mode(), cfg.difficulty());
        this.noopRng = new Random(seed);
        this.downscaler = new ScreenDownscaler(new AreaResize(AleGame.HEIGHT, AleGame.WIDTH, cfg.size(), cfg.size()),
                game.grayscalePalette());
        this.frameSize = cfg.size() * cfg.size();
        this.frames = new byte[cfg.stack()][frameSize];
        this.observation = new byte[cfg.stack() * frameSize];
        this.fireAction = game.actionMeanings().indexOf("FIRE");
    }

    @Override
    public String id() { return id; }

    @Override
    public int[] observationShape() { return new int[] {cfg.stack(), cfg.size(), cfg.size()}; }

    @Override
    public int frameStack() { return cfg.stack(); }

    @Override
    public int actionCount() { return game.actions().length; }

    @Override
    public List<String> actionMeanings() { return game.actionMeanings(); }

    public AtariConfig config() { return cfg; }

    /** The emulator underneath (for rendering the full-colour screen). */
    public AleGame game() { return game; }

    /** The newest preprocessed frame alone, [size, size] (owned by the environment). */
    public byte[] latestFrame() { return frames[newest]; }

    @Override
    public Step reset() {
        if (needsGameReset) {
            game.resetGame();
            episodeFrames = 0;
            int noops = cfg.noopMax() > 0 ? 1 + noopRng.nextInt(cfg.noopMax()) : 0;   // uniform in [1, noopMax]
            for (int i = 0; i < noops; i++) {
                game.actRaw(0);
                episodeFrames++;
                if (game.gameOver()) game.resetGame();
            }
            needsGameReset = false;
        }
        lives = game.lives();
        game.screenIndices(screenLast);                               // the stack starts as copies of this frame
        System.arraycopy(downscaler.downscale(screenLast, screenLast), 0, frames[newest], 0, frameSize);
        for (int k = 0; k < cfg.stack(); k++) if (k != newest) System.arraycopy(frames[newest], 0, frames[k], 0, frameSize);
        assembleObservation();
        if (cfg.fireOnReset() && fireAction >= 0) {
            Step afterFire = step(fireAction);
            if (afterFire.done()) return reset();                     // lost on FIRE: start again
            return new Step(observation, 0f, afterFire.score(), false, false, false, lives);
        }
        return new Step(observation, 0f, 0f, false, false, false, lives);
    }

    @Override
    public Step step(int action) {
        if (action < 0 || action >= actionCount()) {
            throw new IllegalArgumentException("action " + action + " out of range [0, " + actionCount() + ") for " + id);
        }
        if (needsGameReset) throw new IllegalStateException("call reset() before step() (the episode is over)");
        int score = 0;
        boolean pooled = false;
        for (int f = 0; f < cfg.frameSkip(); f++) {
            score += game.act(action);
            episodeFrames++;
            boolean over = game.gameOver();
            if (f == cfg.frameSkip() - 2 && cfg.maxPoolLastTwo() && !over) {
                game.screenIndices(screenBeforeLast);
                pooled = true;
            }
            if (over) break;
        }
        game.screenIndices(screenLast);
        newest = (newest + 1) % cfg.stack();                          // max over the last two frames, resized
        byte[] frame = downscaler.downscale(pooled ? screenBeforeLast : screenLast, screenLast);
        System.arraycopy(frame, 0, frames[newest], 0, frameSize);
        assembleObservation();

        boolean gameOver = game.gameOver();
        int livesNow = game.lives();
        boolean lifeLost = livesNow < lives;
        lives = livesNow;
        boolean truncated = !gameOver && episodeFrames >= cfg.maxEpisodeFrames();
        boolean terminated = gameOver || (cfg.lifeLossTerminal() && lifeLost);
        needsGameReset = gameOver || truncated;                       // a life lost alone continues the game
        float reward = cfg.clipRewards() ? Math.signum((float) score) : score;
        return new Step(observation, reward, score, terminated, truncated, gameOver, lives);
    }

    private void assembleObservation() {
        for (int k = 0; k < cfg.stack(); k++) {                      // oldest first
            int slot = (newest + 1 + k) % cfg.stack();
            System.arraycopy(frames[slot], 0, observation, k * frameSize, frameSize);
        }
    }

    @Override
    public void close() { game.close(); }
}
