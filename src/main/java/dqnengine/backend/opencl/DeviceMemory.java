package dqnengine.backend.opencl;

import dqnengine.tensor.Tensor;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_mem;

import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * What {@link OpenClBackend} keeps in device memory, and every copy between host and device:
 * <ul>
 *   <li>a <b>mirror</b> of each tensor an op touches: a device buffer keyed by the tensor's float
 *       array (so a Flatten view shares its mirror), with a state: the host copy is newer, both
 *       agree, or the device copy is newer. {@link #in} uploads only when the host copy is newer
 *       (in per-op mode, always, unless the device copy is newer); {@link #wrote} marks outputs
 *       newer on the device (in per-op mode, reads them back at once). Past 2 GiB of mirrors,
 *       everything device-newer is read back and every mirror released;</li>
 *   <li><b>staging buffers</b> for the bytes, ints and per-row floats that are not tensors (actions,
 *       rewards, the uint8 batch, partial sums), one per numbered slot, grown when too small;</li>
 *   <li><b>work tensors</b>: device-only intermediates (the im2col buffers) by role and shape.</li>
 * </ul>
 * Every copy blocks until done.
 */
final class DeviceMemory {
    private static final long MIRROR_LIMIT = 2L << 30;                   // beyond this, sync everything back and start over
    private static final int HOST_NEWER = 0, SYNCED = 1, DEVICE_NEWER = 2;

    /** A tensor's device copy and which side holds its newest values. */
    private static final class Mirror {
        final cl_mem mem;
        final long bytes;
        int state = HOST_NEWER;

        Mirror(cl_mem mem, long bytes) { this.mem = mem; this.bytes = bytes; }
    }

    private final cl_context context;
    private final cl_command_queue queue;
    private final boolean resident;
    private final IdentityHashMap<float[], Mirror> mirrors = new IdentityHashMap<>();
    private long mirroredBytes;
    private final Map<Integer, cl_mem> staging = new HashMap<>();            // byte, int and per-row float buffers by slot
    private final Map<Integer, Long> stagingBytes = new HashMap<>();
    private final Map<String, Tensor> work = new HashMap<>();               // device-only intermediates by role and shape

    /** Buffers in {@code context}, copies on {@code queue}; {@code resident}: see {@link OpenClBackend}'s class comment. */
    DeviceMemory(cl_context context, cl_command_queue queue, boolean resident) {
        this.context = context;
        this.queue = queue;
        this.resident = resident;
    }

    // ---------------------------------------------------------------- tensor mirrors

    private Mirror mirror(Tensor t) {
        Mirror m = mirrors.get(t.data);
        if (m == null) {
            long bytes = Math.max(4L, (long) t.data.length * Sizeof.cl_float);
            if (mirroredBytes + bytes > MIRROR_LIMIT) evictAll();
            m = new Mirror(CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, bytes, null, null), bytes);
            mirrors.put(t.data, m);
            mirroredBytes += bytes;
        }
        return m;
    }

    /** Every device-newer tensor back to the host, then every mirror released. */
    private void evictAll() {
        for (Map.Entry<float[], Mirror> e : mirrors.entrySet()) {
            Mirror m = e.getValue();
            if (m.state == DEVICE_NEWER) read(m.mem, e.getKey());
            CL.clReleaseMemObject(m.mem);
        }
        mirrors.clear();
        mirroredBytes = 0;
    }

    /** The device buffer of an input: uploaded first if the host holds newer values. */
    cl_mem in(Tensor t) {
        Mirror m = mirror(t);
        // Per-op mode uploads every input (the caller may have changed it) except intermediates that
        // only ever live on the device (the im2col buffers, which are left DEVICE_NEWER).
        if (m.state == HOST_NEWER || (!resident && m.state != DEVICE_NEWER)) {
            if (t.data.length > 0) {
                CL.clEnqueueWriteBuffer(queue, m.mem, CL.CL_TRUE, 0, (long) t.data.length * Sizeof.cl_float, Pointer.to(t.data), 0, null, null);
            }
            m.state = SYNCED;
        }
        return m.mem;
    }

    /** The device buffer of an output that the op overwrites entirely (nothing uploaded). */
    cl_mem out(Tensor t) { return mirror(t).mem; }

    /** Marks outputs as newer on the device; in per-op mode reads them back at once. */
    void wrote(Tensor... outputs) {
        for (Tensor t : outputs) {
            leftOnDevice(t);
            if (!resident) toHost(t);
        }
    }

    /** Marks a result newer on the device without reading it back, even in per-op mode (intermediates). */
    void leftOnDevice(Tensor t) { mirror(t).state = DEVICE_NEWER; }

    /** Reads {@code t} back if the device holds newer values. */
    void toHost(Tensor t) {
        Mirror m = mirrors.get(t.data);
        if (m != null && m.state == DEVICE_NEWER) {
            read(m.mem, t.data);
            m.state = SYNCED;
        }
    }

    /** Marks {@code t} newer on the host: the next op that reads it uploads it. */
    void hostWrote(Tensor t) {
        Mirror m = mirrors.get(t.data);
        if (m != null) m.state = HOST_NEWER;
    }

    /** A device-only intermediate of this shape for {@code role} (never read on the host). */
    Tensor work(String role, int... shape) {
        String key = role + Arrays.toString(shape);
        return work.computeIfAbsent(key, k -> Tensor.zeros(shape));
    }

    // ---------------------------------------------------------------- staging buffers and copies

    /** The staging buffer of {@code slot}, at least {@code bytes} long. */
    cl_mem staging(int slot, long bytes) {
        long need = Math.max(bytes, 4);
        Long have = stagingBytes.get(slot);
        if (have == null || have < need) {
            cl_mem old = staging.remove(slot);
            if (old != null) CL.clReleaseMemObject(old);
            staging.put(slot, CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, need, null, null));
            stagingBytes.put(slot, need);
        }
        return staging.get(slot);
    }

    /** The first {@code count} of {@code data} into the staging buffer of {@code slot}. */
    cl_mem upload(int slot, int[] data, int count) {
        cl_mem m = staging(slot, (long) count * Sizeof.cl_int);
        if (count > 0) CL.clEnqueueWriteBuffer(queue, m, CL.CL_TRUE, 0, (long) count * Sizeof.cl_int, Pointer.to(data), 0, null, null);
        return m;
    }

    /** The first {@code count} floats of {@code src} into {@code dst}. */
    void write(cl_mem dst, float[] src, int count) {
        if (count > 0) CL.clEnqueueWriteBuffer(queue, dst, CL.CL_TRUE, 0, (long) count * Sizeof.cl_float, Pointer.to(src), 0, null, null);
    }

    /** {@code count} bytes of {@code src} from {@code offset} into {@code dst}. */
    void write(cl_mem dst, byte[] src, int offset, int count) {
        if (count > 0) CL.clEnqueueWriteBuffer(queue, dst, CL.CL_TRUE, 0, count, Pointer.to(src).withByteOffset(offset), 0, null, null);
    }

    /** All of {@code dst} from the start of {@code src}. */
    void read(cl_mem src, float[] dst) {
        if (dst.length > 0) CL.clEnqueueReadBuffer(queue, src, CL.CL_TRUE, 0, (long) dst.length * Sizeof.cl_float, Pointer.to(dst), 0, null, null);
    }

    /** The first {@code count} ints of {@code src} into {@code dst}. */
    void read(cl_mem src, int[] dst, int count) {
        if (count > 0) CL.clEnqueueReadBuffer(queue, src, CL.CL_TRUE, 0, (long) count * Sizeof.cl_int, Pointer.to(dst), 0, null, null);
    }

    /** {@code floats} floats from {@code src} to {@code dst} on the device, waiting for the queue to finish. */
    void copy(cl_mem src, cl_mem dst, int floats) {
        if (floats > 0) CL.clEnqueueCopyBuffer(queue, src, dst, 0, 0, (long) floats * Sizeof.cl_float, 0, null, null);
        CL.clFinish(queue);
    }

    /** Releases every buffer (nothing is read back). */
    void close() {
        work.clear();
        mirrors.values().forEach(m -> CL.clReleaseMemObject(m.mem));
        mirrors.clear();
        staging.values().forEach(CL::clReleaseMemObject);
        staging.clear();
    }
}
