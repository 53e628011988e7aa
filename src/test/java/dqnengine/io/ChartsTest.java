package dqnengine.io;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The run's plots come from the charting library: series, legend and axes as asked, and a PNG that shows them. */
class ChartsTest {
    @TempDir Path tmp;

    private static int pixelsNear(BufferedImage img, Color c) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                Color p = new Color(img.getRGB(x, y));
                if (Math.abs(p.getRed() - c.getRed()) + Math.abs(p.getGreen() - c.getGreen()) + Math.abs(p.getBlue() - c.getBlue()) < 24) n++;
            }
        }
        return n;
    }

    @Test
    void aReturnPlotHasTheRawSeriesItsMovingAverageAndALegend() throws Exception {
        int n = 500;
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = 1000.0 * i;
            y[i] = -21 + 40.0 * i / n + ((i * 7919) % 11 - 5);     // a rising, noisy return
        }
        JFreeChart chart = Charts.line("Episode return", "step", "return", x, y, 100, false);
        var data = chart.getXYPlot().getDataset();
        assertEquals(2, data.getSeriesCount());
        assertEquals(n, data.getItemCount(0));
        assertEquals(n, data.getItemCount(1));
        assertEquals("mean of the last 100", data.getSeriesKey(1));
        // the moving average at point 199 is the mean of points 100..199
        double expected = 0;
        for (int i = 100; i < 200; i++) expected += y[i];
        assertEquals(expected / 100, data.getYValue(1, 199), 1e-9);
        assertNotNull(chart.getLegend(), "a legend names the two lines");
        assertTrue(chart.getXYPlot().getRangeAxis() instanceof NumberAxis && !(chart.getXYPlot().getRangeAxis() instanceof LogAxis));

        Path png = tmp.resolve("plots/return.png");
        Charts.write(png, chart);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(Charts.WIDTH, img.getWidth());
        assertEquals(Charts.HEIGHT, img.getHeight());
        assertTrue(pixelsNear(img, Charts.SMOOTH) > 500, "the moving average is drawn in its colour");
        assertTrue(pixelsNear(img, Charts.RAW) > 500, "the raw series is drawn in its colour");
    }

    @Test
    void theLossIsOnALogScaleWithoutItsNonPositivePoints() throws Exception {
        double[] x = {1, 2, 3, 4, 5}, y = {1.0, 0.1, 0.0, Double.NaN, 0.001};
        JFreeChart chart = Charts.line("Training loss", "step", "loss", x, y, 1, true);
        assertTrue(chart.getXYPlot().getRangeAxis() instanceof LogAxis);
        assertEquals(3, chart.getXYPlot().getDataset().getItemCount(0), "0 and NaN cannot be drawn on a log axis");
        Path png = tmp.resolve("loss.png");
        Charts.write(png, chart);
        assertTrue(pixelsNear(ImageIO.read(png.toFile()), Charts.SINGLE) > 100);
    }

    @Test
    void anEmptySeriesStillGivesAPlot() throws Exception {
        Path png = tmp.resolve("q.png");
        Charts.write(png, Charts.line("Mean max-Q", "step", "Q", new double[0], new double[0], 1, false));
        assertEquals(Charts.WIDTH, ImageIO.read(png.toFile()).getWidth());
    }
}
