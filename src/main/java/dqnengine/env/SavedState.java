package dqnengine.env;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The bytes of an environment's saved state ({@link Environment#saveState}): the environment's
 * id, then its values in a fixed order, big-endian, with helpers for the arrays the games keep.
 * A {@link Reader} reads them back in the same order and refuses bytes of another environment,
 * bytes that end early and bytes left over.
 */
public final class SavedState {
    private SavedState() {}

    /** Writes the values in order; {@link #bytes} is the result. */
    public static final class Writer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        /** Starts the state of environment {@code id}. */
        public Writer(String id) { run(() -> out.writeUTF(id)); }

        public Writer putInt(int v) { return run(() -> out.writeInt(v)); }
        public Writer putLong(long v) { return run(() -> out.writeLong(v)); }
        public Writer putDouble(double v) { return run(() -> out.writeDouble(v)); }
        public Writer putBoolean(boolean v) { return run(() -> out.writeBoolean(v)); }

        public Writer putInts(int[] values) {
            for (int v : values) putInt(v);
            return this;
        }

        public Writer putBooleans(boolean[] values) {
            for (boolean v : values) putBoolean(v);
            return this;
        }

        public Writer putBooleans(boolean[][] grid) {
            for (boolean[] row : grid) putBooleans(row);
            return this;
        }

        public byte[] bytes() { return bytes.toByteArray(); }

        private interface Put {
            void put() throws IOException;
        }

        private Writer run(Put put) {
            try {
                put.put();
            } catch (IOException e) {
                throw new UncheckedIOException("writing to memory cannot fail", e);
            }
            return this;
        }
    }

    /** Reads values in the order a {@link Writer} wrote them. */
    public static final class Reader {
        private final ByteBuffer in;

        /** Opens the state of environment {@code id}; bytes of another environment are refused. */
        public Reader(byte[] state, String id) {
            this.in = ByteBuffer.wrap(state);
            String savedId;
            try {
                int length = Short.toUnsignedInt(in.getShort());
                byte[] name = new byte[length];
                in.get(name);
                savedId = new String(name, StandardCharsets.UTF_8);
            } catch (BufferUnderflowException e) {
                throw new IllegalArgumentException("the saved environment state is truncated");
            }
            if (!savedId.equals(id)) throw new IllegalArgumentException("the saved environment state is of " + savedId + ", not " + id);
        }

        public int getInt() { return read(() -> in.getInt()); }
        public long getLong() { return read(() -> in.getLong()); }
        public double getDouble() { return read(() -> in.getDouble()); }
        public boolean getBoolean() { return read(() -> in.get() != 0); }

        public void getInts(int[] into) {
            for (int i = 0; i < into.length; i++) into[i] = getInt();
        }

        public void getBooleans(boolean[] into) {
            for (int i = 0; i < into.length; i++) into[i] = getBoolean();
        }

        public void getBooleans(boolean[][] into) {
            for (boolean[] row : into) getBooleans(row);
        }

        /** Checks that every byte was read (more would mean a state of another version or game). */
        public void finish() {
            if (in.hasRemaining()) throw new IllegalArgumentException("the saved environment state has " + in.remaining() + " bytes too many");
        }

        private <T> T read(Supplier<T> get) {
            try {
                return get.get();
            } catch (BufferUnderflowException e) {
                throw new IllegalArgumentException("the saved environment state is truncated");
            }
        }
    }
}
