package dqnengine.io;

import dqnengine.util.AtomicFiles;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The run's PNG plots, drawn by JFreeChart: a raw series, optionally its moving average over it
 * (both in the legend), grid lines at round values, and a log scale where a quantity spans
 * decades (the loss). Rendered headless, 1000 × 560, written atomically.
 */
public final class Charts {
    static final int WIDTH = 1000, HEIGHT = 560;
    static final Color RAW = new Color(160, 170, 200), SMOOTH = new Color(25, 80, 190), SINGLE = new Color(25, 80, 190);

    static {
        System.setProperty("java.awt.headless", "true");       // before any AWT class is touched: no display needed
    }

    private Charts() {}

    /**
     * A line chart of y against x. With {@code window > 1} the raw points are drawn thin and light
     * and the mean of the last {@code window} points is drawn over them. With {@code logY} the
     * y axis is logarithmic and points that are not positive are left out (a log axis cannot show them).
     */
    public static JFreeChart line(String title, String xLabel, String yLabel, double[] x, double[] y, int window, boolean logY) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries raw = new XYSeries(window > 1 ? yLabel : yLabel + " (" + (logY ? "log scale" : "per point") + ")", false, true);
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(y[i]) && (!logY || y[i] > 0)) raw.add(x[i], y[i]);
        }
        data.addSeries(raw);
        if (window > 1) {
            XYSeries smooth = new XYSeries("mean of the last " + window, false, true);
            double sum = 0;
            int n = 0;
            double[] kept = new double[raw.getItemCount()];
            for (int i = 0; i < kept.length; i++) {
                kept[i] = raw.getY(i).doubleValue();
                sum += kept[i];
                if (i >= window) sum -= kept[i - window];
                n = Math.min(i + 1, window);
                smooth.add(raw.getX(i), sum / n);
            }
            data.addSeries(smooth);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        if (raw.getItemCount() == 0) chart.addSubtitle(new TextTitle("no data yet"));
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(215, 215, 215));
        plot.setRangeGridlinePaint(new Color(215, 215, 215));
        if (logY) {
            LogAxis axis = new LogAxis(yLabel + " (log scale)");
            axis.setSmallestValue(1e-12);
            plot.setRangeAxis(axis);
        } else {
            ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        }
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setSeriesPaint(0, window > 1 ? RAW : SINGLE);
        r.setSeriesStroke(0, new BasicStroke(window > 1 ? 1.0f : 2.0f));
        if (window > 1) {
            r.setSeriesPaint(1, SMOOTH);
            r.setSeriesStroke(1, new BasicStroke(2.5f));
        }
        plot.setRenderer(r);
        return chart;
    }

    /** Renders {@code chart} to {@code png} (written to a temporary file, then moved into place). */
    public static void write(Path png, JFreeChart chart) throws IOException {
        BufferedImage img = chart.createBufferedImage(WIDTH, HEIGHT);
        Path dir = png.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = AtomicFiles.newTempFile(dir, "." + png.getFileName() + ".");
        try {
            ImageIO.write(img, "png", tmp.toFile());
            AtomicFiles.move(tmp, png);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
