package dqnengine.backend.opencl;

import dqnengine.util.BadInput;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The OpenCL platforms and devices of this machine, through JOCL, with one clear message for each
 * way OpenCL can be missing: no OpenCL library (JOCL cannot load {@code libOpenCL.so}), or a
 * library with no platform installed (no ICD under {@code /etc/OpenCL/vendors}).
 *
 * <p>Devices are numbered across platforms in the order listed, which is what
 * {@code --device opencl:N} will mean.
 */
public final class OpenCl {
    private OpenCl() {}

    /** OpenCL cannot be used here; the message says why and what to install. */
    public static final class UnavailableException extends RuntimeException {
        public UnavailableException(String message) { super(message); }
    }

    /** A device and its handles ({@code platform}, {@code id}) for opening a context on it. */
    public record Device(int index, String name, String type, String version, int computeUnits, long globalMemBytes,
                         long localMemBytes, long maxWorkGroupSize, cl_platform_id platform, cl_device_id id) {}

    /** A platform (one installed driver, an ICD) and the devices it offers. */
    public record Platform(String name, String vendor, String version, List<Device> devices) {}

    /**
     * Whether a {@code libOpenCL.so} is where the dynamic loader would look for it
     * ({@code LD_LIBRARY_PATH}, the directories of {@code /etc/ld.so.conf.d}, the standard ones),
     * found without loading anything: JOCL prints its own "Could not load libOpenCL.so" line when
     * there is none, which {@code --device auto} (which needs no OpenCL) should not cause. Not
     * Linux: true (let the binding try).
     */
    public static boolean libraryPresent() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) return true;
        List<String> dirs = new ArrayList<>();
        String env = System.getenv("LD_LIBRARY_PATH");
        if (env != null) dirs.addAll(List.of(env.split(":")));
        File[] confs = new File("/etc/ld.so.conf.d").listFiles((d, n) -> n.endsWith(".conf"));
        if (confs != null) {
            for (File f : confs) {
                try {
                    for (String line : Files.readAllLines(f.toPath())) {
                        line = line.strip();
                        if (line.startsWith("/")) dirs.add(line);
                    }
                } catch (IOException | RuntimeException ignored) {
                    // an unreadable file: the other places still count
                }
            }
        }
        dirs.addAll(List.of("/lib", "/usr/lib", "/lib64", "/usr/lib64", "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/local/lib"));
        return libraryIn(dirs);
    }

    /** Whether one of {@code dirs} holds a {@code libOpenCL.so}. */
    static boolean libraryIn(List<String> dirs) {
        for (String d : dirs) if (!d.isEmpty() && new File(d, "libOpenCL.so").exists()) return true;
        return false;
    }

    /** Every platform and its devices; throws {@link UnavailableException} when there is no OpenCL. */
    public static List<Platform> platforms() {
        try {
            CL.setExceptionsEnabled(true);
            int[] count = new int[1];
            try {
                CL.clGetPlatformIDs(0, null, count);
            } catch (CLException e) {
                if (e.getStatus() == CL.CL_PLATFORM_NOT_FOUND_KHR) count[0] = 0;
                else throw e;
            }
            if (count[0] == 0) {
                throw new UnavailableException("the OpenCL library loaded but no OpenCL platform is installed "
                        + "(no ICD in /etc/OpenCL/vendors; on Debian: apt install pocl-opencl-icd, or your GPU vendor's driver)");
            }
            cl_platform_id[] ids = new cl_platform_id[count[0]];
            CL.clGetPlatformIDs(ids.length, ids, null);
            List<Platform> out = new ArrayList<>();
            int index = 0;
            for (cl_platform_id p : ids) {
                int[] n = new int[1];
                try {
                    CL.clGetDeviceIDs(p, CL.CL_DEVICE_TYPE_ALL, 0, null, n);
                } catch (CLException e) {
                    if (e.getStatus() != CL.CL_DEVICE_NOT_FOUND) throw e;
                    n[0] = 0;
                }
                List<Device> devices = new ArrayList<>();
                if (n[0] > 0) {
                    cl_device_id[] ds = new cl_device_id[n[0]];
                    CL.clGetDeviceIDs(p, CL.CL_DEVICE_TYPE_ALL, ds.length, ds, null);
                    for (cl_device_id d : ds) {
                        devices.add(new Device(index++, deviceString(d, CL.CL_DEVICE_NAME), type(deviceLong(d, CL.CL_DEVICE_TYPE)),
                                deviceString(d, CL.CL_DEVICE_VERSION), (int) deviceInt(d, CL.CL_DEVICE_MAX_COMPUTE_UNITS),
                                deviceLong(d, CL.CL_DEVICE_GLOBAL_MEM_SIZE), deviceLong(d, CL.CL_DEVICE_LOCAL_MEM_SIZE),
                                deviceSize(d, CL.CL_DEVICE_MAX_WORK_GROUP_SIZE), p, d));
                    }
                }
                out.add(new Platform(platformString(p, CL.CL_PLATFORM_NAME), platformString(p, CL.CL_PLATFORM_VENDOR),
                        platformString(p, CL.CL_PLATFORM_VERSION), List.copyOf(devices)));
            }
            return List.copyOf(out);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new UnavailableException("no OpenCL library could be loaded (" + firstLine(e.getMessage())
                    + "); on Debian: apt install ocl-icd-opencl-dev pocl-opencl-icd, or your GPU vendor's driver");
        } catch (CLException e) {
            throw new UnavailableException("OpenCL failed while listing devices: " + CL.stringFor_errorCode(e.getStatus()));
        }
    }

    /** Device {@code index} as {@code devices} numbers it; one clear error when there is no such device. */
    public static Device device(int index) {
        int found = 0;
        for (Platform p : platforms()) {
            for (Device d : p.devices()) if (d.index() == index) return d;
            found += p.devices().size();
        }
        throw new BadInput("there is no OpenCL device " + index + " (" + found + " found; see 'dqn-engine devices')");
    }

    private static String firstLine(String s) {
        if (s == null) return "no detail";
        return s.lines().findFirst().orElse(s);
    }

    private static String type(long t) {
        if ((t & CL.CL_DEVICE_TYPE_GPU) != 0) return "GPU";
        if ((t & CL.CL_DEVICE_TYPE_CPU) != 0) return "CPU";
        if ((t & CL.CL_DEVICE_TYPE_ACCELERATOR) != 0) return "accelerator";
        return "other";
    }

    private static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(p, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        CL.clGetPlatformInfo(p, param, b.length, Pointer.to(b), null);
        return cString(b);
    }

    /** The driver's version string of device {@code d} (CL_DRIVER_VERSION): what a tuning result is keyed by, with the name. */
    static String driverVersion(cl_device_id d) { return deviceString(d, CL.CL_DRIVER_VERSION); }

    private static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(d, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        CL.clGetDeviceInfo(d, param, b.length, Pointer.to(b), null);
        return cString(b);
    }

    private static long deviceLong(cl_device_id d, int param) {
        long[] v = new long[1];
        CL.clGetDeviceInfo(d, param, 8, Pointer.to(v), null);
        return v[0];
    }

    private static long deviceInt(cl_device_id d, int param) {
        int[] v = new int[1];
        CL.clGetDeviceInfo(d, param, 4, Pointer.to(v), null);
        return v[0];
    }

    private static long deviceSize(cl_device_id d, int param) {
        long[] v = new long[1];                       // size_t: 8 bytes on the 64-bit platforms JOCL ships for
        CL.clGetDeviceInfo(d, param, 8, Pointer.to(v), null);
        return v[0];
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8).trim();
    }
}
