package dqnengine.tensor;

import java.util.Arrays;

/**
 * A dense block of 32-bit floats with a shape, stored row-major ("C order").
 *
 * <p>Image batches use the NCHW layout: a tensor of shape [N, C, H, W] holds element
 * (n, c, h, w) at index ((n·C + c)·H + h)·W + w. Every engine buffer (activations, weights,
 * gradients, optimizer moments) is one of these, so there is exactly one memory layout to learn.
 *
 * <p>The data array is public on purpose: kernels index it directly, as the equations in their
 * comments do. A tensor never changes its element count; {@link #reshape} gives a view of the same
 * array with another shape.
 */
public final class Tensor {
    /** The elements, row-major. Length equals the product of {@link #shape}. */
    public final float[] data;
    private final int[] shape;

    private Tensor(int[] shape, float[] data) {
        this.shape = shape;
        this.data = data;
    }

    /** A tensor of zeros with the given shape. */
    public static Tensor zeros(int... shape) {
        int[] s = shape.clone();
        return new Tensor(s, new float[checkedSize(s)]);
    }

    /** Wraps an existing array (no copy); its length must equal the product of the shape. */
    public static Tensor wrap(float[] data, int... shape) {
        int[] s = shape.clone();
        if (checkedSize(s) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(s) + " needs "
                    + checkedSize(s) + " elements, array has " + data.length);
        }
        return new Tensor(s, data);
    }

    /** A tensor of the same shape filled with zeros. */
    public static Tensor zerosLike(Tensor t) {
        return zeros(t.shape);
    }

    private static int checkedSize(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d <= 0) throw new IllegalArgumentException("dimensions must be positive: " + Arrays.toString(shape));
            n *= d;
            if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        }
        return (int) n;
    }

    /** Number of dimensions. */
    public int rank() { return shape.length; }

    /** Size of dimension {@code i}; negative {@code i} counts from the end. */
    public int dim(int i) { return shape[i < 0 ? shape.length + i : i]; }

    /** A copy of the shape. */
    public int[] shape() { return shape.clone(); }

    /** Total number of elements. */
    public int size() { return data.length; }

    /** Same data array, another shape with the same element count. */
    public Tensor reshape(int... newShape) { return wrap(data, newShape); }

    /** True if both tensors have the same shape. */
    public boolean sameShape(Tensor o) { return Arrays.equals(shape, o.shape); }

    /** True if this tensor has exactly the given shape. */
    public boolean hasShape(int... s) { return Arrays.equals(shape, s); }

    /** Element at a multi-dimensional index (slow; for tests and tiny examples). */
    public float get(int... index) { return data[flatIndex(index)]; }

    /** Sets the element at a multi-dimensional index (slow; for tests and tiny examples). */
    public void set(float value, int... index) { data[flatIndex(index)] = value; }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) throw new IllegalArgumentException("index rank " + index.length + " != " + shape.length);
        int flat = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " out of " + Arrays.toString(shape));
            flat = flat * shape[i] + index[i];
        }
        return flat;
    }

    /** Sets every element to {@code value}. */
    public Tensor fill(float value) { Arrays.fill(data, value); return this; }

    /** Copies another tensor's elements into this one (shapes must match). */
    public Tensor copyFrom(Tensor src) {
        requireSameShape(this, src, "copyFrom");
        System.arraycopy(src.data, 0, data, 0, data.length);
        return this;
    }

    /** A deep copy. */
    public Tensor copy() { return new Tensor(shape.clone(), data.clone()); }

    /** Shape as text, e.g. {@code [32, 4, 84, 84]}. */
    public String shapeString() { return Arrays.toString(shape); }

    @Override
    public String toString() {
        return "Tensor" + shapeString() + (data.length <= 16 ? " " + Arrays.toString(data) : "");
    }

    /** Throws a clear error naming {@code where} if the two shapes differ. */
    public static void requireSameShape(Tensor a, Tensor b, String where) {
        if (!a.sameShape(b)) {
            throw new IllegalArgumentException(where + ": shape " + a.shapeString() + " != " + b.shapeString());
        }
    }
}
