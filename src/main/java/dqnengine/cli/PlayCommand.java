package dqnengine.cli;

import dqnengine.backend.Backend;
import dqnengine.backend.Backends;
import dqnengine.dqn.Evaluator;
import dqnengine.env.Environments;
import dqnengine.env.FrameRenderer;
import dqnengine.env.ale.AleGame;
import dqnengine.env.ale.AtariConfig;
import dqnengine.env.ale.RomFinder;
import dqnengine.io.GifWriter;
import dqnengine.util.BadInput;
import dqnengine.util.IoReasons;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.SwingUtilities;
import java.awt.BorderLayout;
import java.awt.Dimension;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.GraphicsEnvironment;
import java.awt.RenderingHints;
import java.awt.event.KeyAdapter;
import java.awt.event.KeyEvent;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code play --human}: play an Atari game yourself in a window, the keyboard preview of the
 * notebooks this project grew from. The raw emulator runs at 60 frames/s with the full action set,
 * shown in colour, scaled up, with score and lives.
 */
@Command(name = "play", mixinStandardHelpOptions = true,
        description = {"Watch a trained agent (as a GIF), or play Atari yourself.",
                "Agent: --run-dir or --checkpoint, recorded with --gif or --frames-dir.",
                "You: --human, arrow keys move, space fires, Esc quits; needs a display",
                "(a desktop session, or Xvfb)."})
final class PlayCommand implements Callable<Integer> {
    @Mixin
    EnvOptions envOptions;

    @Option(names = "--human", description = "Play yourself with the keyboard.")
    boolean human;

    @Option(names = "--scale", defaultValue = "3", paramLabel = "N", description = "Window scale of the 160x210 screen. Default: ${DEFAULT-VALUE}.")
    int scale;

    @Option(names = "--max-frames", defaultValue = "0", paramLabel = "N", description = "Quit after N emulator frames (0: when the window closes). Default: ${DEFAULT-VALUE}.")
    long maxFrames;

