package dqnengine.cli;

import dqnengine.env.Environments;
import dqnengine.env.ale.AleGame;
import dqnengine.env.ale.AtariConfig;
import dqnengine.env.ale.RomFinder;
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
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code play --human}: play an Atari game yourself in a window, the keyboard preview of the
 * notebooks this project grew from. The raw emulator runs at 60 frames/s with the full action set,
 * shown in colour, scaled up, with score and lives.
 */
@Command(name = "play", mixinStandardHelpOptions = true,
        description = {"Play an Atari game yourself (--human): arrow keys move, space fires, Esc quits.",
                "Needs a display (a desktop session, or Xvfb)."})
final class PlayCommand implements Callable<Integer> {
    @Mixin
    EnvOptions envOptions;

    @Option(names = "--human", description = "Play yourself with the keyboard.")
    boolean human;

    @Option(names = "--scale", defaultValue = "3", paramLabel = "N", description = "Window scale of the 160x210 screen. Default: ${DEFAULT-VALUE}.")
    int scale;

    @Option(names = "--max-frames", defaultValue = "0", paramLabel = "N", description = "Quit after N emulator frames (0: when the window closes).")
    long maxFrames;

    @Option(names = "--screenshot", paramLabel = "PNG", description = "On exit, save the window's content to this PNG file.")
    Path screenshot;

    private volatile boolean up, down, left, right, fire, quit;

    @Override
    public Integer call() throws Exception {
        if (!human) {
            throw new IllegalArgumentException("play without --human runs a trained agent, which needs the training loop (not in this build); "
                    + "use 'play --human --env ale:GAME' to play yourself");
        }
        if (scale < 1 || scale > 8) throw new IllegalArgumentException("--scale must be between 1 and 8");
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
            throw new java.io.UncheckedIOException("cannot write screenshot " + png + ": " + e.getMessage(), e);
        }
    }
}
