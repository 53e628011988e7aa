package dqnengine.backend.cpu;

import java.lang.module.ModuleFinder;

/**
 * Whether the incubating Vector API ({@code jdk.incubator.vector}) can be used in this JVM.
 *
 * <p>On JDK 17 the module exists in every full JDK but is only resolved when the JVM is started
 * with {@code --add-modules jdk.incubator.vector}; a jar manifest cannot ask for that. The
 * command-line front therefore restarts itself once with the flag (see
 * {@code dqnengine.cli.Main}); everything else only asks {@link #inBootLayer()}.
 */
public final class VectorSupport {
    private VectorSupport() {}

    public static final String MODULE = "jdk.incubator.vector";

    /** The module is resolved in this JVM, so the Vector API classes can be loaded. */
    public static boolean inBootLayer() {
        return ModuleLayer.boot().findModule(MODULE).isPresent();
    }

    /** The module ships with this runtime (it could be added with {@code --add-modules}). */
    public static boolean inRuntime() {
        return ModuleFinder.ofSystem().find(MODULE).isPresent();
    }

    /** The micro-kernel the fast backend will use in this JVM. */
    static MicroKernel bestKernel() {
        if (inBootLayer() && wideVectors()) return new VectorMicroKernel();
        return new ScalarMicroKernel();
    }

    /** The direct-convolution kernel to use in this JVM. */
    static BroadcastKernel bestBroadcastKernel() {
        if (inBootLayer() && wideVectors()) return new VectorBroadcastKernel();
        return new BroadcastKernel.Scalar();
    }

    /** Reports which kernel {@link #bestKernel()} picks, for logs and the bench command. */
    public static String kernelDescription() {
        if (!inBootLayer()) return "plain Java (jdk.incubator.vector not loaded)";
        if (!wideVectors()) return "plain Java (no 256-bit vector unit)";
        return "Vector API, 256-bit FMA";
    }

    private static boolean wideVectors() {
        return VectorWidth.preferredBits() >= 256;
    }

    /** Isolated so that the Vector API class is only touched when the module is present. */
    private static final class VectorWidth {
        static int preferredBits() {
            return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        }
    }
}
