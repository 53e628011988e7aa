package dqnengine.env;

/**
 * How the bytes of an observation stand for numbers, and so how a batch of stored observations
 * becomes the network's float input. Observations stay bytes from the environment to the
 * replay buffer whatever the encoding; only the batch handed to the network is decoded.
 */
public enum ObservationEncoding {
    /** One unsigned byte per value, 0…255, fed to the network as value / 255 (Atari frames). */
    PIXELS(1, 1f / 255f),
    /** One byte per value, 0 or 1, fed as is (MinAtar's object channels, one-hot states). */
    BINARY(1, 1f),
    /** Four bytes per value: an IEEE-754 float, little-endian (CartPole's position and velocities). */
    FLOAT32(4, 1f);

    /** Bytes per value. */
    public final int bytesPerValue;
    /** What a byte is multiplied by on its way into the network (PIXELS and BINARY). */
    public final float scale;

    ObservationEncoding(int bytesPerValue, float scale) {
        this.bytesPerValue = bytesPerValue;
        this.scale = scale;
    }

    /** Bytes of one observation of the given shape. */
    public int bytes(int[] shape) {
        long n = bytesPerValue;
        for (int d : shape) n *= d;
        return Math.toIntExact(n);
    }

    /** Decodes {@code count} values from {@code src[from…]} into {@code dst[to…]}. */
    public void decode(byte[] src, int from, float[] dst, int to, int count) {
        if (this == FLOAT32) {
            for (int i = 0; i < count; i++) dst[to + i] = getFloat(src, from + 4 * i);
        } else {
            for (int i = 0; i < count; i++) dst[to + i] = (src[from + i] & 0xFF) * scale;
        }
    }

    /** Writes {@code v} as four little-endian bytes at {@code at}. */
    public static void putFloat(byte[] dst, int at, float v) {
        int bits = Float.floatToRawIntBits(v);
        dst[at] = (byte) bits;
        dst[at + 1] = (byte) (bits >>> 8);
        dst[at + 2] = (byte) (bits >>> 16);
        dst[at + 3] = (byte) (bits >>> 24);
    }

    /** Reads the float written by {@link #putFloat}. */
    public static float getFloat(byte[] src, int at) {
        int bits = (src[at] & 0xFF) | (src[at + 1] & 0xFF) << 8 | (src[at + 2] & 0xFF) << 16 | (src[at + 3] & 0xFF) << 24;
        return Float.intBitsToFloat(bits);
    }
}
