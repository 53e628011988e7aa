package dqnengine.env.ale;

import dqnengine.util.AtomicFiles;
import org.bytedeco.ale.ALEInterface;
import org.bytedeco.javacpp.IntPointer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One Atari emulator (ALE 0.6.1 through JavaCPP), raw frames, no preprocessing.
 *
 * <p>The ROM is copied into a private temporary directory under its canonical name before ALE
 * loads it (ALE picks the game from the file name; see {@link KnownRoms}), and the copy is
 * deleted on {@link #close()}, which also frees the native emulator.
 */
public final class AleGame implements AutoCloseable {
    /** ALE's 18 actions, in its enum order. */
    public static final List<String> ACTION_NAMES = List.of("NOOP", "FIRE", "UP", "RIGHT", "LEFT", "DOWN", "UPRIGHT", "UPLEFT",
            "DOWNRIGHT", "DOWNLEFT", "UPFIRE", "RIGHTFIRE", "LEFTFIRE", "DOWNFIRE", "UPRIGHTFIRE", "UPLEFTFIRE",
            "DOWNRIGHTFIRE", "DOWNLEFTFIRE");
    public static final int HEIGHT = 210, WIDTH = 160;

    private final KnownRoms.Game game;
    private final Path tempDir;
    private ALEInterface ale;
    private final int[] actions;

    /**
     * @param seed              seeds the emulator (ALE takes a non-negative int; the long is folded into one)
     * @param stickyProbability ALE's {@code repeat_action_probability}: chance that the previous
     *                          action repeats on each frame (Machado et al. 2018 use 0.25; ALE's
     *                          own default is 0.25, so it is always set explicitly here)
     * @param fullActionSet     all 18 actions rather than the game's minimal set
     * @param mode              game mode, or -1 for the default
     * @param difficulty        difficulty, or -1 for the default
     */
    /** Games whose ROM check was already explained in this process (once per game). */
    private static final Set<String> EXPLAINED = ConcurrentHashMap.newKeySet();

    public AleGame(RomFinder.FoundRom rom, long seed, float stickyProbability, boolean fullActionSet, int mode, int difficulty) {
        if (stickyProbability < 0f || stickyProbability > 1f) {
            throw new IllegalArgumentException("sticky action probability must be in [0, 1], got " + stickyProbability);
        }
        this.game = rom.game();
        Path staged;
        try {
            tempDir = Files.createTempDirectory("dqn-engine-rom-");
            staged = tempDir.resolve(game.canonicalFileName());
            Files.copy(rom.path(), staged, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage ROM " + rom.path() + ": " + e.getMessage(), e);
        }
        // Prove the bytes ALE will load, not the original (which could have changed since it was found).
        String md5;
        try {
            md5 = RomFinder.md5(staged);
        } catch (IOException e) {
            deleteTempDir();
            throw new UncheckedIOException("cannot read staged ROM " + staged + ": " + e.getMessage(), e);
        }
        if (!md5.equals(game.md5())) {
            deleteTempDir();
            throw new RomException("ROM file " + rom.path() + " changed since it was identified: MD5 is now " + md5 + ", "
                    + game.id() + " has " + game.md5());
        }
        if (EXPLAINED.add(game.id())) {
            // ALE 0.6.1 checks the file against a checksum table of its own, which knows other dumps of
            // several games, and then warns "Possibly unsupported ROM: mismatched MD5" on stderr.
            System.err.println("dqn-engine: " + game.id() + " ROM verified (MD5 " + md5 + "); if ALE says 'Possibly unsupported ROM: "
                    + "mismatched MD5' below, its own older checksum table knows another dump of this game: the warning can be ignored");
        }
        ale = new ALEInterface();
        ale.setInt("random_seed", (int) (seed ^ (seed >>> 32)) & 0x7fffffff);
        ale.setFloat("repeat_action_probability", stickyProbability);
        ale.loadROM(staged.toString());
        if (mode >= 0) {
            requireAvailable("mode", mode, ale.getAvailableModes());
            ale.setMode(mode);
        }
        if (difficulty >= 0) {
            requireAvailable("difficulty", difficulty, ale.getAvailableDifficulties());
            ale.setDifficulty(difficulty);
        }
        actions = toArray(fullActionSet ? ale.getLegalActionSet() : ale.getMinimalActionSet());
    }

    private void requireAvailable(String what, int value, IntPointer available) {
        int[] options = toArray(available);
        for (int o : options) if (o == value) return;
        close();
        throw new IllegalArgumentException(game.id() + " has no " + what + " " + value + "; available: " + Arrays.toString(options));
    }

    private static int[] toArray(IntPointer p) {
        int[] a = new int[(int) p.limit()];
        p.get(a);
        return a;
    }

    public KnownRoms.Game game() { return game; }

    /** The ALE action ids this game uses, indexed by our action number. */
    public int[] actions() { return actions.clone(); }

    public List<String> actionMeanings() {
        List<String> names = new ArrayList<>();
        for (int a : actions) names.add(ACTION_NAMES.get(a));
        return names;
    }

    /** Emulates one frame with our action number {@code a}; returns the game's reward. */
    public int act(int a) { return ale().act(actions[a]); }

    /** Emulates one frame with an ALE action id (0-17), whether or not it is in the action set. */
    public int actRaw(int aleAction) { return ale().act(aleAction); }

    public boolean gameOver() { return ale().game_over(); }

    public void resetGame() { ale().reset_game(); }

    public int lives() { return ale().lives(); }

    /** Copies the 210×160 grayscale screen into {@code dst} (ALE converts every pixel; see {@link #screenIndices}). */
    public void screenGrayscale(byte[] dst) { ale().getScreenGrayscale(dst); }

    /**
     * Copies the 210×160 screen as ALE keeps it, one palette index per pixel, into {@code dst}: a
     * plain copy of native memory (about 1 µs), where {@link #screenGrayscale} converts each pixel
     * through ALE's palette and copies twice (about 27 µs). {@code grayscalePalette()[index]} is
     * then the pixel's grayscale value.
     */
    public void screenIndices(byte[] dst) {
        if (dst.length != HEIGHT * WIDTH) throw new IllegalArgumentException("screen buffer must hold " + HEIGHT * WIDTH + " bytes, got " + dst.length);
        ale().getScreen().getArray().get(dst);
    }

    /**
     * ALE's own grayscale value of each of the 256 palette indices: the table {@link #screenGrayscale}
     * applies. The screen holds the 128 NTSC colours at even indices (the low bit carries no colour);
     * ALE reads grayscale from its table at index + 1 and asserts, aborting the JVM, when asked for an
     * even or out-of-range entry directly. So the table is filled through ALE's bulk conversion of
     * the 128 even indices, and an odd index gets its even neighbour's value.
     */
    public int[] grayscalePalette() {
        byte[] evenIndices = new byte[128], grayOfEven = new byte[128];
        for (int j = 0; j < 128; j++) evenIndices[j] = (byte) (2 * j);
        ale().theOSystem().colourPalette().applyPaletteGrayscale(grayOfEven, evenIndices, 128);
        int[] gray = new int[256];
        for (int i = 0; i < 256; i++) gray[i] = grayOfEven[i >> 1] & 0xFF;
        return gray;
    }

    /** Copies the 210×160×3 RGB screen into {@code dst}. */
    public void screenRgb(byte[] dst) { ale().getScreenRGB(dst); }

    private ALEInterface ale() {
        if (ale == null) throw new IllegalStateException("the emulator was closed");
        return ale;
    }

    @Override
    public void close() {
        if (ale != null) {
            ale.close();                                             // frees the native emulator
            ale = null;
        }
        deleteTempDir();
    }

    private void deleteTempDir() {
        try {
            AtomicFiles.deleteTree(tempDir);
        } catch (IOException ignored) {
            // a leftover temp file is harmless
        }
    }
}
