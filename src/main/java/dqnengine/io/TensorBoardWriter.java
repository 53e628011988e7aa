package dqnengine.io;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Scalars in TensorBoard's event-file format, so {@code tensorboard --logdir RUN_DIR} plots a run.
 *
 * <p>The file ({@code events.out.tfevents.<seconds>.<host>}) is a sequence of TFRecords, each
 * <pre>
 *   uint64 length | uint32 masked CRC-32C of length | data | uint32 masked CRC-32C of data
 *   masked(crc) = ((crc &gt;&gt;&gt; 15) | (crc &lt;&lt; 17)) + 0xa282ead8 (all little-endian)
 * </pre>
 * whose data is an {@code Event} protocol buffer: field 1 wall_time (double), 2 step (varint),
 * 3 file_version (string, the first record: "brain.Event:2"), 5 summary, where a summary holds
 * values (field 1), each with a tag (field 1, string) and a simple_value (field 2, float). We
 * write exactly these fields by hand: no protobuf library is needed for five fields.
 *
 * <p>Text (the run's settings, so a run is identifiable in TensorBoard) goes to its text plugin: a
 * value with metadata (field 9) {plugin_data (1) {plugin_name (1) = "text"}} and a tensor (field 8)
 * {dtype (1) = 7 (DT_STRING), tensor_shape (2) = {} (a scalar), string_val (8) = the Markdown}.
 */
public final class TensorBoardWriter implements AutoCloseable {
    private final OutputStream out;
    private final Path file;

    public TensorBoardWriter(Path dir) throws IOException {
        Files.createDirectories(dir);
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        long seconds = System.currentTimeMillis() / 1000;
        Path f = dir.resolve("events.out.tfevents." + seconds + "." + host);
        for (int k = 1; Files.exists(f); k++) f = dir.resolve("events.out.tfevents." + seconds + "." + host + "." + k);
        this.file = f;
        this.out = new BufferedOutputStream(Files.newOutputStream(f));
        ByteArrayOutputStream event = new ByteArrayOutputStream();
        wallTime(event);
        bytesField(event, 3, "brain.Event:2".getBytes(StandardCharsets.UTF_8));
        record(event.toByteArray());
        out.flush();
    }

    public Path file() { return file; }

    /** One scalar {@code tag} at {@code step}; flushed at once. */
    public void scalar(String tag, long step, double value) throws IOException {
        if (!Double.isFinite(value)) return;
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        bytesField(v, 1, tag.getBytes(StandardCharsets.UTF_8));
        v.write(0x15);                                             // field 2, 32-bit
        v.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat((float) value).array());
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        bytesField(summary, 1, v.toByteArray());
        ByteArrayOutputStream event = new ByteArrayOutputStream();
        wallTime(event);
        event.write(0x10);                                         // field 2, varint
        varint(event, step);
        bytesField(event, 5, summary.toByteArray());
        record(event.toByteArray());
        out.flush();
    }

    /** A Markdown text {@code tag} at {@code step} for TensorBoard's Text tab; flushed at once. */
    public void text(String tag, long step, String markdown) throws IOException {
        ByteArrayOutputStream pluginData = new ByteArrayOutputStream();
        bytesField(pluginData, 1, "text".getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream metadata = new ByteArrayOutputStream();
        bytesField(metadata, 1, pluginData.toByteArray());
        ByteArrayOutputStream tensor = new ByteArrayOutputStream();
        tensor.write(0x08);                                        // field 1, varint: dtype
        varint(tensor, 7);                                         // DT_STRING
        bytesField(tensor, 2, new byte[0]);                        // tensor_shape: no dimensions, a scalar
        bytesField(tensor, 8, markdown.getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        bytesField(v, 1, tag.getBytes(StandardCharsets.UTF_8));
        bytesField(v, 9, metadata.toByteArray());
        bytesField(v, 8, tensor.toByteArray());
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        bytesField(summary, 1, v.toByteArray());
        ByteArrayOutputStream event = new ByteArrayOutputStream();
        wallTime(event);
        event.write(0x10);
        varint(event, step);
        bytesField(event, 5, summary.toByteArray());
        record(event.toByteArray());
        out.flush();
    }

    private static void wallTime(ByteArrayOutputStream event) {
        event.write(0x09);                                         // field 1, 64-bit
        event.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(System.currentTimeMillis() / 1000.0).array());
    }

    private static void bytesField(ByteArrayOutputStream to, int field, byte[] bytes) {
        to.write(field << 3 | 2);                                  // length-delimited
        varint(to, bytes.length);
        to.writeBytes(bytes);
    }

    private static void varint(ByteArrayOutputStream to, long v) {
        while ((v & ~0x7FL) != 0) {
            to.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        to.write((int) v);
    }

    private void record(byte[] data) throws IOException {
        byte[] length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
        out.write(length);
        out.write(le32(maskedCrc(length)));
        out.write(data);
        out.write(le32(maskedCrc(data)));
    }

    /** TFRecord's masked CRC-32C. */
    public static int maskedCrc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }

    private static byte[] le32(int v) { return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array(); }

    @Override
    public void close() throws IOException { out.close(); }
}