    @Option(names = "--screenshot", paramLabel = "PNG", description = "On exit, save the window's content to this PNG file.")
    Path screenshot;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "Watch the agent of this run (its best checkpoint, else its latest).")
    Path runDir;

    @Option(names = "--checkpoint", paramLabel = "DIR", description = "Watch the agent of this checkpoint directory.")
    Path checkpoint;

    @Option(names = "--gif", paramLabel = "FILE", description = "Record the agent's game to this animated GIF.")
    Path gif;

    @Option(names = "--frames-dir", paramLabel = "DIR", description = "Record the agent's game as numbered PNG frames in this directory.")
    Path framesDir;

    @Option(names = "--episodes", defaultValue = "1", paramLabel = "N", description = "Episodes to record. Default: ${DEFAULT-VALUE}.")
    int episodes;

    @Option(names = "--epsilon", defaultValue = "0.05", paramLabel = "X", description = "Exploration while watching. Default: ${DEFAULT-VALUE}.")
    double epsilon;

    @Option(names = "--max-steps", defaultValue = "2000", paramLabel = "N", description = "Cut each recorded episode after N steps. Default: ${DEFAULT-VALUE}.")
    long maxSteps;

    @Option(names = "--agent-view", description = {"Atari: record what the agent sees (84x84 grayscale, the newest frame of its stack)",
            "instead of the emulator's colour screen at full size (160x210). Default: the colour screen."})
    boolean agentView;

    @Option(names = "--fps", defaultValue = "15", paramLabel = "N", description = "GIF frames per second. Default: ${DEFAULT-VALUE}.")
    int fps;

    private volatile boolean up, down, left, right, fire, quit;

    /** Runs a trained agent and records what it sees to a GIF and/or PNG frames. */
    private Integer playAgent() throws Exception {
        if (runDir == null && checkpoint == null) {
            throw new BadInput("play needs --human (you play) or --run-dir/--checkpoint with --gif or --frames-dir (an agent plays)");
        }
        if (runDir != null && checkpoint != null) throw new BadInput("give --run-dir or --checkpoint, not both");
        if (gif == null && framesDir == null) throw new BadInput("say where to record the game: --gif FILE.gif or --frames-dir DIR");
        if (episodes < 1 || maxSteps < 1 || fps < 1 || fps > 100) throw new BadInput("--episodes and --max-steps must be positive, --fps 1..100");
        if (!(epsilon >= 0 && epsilon <= 1)) throw new BadInput("--epsilon must be in [0, 1]");
        long seed = envOptions.seed + 2_000_000_011L;
        try (Backend be = Backends.create("auto", Backends.defaultThreads());
             TrainedAgent agent = TrainedAgent.load(runDir != null ? runDir : checkpoint, runDir != null, envOptions, seed, be);
             GifWriter writer = gif == null ? null : openGif()) {
            // Atari: the emulator's own colour screen after each agent step, unless --agent-view
            FrameRenderer renderer = new FrameRenderer(agent.env(), !agentView);
            if (framesDir != null) Files.createDirectories(framesDir);
            long[] count = {0};
            IOException[] failure = {null};
            Evaluator.Summary s = Evaluator.run(agent.learner(), agent.env(), episodes, epsilon, seed, maxSteps, obs -> {
                if (failure[0] != null) return;
                try {
                    BufferedImage img = renderer.render(obs);
                    if (writer != null) writer.add(img);
                    if (framesDir != null) ImageIO.write(img, "png", framesDir.resolve(String.format("frame-%06d.png", count[0])).toFile());
                    count[0]++;
                } catch (IOException e) {
                    failure[0] = e;
                }
            });
            if (failure[0] != null) {
                if (writer != null) throw new IOException("cannot write the GIF to " + gif + ": " + IoReasons.of(failure[0]), failure[0]);
                throw failure[0];
            }
            if (writer != null) writer.finish();
            System.out.printf(Locale.ROOT, "recorded %,d frames of %d episode(s) from %s; return %.2f%s%n", count[0], episodes,
                    agent.checkpoint(), s.mean(), episodes > 1 ? String.format(Locale.ROOT, " +- %.2f", s.std()) : "");
        }
        if (gif != null) System.out.println("gif: " + gif);
        if (framesDir != null) System.out.println("frames: " + framesDir);
        return 0;
    }

    /** The GIF writer for --gif, or one line saying why that path cannot take a file. */
    private GifWriter openGif() {
        String cannot = "cannot write the GIF to " + gif + ": ";
        if (Files.isDirectory(gif)) throw new BadInput(cannot + "it is a directory");
        for (Path p = gif.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p)) break;
            if (Files.exists(p)) throw new BadInput(cannot + p + " is a file, not a directory");
        }
        try {
            return new GifWriter(gif, 1000 / fps);
        } catch (IOException e) {
            throw new BadInput(cannot + IoReasons.of(e));
        }
    }

    @Override
    public Integer call() throws Exception {
        if (!human) return playAgent();
        if (scale < 1 || scale > 8) throw new BadInput("--scale must be between 1 and 8");
        if (GraphicsEnvironment.isHeadless()) {
            String why = System.getenv("DISPLAY") == null ? "DISPLAY is not set" : "this Java runtime is headless";
            throw new IllegalStateException("play --human needs a display, and " + why + " (run it in a desktop session, or under Xvfb)");
        }
        String gameId = Environments.aleGame(envOptions.envOr("ale:pong"));
        RomFinder.FoundRom rom = envOptions.romFinder().find(gameId);
        AtariConfig cfg = envOptions.atariConfig();
        try (AleGame game = new AleGame(rom, envOptions.seed, cfg.stickyProbability(), true, cfg.mode(), cfg.difficulty())) {
            BufferedImage screen = new BufferedImage(AleGame.WIDTH, AleGame.HEIGHT, BufferedImage.TYPE_INT_RGB);
            int[] pixels = ((DataBufferInt) screen.getRaster().getDataBuffer()).getData();
            JFrame[] window = new JFrame[1];
            JLabel status = new JLabel(" ");
            JPanel view = new JPanel() {
                @Override
                protected void paintComponent(Graphics g) {
                    super.paintComponent(g);
                    Graphics2D g2 = (Graphics2D) g;
                    g2.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
                    synchronized (screen) {
                        g2.drawImage(screen, 0, 0, AleGame.WIDTH * scale, AleGame.HEIGHT * scale, null);
                    }
                }
            };
            view.setPreferredSize(new Dimension(AleGame.WIDTH * scale, AleGame.HEIGHT * scale));
            SwingUtilities.invokeAndWait(() -> window[0] = openWindow(gameId, view, status));

            byte[] rgb = new byte[AleGame.WIDTH * AleGame.HEIGHT * 3];
            long frame = 0, score = 0, nextFrameAt = System.nanoTime();
            while (!quit && (maxFrames == 0 || frame < maxFrames)) {
                score += game.actRaw(HumanControls.action(up, down, left, right, fire));
                frame++;
                game.screenRgb(rgb);
                synchronized (screen) {
                    for (int i = 0, p = 0; i < pixels.length; i++, p += 3) {
                        pixels[i] = (rgb[p] & 0xFF) << 16 | (rgb[p + 1] & 0xFF) << 8 | (rgb[p + 2] & 0xFF);
                    }
                }
                String text = String.format(" %s  score %d  lives %d  frame %d  (arrows, space, Esc)",
                        gameId, score, game.lives(), frame);
                if (game.gameOver()) {
                    text = "  GAME OVER: score " + score + " (a new game starts)";
                    game.resetGame();
                    score = 0;
                }
                String shown = text;
                SwingUtilities.invokeLater(() -> {
                    status.setText(shown);
                    view.repaint();
                });
                nextFrameAt += 1_000_000_000L / 60;                       // the Atari's 60 Hz
                long wait = nextFrameAt - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            if (screenshot != null) SwingUtilities.invokeAndWait(() -> save(window[0], screenshot));
            SwingUtilities.invokeAndWait(() -> window[0].dispose());
        }
        return 0;
    }

    private JFrame openWindow(String gameId, JPanel view, JLabel status) {
        JFrame f = new JFrame("dqn-engine: " + gameId);
        f.setDefaultCloseOperation(JFrame.DO_NOTHING_ON_CLOSE);
        f.addWindowListener(new WindowAdapter() {
            @Override
            public void windowClosing(WindowEvent e) { quit = true; }
        });
        f.addKeyListener(new KeyAdapter() {
            @Override
            public void keyPressed(KeyEvent e) { key(e.getKeyCode(), true); }

            @Override
            public void keyReleased(KeyEvent e) { key(e.getKeyCode(), false); }
        });
        f.getContentPane().add(view, BorderLayout.CENTER);
        f.getContentPane().add(status, BorderLayout.SOUTH);
        f.pack();
        f.setLocationByPlatform(true);
        f.setVisible(true);
        return f;
    }

    private void key(int code, boolean pressed) {
        switch (code) {
            case KeyEvent.VK_UP -> up = pressed;
            case KeyEvent.VK_DOWN -> down = pressed;
            case KeyEvent.VK_LEFT -> left = pressed;
            case KeyEvent.VK_RIGHT -> right = pressed;
            case KeyEvent.VK_SPACE -> fire = pressed;
            case KeyEvent.VK_ESCAPE -> quit = true;
            default -> { }
        }
    }

    private static void save(JFrame window, Path png) {
        var content = window.getContentPane();
        BufferedImage shot = new BufferedImage(content.getWidth(), content.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = shot.createGraphics();
        content.paint(g);
        g.dispose();
        try {
            ImageIO.write(shot, "png", png.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write screenshot " + png + ": " + e.getMessage(), e);
        }
    }
}
