package dqnengine.io;

import dqnengine.util.AtomicFiles;
import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A line chart as a PNG, drawn with Java2D (no plotting library needed for this): the raw series
 * in light grey and, when given, a smoothed series over it, with labelled axes. Headless-safe.
 */
public final class LinePlot {
    private static final int W = 800, H = 450, LEFT = 80, RIGHT = 20, TOP = 40, BOTTOM = 50;

    private LinePlot() {}

    /** Writes {@code title} with y against x (and a moving average over {@code window} points if > 1). */
    public static void write(Path png, String title, String xLabel, String yLabel, double[] x, double[] y, int window) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, LEFT, 25);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
        g.drawRect(LEFT, TOP, pw, ph);
        g.drawString(xLabel, LEFT + pw / 2 - 30, H - 12);
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(TOP + ph / 2 + 30), 18);
        g.rotate(Math.PI / 2);
        if (x.length == 0) {
            g.drawString("no data yet", LEFT + pw / 2 - 30, TOP + ph / 2);
        } else {
            double x0 = min(x), x1 = max(x), y0 = min(y), y1 = max(y);
            if (x1 == x0) x1 = x0 + 1;
            if (y1 == y0) { y0 -= 1; y1 += 1; }
            for (int k = 0; k <= 4; k++) {
                double xv = x0 + (x1 - x0) * k / 4, yv = y0 + (y1 - y0) * k / 4;
                g.drawString(format(xv), LEFT + pw * k / 4 - 20, TOP + ph + 18);
                g.drawString(format(yv), 30, TOP + ph - ph * k / 4 + 4);
            }
            double fx0 = x0, fx1 = x1, fy0 = y0, fy1 = y1;
            java.util.function.DoubleUnaryOperator sx = v -> LEFT + (v - fx0) / (fx1 - fx0) * pw;
            java.util.function.DoubleUnaryOperator sy = v -> TOP + ph - (v - fy0) / (fy1 - fy0) * ph;
            g.setColor(window > 1 ? new Color(190, 190, 210) : new Color(30, 90, 200));
            g.setStroke(new BasicStroke(1.2f));
            g.draw(path(x, y, sx, sy));
            if (window > 1) {
                double[] smooth = new double[y.length];
                double sum = 0;
                for (int i = 0; i < y.length; i++) {
                    sum += y[i];
                    if (i >= window) sum -= y[i - window];
                    smooth[i] = sum / Math.min(i + 1, window);
                }
                g.setColor(new Color(30, 90, 200));
                g.setStroke(new BasicStroke(2.2f));
                g.draw(path(x, smooth, sx, sy));
                g.drawString("mean of last " + window, LEFT + pw - 130, TOP + 16);
            }
        }
        g.dispose();
        Files.createDirectories(png.toAbsolutePath().getParent());
        Path tmp = AtomicFiles.newTempFile(png.toAbsolutePath().getParent(), "." + png.getFileName() + ".");
        try {
            ImageIO.write(img, "png", tmp.toFile());
            AtomicFiles.move(tmp, png);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Path2D path(double[] x, double[] y, java.util.function.DoubleUnaryOperator sx, java.util.function.DoubleUnaryOperator sy) {
        Path2D.Double p = new Path2D.Double();
        for (int i = 0; i < x.length; i++) {
            if (i == 0) p.moveTo(sx.applyAsDouble(x[i]), sy.applyAsDouble(y[i]));
            else p.lineTo(sx.applyAsDouble(x[i]), sy.applyAsDouble(y[i]));
        }
        return p;
    }

    private static String format(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) return String.format("%.1fM", v / 1e6);
        if (a >= 1e4) return String.format("%.0fk", v / 1e3);
        if (a >= 100 || v == Math.rint(v)) return String.format("%.0f", v);
        return String.format("%.3g", v);
    }

    private static double min(double[] a) { double m = Double.POSITIVE_INFINITY; for (double v : a) if (Double.isFinite(v)) m = Math.min(m, v); return m == Double.POSITIVE_INFINITY ? 0 : m; }

    private static double max(double[] a) { double m = Double.NEGATIVE_INFINITY; for (double v : a) if (Double.isFinite(v)) m = Math.max(m, v); return m == Double.NEGATIVE_INFINITY ? 1 : m; }
}
