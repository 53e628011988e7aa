package dqnengine.io;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only CSV file with a fixed header: one row per call, flushed at once so a crash loses
 * at most the row being written. Reopening an existing file (a resumed run) appends to it.
 */
public final class CsvLog implements AutoCloseable {
    private final BufferedWriter out;
    private final int columns;

    public CsvLog(Path file, String... header) throws IOException {
        this.columns = header.length;
        boolean fresh = !Files.exists(file) || Files.size(file) == 0;
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (fresh) {
            out.write(String.join(",", header));
            out.newLine();
            out.flush();
        }
    }

    public void row(Object... values) throws IOException {
        if (values.length != columns) throw new IllegalArgumentException("expected " + columns + " values, got " + values.length);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) sb.append(',');
            Object v = values[i];
            if (v instanceof Float f) sb.append(Float.isNaN(f) ? "" : Float.toString(f));
            else if (v instanceof Double d) sb.append(Double.isNaN(d) ? "" : Double.toString(d));
            else sb.append(v);
        }
        out.write(sb.toString());
        out.newLine();
        out.flush();
    }

    @Override
    public void close() throws IOException { out.close(); }

    /** Reads column {@code x} and {@code y} of a CSV written by this class (rows with an empty y are skipped). */
    public static double[][] columns(Path file, String x, String y) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) return new double[2][0];
        List<String> head = List.of(lines.get(0).split(",", -1));
        int xi = head.indexOf(x), yi = head.indexOf(y);
        if (xi < 0 || yi < 0) throw new IOException(file + " has no column " + (xi < 0 ? x : y));
        List<double[]> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            if (f.length != head.size() || f[xi].isEmpty() || f[yi].isEmpty()) continue;
            try {
                rows.add(new double[] {Double.parseDouble(f[xi]), Double.parseDouble(f[yi])});
            } catch (NumberFormatException e) {
                // a row cut short by a crash: skip it
            }
        }
        double[][] out = new double[2][rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            out[0][i] = rows.get(i)[0];
            out[1][i] = rows.get(i)[1];
        }
        return out;
    }
}
