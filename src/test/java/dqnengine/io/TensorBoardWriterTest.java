package dqnengine.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The event file read back record by record: framing, CRCs and the protobuf fields, decoded here by hand. */
class TensorBoardWriterTest {
    @TempDir Path tmp;

    record Scalar(long step, String tag, float value) {}

    /** The records of an event file, each one's length and data CRC checked (TFRecord framing). */
    static List<byte[]> records(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> records = new ArrayList<>();
        while (b.hasRemaining()) {
            byte[] len = new byte[8];
            b.get(len);
            assertEquals(TensorBoardWriter.maskedCrc(len), b.getInt(), "length CRC");
            byte[] data = new byte[(int) ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong()];
            b.get(data);
            assertEquals(TensorBoardWriter.maskedCrc(data), b.getInt(), "data CRC");
            records.add(data);
        }
        return records;
    }

    @Test
    void recordsCarryValidCrcsAndTheScalarsWritten() throws Exception {
        Path file;
        try (TensorBoardWriter w = new TensorBoardWriter(tmp)) {
            w.scalar("train/loss", 100, 0.25);
            w.scalar("episode/return", 1234567890123L, -21);
            w.scalar("skipped", 5, Double.NaN);
            file = w.file();
        }
        assertTrue(file.getFileName().toString().startsWith("events.out.tfevents."));
        List<byte[]> records = records(file);
        assertEquals(3, records.size(), "version record + two scalars (NaN is not written)");
        assertTrue(new String(records.get(0), StandardCharsets.ISO_8859_1).contains("brain.Event:2"));
        assertEquals(new Scalar(100, "train/loss", 0.25f), decode(records.get(1)));
        assertEquals(new Scalar(1234567890123L, "episode/return", -21f), decode(records.get(2)));
    }

    @Test
    void textGoesToTheTextPluginAsAScalarStringTensor() throws Exception {
        Path file;
        try (TensorBoardWriter w = new TensorBoardWriter(tmp.resolve("text"))) {
            w.text("settings", 7, "```\n{\"lr\": 6.25e-5}\n```");
            file = w.file();
        }
        List<byte[]> records = records(file);
        assertEquals(2, records.size());
        ByteBuffer b = ByteBuffer.wrap(records.get(1)).order(ByteOrder.LITTLE_ENDIAN);
        long step = -1;
        String tag = null, plugin = null, text = null;
        long dtype = -1;
        int shapeBytes = -1;
        while (b.hasRemaining()) {
            int key = (int) varint(b);
            switch (key) {
                case 0x09 -> b.getDouble();
                case 0x10 -> step = varint(b);
                case 0x2A -> {                                             // Event.summary (5)
                    ByteBuffer summary = slice(b);
                    assertEquals(0x0A, (int) varint(summary));                // Summary.value (1)
                    ByteBuffer v = slice(summary);
                    while (v.hasRemaining()) {
                        int k = (int) varint(v);
                        if (k == 0x0A) tag = new String(bytes(slice(v)), StandardCharsets.UTF_8);          // Value.tag (1)
                        else if (k == 0x4A) {                                                              // Value.metadata (9)
                            ByteBuffer meta = slice(v);
                            assertEquals(0x0A, (int) varint(meta));                                        // plugin_data (1)
                            ByteBuffer pd = slice(meta);
                            assertEquals(0x0A, (int) varint(pd));                                          // plugin_name (1)
                            plugin = new String(bytes(slice(pd)), StandardCharsets.UTF_8);
                        } else if (k == 0x42) {                                                            // Value.tensor (8)
                            ByteBuffer t = slice(v);
                            while (t.hasRemaining()) {
                                int tk = (int) varint(t);
                                if (tk == 0x08) dtype = varint(t);                                         // dtype (1)
                                else if (tk == 0x12) shapeBytes = slice(t).remaining();                    // tensor_shape (2)
                                else if (tk == 0x42) text = new String(bytes(slice(t)), StandardCharsets.UTF_8);   // string_val (8)
                                else fail("unexpected tensor field " + tk);
                            }
                        } else fail("unexpected value field " + k);
                    }
                }
                default -> fail("unexpected key " + key);
            }
        }
        assertEquals(7, step);
        assertEquals("settings", tag);
        assertEquals("text", plugin, "TensorBoard's text plugin picks values by this name");
        assertEquals(7, dtype, "DT_STRING");
        assertEquals(0, shapeBytes, "a scalar: a shape with no dimensions");
        assertEquals("```\n{\"lr\": 6.25e-5}\n```", text);
    }

    @Test
    void theCrcIsTheKnownCrc32cMasked() {
        // CRC-32C("123456789") = 0xE3069283 (the standard check value); masked as TFRecord does.
        int crc = 0xE3069283;
        int masked = ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
        assertEquals(masked, TensorBoardWriter.maskedCrc("123456789".getBytes(StandardCharsets.US_ASCII)));
    }

    /** Decodes Event{wall_time=1, step=2, summary=5{value=1{tag=1, simple_value=2}}}. */
    static Scalar decode(byte[] event) {
        ByteBuffer b = ByteBuffer.wrap(event).order(ByteOrder.LITTLE_ENDIAN);
        long step = -1;
        String tag = null;
        float value = Float.NaN;
        while (b.hasRemaining()) {
            int key = (int) varint(b);
            switch (key) {
                case 0x09 -> assertTrue(b.getDouble() > 1.6e9, "wall time in seconds");
                case 0x10 -> step = varint(b);
                case 0x2A -> {
                    ByteBuffer summary = slice(b);
                    assertEquals(0x0A, (int) varint(summary));
                    ByteBuffer v = slice(summary);
                    while (v.hasRemaining()) {
                        int k = (int) varint(v);
                        if (k == 0x0A) tag = new String(bytes(slice(v)), StandardCharsets.UTF_8);
                        else if (k == 0x15) value = v.getFloat();
                        else fail("unexpected field " + k);
                    }
                }
                default -> fail("unexpected key " + key + " in " + Arrays.toString(event));
            }
        }
        return new Scalar(step, tag, value);
    }

    static long varint(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b.get() & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) return v;
        }
    }

    static ByteBuffer slice(ByteBuffer b) {
        int n = (int) varint(b);
        ByteBuffer s = b.slice().order(ByteOrder.LITTLE_ENDIAN);
        s.limit(n);
        b.position(b.position() + n);
        return s;
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }
}
