package dqnengine.io;

import dqnengine.util.AtomicFiles;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dqnengine.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the safetensors format (https://github.com/huggingface/safetensors), so that
 * PyTorch and NumPy users can open our files with {@code safetensors.torch.load_file}.
 *
 * <pre>
 *   bytes 0..7      N, the header length, unsigned 64-bit little-endian
 *   bytes 8..8+N    UTF-8 JSON:
 *                   { "__metadata__": {"key": "value", …},            (strings only)
 *                     "0.weight": {"dtype": "F32", "shape": [32,4,8,8], "data_offsets": [begin, end]}, … }
 *                   padded with spaces so that the data starts 8-byte aligned
 *   bytes 8+N..     the tensors' raw little-endian bytes; offsets are relative to this point
 * </pre>
 *
 * Only F32 tensors are written and read (the engine is all float32). Writes are atomic: the file
 * goes to a temporary name in the same directory, is forced to disk, then renamed over the
 * target, so a crash leaves either the old file or the new one, never a torn one. Every
 * inconsistency in a file read (length, JSON, dtype, offsets) is a {@link FormatException}
 * naming the file and what was wrong.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** Largest header we accept; real headers are a few kilobytes. */
    private static final long MAX_HEADER_BYTES = 100L << 20;

    /** A file's tensors (in file order) and its string metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    /** A file that is not a valid safetensors file of float32 tensors. */
    public static final class FormatException extends IOException {
        public FormatException(Path file, String problem) {
            this(String.valueOf(file), problem);
        }

        /** {@code source} names where the bytes came from (a file, or e.g. "weights version 7"). */
        public FormatException(String source, String problem) {
            super(source + ": not a valid safetensors file: " + problem);
        }
    }

    // ---------------------------------------------------------------- writing

    /** Writes the tensors and metadata to {@code file} atomically. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        byte[] json = header(tensors, metadata);
        int padded = (json.length + 7) / 8 * 8;

        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = AtomicFiles.newTempFile(dir, "." + file.getFileName() + ".");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(padded).put(json);
                while (head.hasRemaining()) head.put((byte) ' ');
                writeFully(ch, head.flip());
                ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (Tensor t : tensors.values()) {
                    for (float v : t.data) {
                        if (buf.remaining() < 4) writeFully(ch, buf.flip()).clear();
                        buf.putFloat(v);
                    }
                }
                writeFully(ch, buf.flip());
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The same bytes {@link #write} puts in a file, in memory (the cluster ships weights this way). */
    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
        byte[] json = header(tensors, metadata);
        int padded = (json.length + 7) / 8 * 8;
        long size = 8L + padded;
        for (Tensor t : tensors.values()) size += 4L * t.size();
        if (size > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("tensors of " + size + " bytes do not fit one array");
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(json);
        while (b.position() < 8 + padded) b.put((byte) ' ');
        for (Tensor t : tensors.values()) for (float v : t.data) b.putFloat(v);
        return b.array();
    }

    /** The JSON header: each tensor's dtype, shape and byte range, and the metadata. */
    private static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) throw new IllegalArgumentException("reserved tensor name __metadata__");
            Tensor t = e.getValue();
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (int d : t.shape()) shape.add(d);
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += 4L * t.size();
            offsets.add(offset);
            entry.add("data_offsets", offsets);
            header.add(e.getKey(), entry);
        }
        return new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
    }

    private static ByteBuffer writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
        return b;
    }

    /** Makes the rename itself durable (POSIX: fsync the directory). Best effort elsewhere. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Some platforms cannot open a directory; the data itself was already forced.
        }
    }

    // ---------------------------------------------------------------- reading

    /** Reads every tensor and the metadata, validating the whole file first. */
    public static Contents read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file + ": no such file");
        }
        return fromBytes(bytes, file.toString());
    }

    /** Reads tensors and metadata from the bytes of a safetensors file; {@code source} names them in errors. */
    public static Contents fromBytes(byte[] bytes, String source) throws FormatException {
        String file = source;
        if (bytes.length < 8) throw new FormatException(file, "only " + bytes.length + " bytes, shorter than the 8-byte header length");
        ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = all.getLong(0);
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > bytes.length - 8) {
            throw new FormatException(file, "header length " + Long.toUnsignedString(headerLen) + " does not fit a file of " + bytes.length + " bytes");
        }
        String json = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
        JsonObject header;
        try {
            JsonElement parsed = JsonParser.parseString(json);
            if (!parsed.isJsonObject()) throw new FormatException(file, "header is not a JSON object");
            header = parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new FormatException(file, "header is not valid JSON (" + e.getMessage() + ")");
        }
        int dataStart = 8 + (int) headerLen;
        long dataLen = bytes.length - dataStart;

        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            String name = e.getKey();
            try {
                if (name.equals("__metadata__")) {
                    for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) {
                        metadata.put(m.getKey(), m.getValue().getAsString());
                    }
                    continue;
                }
                JsonObject entry = e.getValue().getAsJsonObject();
                String dtype = entry.get("dtype").getAsString();
                if (!dtype.equals("F32")) throw new FormatException(file, "tensor '" + name + "' has dtype " + dtype + "; only F32 is supported");
                JsonArray shapeJson = entry.getAsJsonArray("shape");
                int[] shape = new int[shapeJson.size()];
                long count = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeJson.get(i).getAsInt();
                    if (shape[i] <= 0) throw new FormatException(file, "tensor '" + name + "' has dimension " + shape[i]);
                    count *= shape[i];
                }
                JsonArray off = entry.getAsJsonArray("data_offsets");
                long begin = off.get(0).getAsLong(), end = off.get(1).getAsLong();
                if (begin < 0 || end < begin || end > dataLen) {
                    throw new FormatException(file, "tensor '" + name + "' spans bytes [" + begin + ", " + end + ") but the data section has "
                            + dataLen + " bytes (truncated file?)");
                }
                if (end - begin != 4 * count) {
                    throw new FormatException(file, "tensor '" + name + "' has " + (end - begin) + " bytes, its shape needs " + 4 * count);
                }
                float[] data = new float[(int) count];
                all.position(dataStart + (int) begin);
                all.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
                tensors.put(name, shape.length == 0 ? Tensor.wrap(data, 1) : Tensor.wrap(data, shape));
            } catch (IllegalStateException | NullPointerException | UnsupportedOperationException | IndexOutOfBoundsException
                     | NumberFormatException ex) {
                throw new FormatException(file, "entry '" + name + "' is malformed");
            }
        }
        return new Contents(tensors, metadata);
    }
}
