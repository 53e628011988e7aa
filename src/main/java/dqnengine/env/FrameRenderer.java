package dqnengine.env;


import dqnengine.env.ale.AleGame;
import dqnengine.env.ale.AtariEnvironment;
import dqnengine.env.builtin.FrozenLake;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Draws an observation as a picture, for GIFs of an agent playing. It works from the observation
 * alone, as the agent sees the game: Atari's newest 84x84 grey frame scaled up, MinAtar's channels
 * as coloured cells, CartPole's state as a cart and pole, FrozenLake's one-hot cell on its map.
 */
public final class FrameRenderer {
    private static final Color[] PALETTE = {
            new Color(230, 200, 60), new Color(220, 70, 60), new Color(120, 120, 140), new Color(70, 160, 230),
            new Color(90, 200, 110), new Color(200, 110, 220), new Color(240, 140, 50), new Color(60, 200, 200),
            new Color(160, 220, 90), new Color(250, 250, 250)};

    private final String id;
    private final int[] shape;
    private final ObservationEncoding encoding;
    private final int stack;
    private final AleGame colourScreen;    // Atari with the colour screen asked for, else null
    private final byte[] rgb;

    /** Draws the observation, as the agent sees it. */
    public FrameRenderer(Environment env) {
        this(env, false);
    }

    /**
     * With {@code colourScreen}, an Atari game is shown as the emulator's own colour screen at full
     * size (160x210, read after each agent step, so its last frame of four) instead of the agent's
     * 84x84 input; other games are drawn from the observation either way.
     */
    public FrameRenderer(Environment env, boolean colourScreen) {
        this.id = env.id();
        this.shape = env.observationShape();
        this.encoding = env.encoding();
        this.stack = env.frameStack();
        this.colourScreen = colourScreen && env instanceof AtariEnvironment a ? a.game() : null;
        this.rgb = this.colourScreen == null ? null : new byte[AleGame.HEIGHT * AleGame.WIDTH * 3];
    }

    public BufferedImage render(byte[] obs) {
        if (colourScreen != null) {
            colourScreen.screenRgb(rgb);
            return rgb(rgb, AleGame.WIDTH, AleGame.HEIGHT);
        }
        if (id.equals("cartpole")) return cartPole(obs);
        if (id.startsWith("frozenlake")) return frozenLake(obs);
        if (shape.length == 3 && encoding == ObservationEncoding.BINARY) return channels(obs);
        if (shape.length == 3) return grey(obs);
        throw new IllegalArgumentException("no picture for observations of " + id);
    }

    private BufferedImage grey(byte[] obs) {
        int h = shape[1], w = shape[2], scale = 3, off = (stack - 1) * h * w;
        BufferedImage img = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h * scale; y++) {
            for (int x = 0; x < w * scale; x++) {
                int v = obs[off + (y / scale) * w + x / scale] & 0xFF;
                img.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
        return img;
    }

    private BufferedImage channels(byte[] obs) {
        int c = shape[0], h = shape[1], w = shape[2], cell = 24;
        BufferedImage img = new BufferedImage(w * cell, h * cell, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        for (int k = 0; k < c; k++) {
            g.setColor(PALETTE[k % PALETTE.length]);
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) if (obs[(k * h + y) * w + x] != 0) g.fillRect(x * cell + 1, y * cell + 1, cell - 2, cell - 2);
        }
        g.dispose();
        return img;
    }

    private static BufferedImage cartPole(byte[] obs) {
        double x = ObservationEncoding.getFloat(obs, 0), theta = ObservationEncoding.getFloat(obs, 8);
        BufferedImage img = new BufferedImage(480, 240, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 480, 240);
        double scale = 480 / 4.8;
        int cx = (int) (240 + x * scale), cy = 180;
        g.setColor(Color.BLACK);
        g.drawLine(0, cy + 15, 480, cy + 15);
        g.fillRect(cx - 25, cy - 15, 50, 30);
        g.setColor(new Color(200, 130, 70));
        g.setStroke(new BasicStroke(8));
        int len = (int) (scale * 1.0);
        g.drawLine(cx, cy - 15, (int) (cx + len * Math.sin(theta)), (int) (cy - 15 - len * Math.cos(theta)));
        g.dispose();
        return img;
    }

    private static BufferedImage frozenLake(byte[] obs) {
        int cell = 48;
        BufferedImage img = new BufferedImage(4 * cell, 4 * cell, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        for (int s = 0; s < 16; s++) {
            char c = FrozenLake.cell(s);
            g.setColor(c == 'H' ? new Color(20, 40, 90) : c == 'G' ? new Color(90, 200, 110) : new Color(200, 230, 250));
            g.fillRect((s % 4) * cell, (s / 4) * cell, cell - 1, cell - 1);
            if (obs[s] != 0) {
                g.setColor(new Color(220, 70, 60));
                g.fillOval((s % 4) * cell + 10, (s / 4) * cell + 10, cell - 20, cell - 20);
            }
        }
        g.dispose();
        return img;
    }

    /** An image of packed RGB bytes (r, g, b per pixel, row-major), as the emulator's colour screen comes. */
    public static BufferedImage rgb(byte[] rgb, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0, i = 0; y < height; y++) {
            for (int x = 0; x < width; x++, i += 3) {
                img.setRGB(x, y, (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF));
            }
        }
        return img;
    }
}
