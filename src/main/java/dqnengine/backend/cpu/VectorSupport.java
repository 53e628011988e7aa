package dqnengine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.module.ModuleFinder;

/**
 * Whether the incubating Vector API ({@code jdk.incubator.vector}) can be used in this JVM, and
 * how wide the kernels' vectors are.
 *
 * <p>On JDK 17 the module exists in every full JDK but is only resolved when the JVM is started
 * with {@code --add-modules jdk.incubator.vector}; a jar manifest cannot ask for that. The
 * command-line front therefore restarts itself once with the flag (see
 * {@code dqnengine.cli.Main}); everything else only asks {@link #inBootLayer()}.
 *
 * <p><b>One width per JVM.</b> Every kernel uses the same species, {@link Width#SPECIES}: the
 * widest the JVM prefers (512 bits where AVX-512 is on, 256 with AVX2), or the one the system
 * property {@value #BITS_PROPERTY} names (256 or 512). Mixing species in one JVM is not only
 * untidy: measured on an AVX-512 machine, running a 512-bit loop once made the 256-bit GEMM
 * kernel ten times slower for the rest of the run (the Vector API's shared call sites saw two
 * vector classes and C2 stopped intrinsifying them). The block sizes of the kernels follow the
 * width: {@link MicroKernel#COLS} = 3 vectors, {@link BroadcastKernel#LANES} = 2 vectors. The
 * plain-Java kernels use the 256-bit sizes when the module is absent.
 */
public final class VectorSupport {
    private VectorSupport() {}

    public static final String MODULE = "jdk.incubator.vector";
    /** System property that fixes the vector width: {@code 256} or {@code 512}. */
    public static final String BITS_PROPERTY = "dqnengine.vector.bits";

    /** Floats per vector in the kernels' layouts: 8 or 16. */
    static final int LANES = inBootLayer() && Width.BITS >= 256 ? Width.BITS / 32 : 8;

    /** The module is resolved in this JVM, so the Vector API classes can be loaded. */
    public static boolean inBootLayer() {
        return ModuleLayer.boot().findModule(MODULE).isPresent();
    }

    /** The module ships with this runtime (it could be added with {@code --add-modules}). */
    public static boolean inRuntime() {
        return ModuleFinder.ofSystem().find(MODULE).isPresent();
    }

    private static boolean warned;

    /**
     * Says once on stderr, with the flag, when the Vector API ships with this runtime but is not
     * loaded: the case of a library user (the command line restarts itself with the module), whose
     * kernels would otherwise run several times slower without a word.
     */
    static synchronized void warnIfMissing() {
        if (warned || inBootLayer() || !inRuntime()) return;
        warned = true;
        System.err.println("dqn-engine: the Vector API (" + MODULE + ") is not loaded, so the CPU kernels run in plain Java, several times "
                + "slower; start the JVM with --add-modules " + MODULE);
    }

    /** The micro-kernel the fast backend will use in this JVM. */
    static MicroKernel bestKernel() {
        warnIfMissing();
        if (vectorKernels()) return new VectorMicroKernel();
        return new ScalarMicroKernel();
    }

    /** The direct-convolution kernel to use in this JVM. */
    static BroadcastKernel bestBroadcastKernel() {
        // 12 rows need 24 accumulators: AVX-512 has the 32 registers for them, AVX2 only 16.
        if (vectorKernels()) return Width.BITS >= 512 ? new WideBroadcastKernel() : new VectorBroadcastKernel();
        return new BroadcastKernel.Scalar();
    }

    /** The element-wise loops to use in this JVM. */
    static Elementwise bestElementwise() {
        if (vectorKernels()) return new VectorElementwise();
        return new Elementwise.Scalar();
    }

    /** Reports which kernel {@link #bestKernel()} picks, for logs and the bench command. */
    public static String kernelDescription() {
        if (!inBootLayer()) return "plain Java (jdk.incubator.vector not loaded)";
        if (!vectorKernels()) return "plain Java (no 256-bit vector unit)";
        return "Vector API, " + Width.BITS + "-bit FMA";
    }

    /** Bits of the kernels' vectors, or 0 when the plain-Java kernels run. */
    public static int vectorBits() {
        return vectorKernels() ? Width.BITS : 0;
    }

    private static boolean vectorKernels() {
        return inBootLayer() && Width.BITS >= 256;
    }

    /**
     * The FMA throughput of the kernels' vectors in GFLOP/s, measured on the calling thread:
     * 12 independent chains acc ← acc·m + c for {@code iterations} steps, 2 · lanes · 12 FLOP per
     * step. NaN without the vector kernels. Uses the kernels' species, so it pollutes nothing.
     */
    public static double fmaGflops(long iterations) {
        if (!vectorKernels()) return Double.NaN;
        long t0 = System.nanoTime();
        sink = Width.fmaChains(iterations);
        return 2.0 * LANES * 12 * iterations / (System.nanoTime() - t0);
    }

    private static volatile float sink;
    private static boolean used;

    private static final int TILE_WARM_UP = 30_000;

    /**
     * Runs the dot-product kernel a few times and the packed GEMM's kernel ({@link VectorMicroKernel#tile}, which
     * runs {@code tile4} or {@code tile8}) 30,000 times on a few numbers, through all of its paths, when the first
     * vector backend of the JVM is made (~0.1 s). Seen on JDK 17.0.15: some of C2's compilations of the tile do not
     * know the exact vector class of its accumulators after the k loop, so its vector stores (24 in the 4-row tile) are not
     * intrinsified ("missing constant" for the vector class with {@code -XX:+PrintIntrinsics}): each
     * store boxes its vector and writes it element by element. Usually a later compilation replaces
     * such code; when none does, every weight gradient of the run is slow (MinAtar loops six times
     * slower; Nature steps of 58–63 ms instead of 15–17, 2 of ~40 runs of {@code bench --breakdown}).
     * How often such a compilation appears depended on what else the JIT had to compile around the
     * tile's first use: in runs of {@code bench --breakdown --threads 2 --repeats 1 --iters 10
     * --warmup 10} with {@code -XX:CompileCommand=PrintInlining} on the tile, 2 of 16 at the seventh
     * session's end, 8 of 16 once the run kernels had come; with the tile compiled here first, on
     * profiles of all its paths, 0 of 32. (Running it once had kept the MinAtar loops fast: 0 of 28
     * slow, against 6 of 33.) What inside C2 decides it is not pinned down.
     */
    static synchronized void firstUse() {
        if (used || !vectorKernels()) return;
        used = true;
        float[] a = new float[4 * 64], b = new float[24 * 64], c = new float[4 * 24];
        for (int i = 0; i < 3; i++) VectorDot.columns(4, 64, 1f, a, 64, b, 64, 0f, c, 24, 0, 24);
        float[] ap = new float[MicroKernel.ROWS * 40], bp = new float[MicroKernel.COLS * 40];
        float[] out = new float[MicroKernel.ROWS * MicroKernel.COLS], scratch = new float[MicroKernel.ROWS * MicroKernel.COLS];
        VectorMicroKernel kernel = new VectorMicroKernel();
        for (int i = 0; i < TILE_WARM_UP; i++) {                // every path: full tiles, tiles short of rows or of columns, adding and overwriting, short and longer k
            int kc = i % 3 == 0 ? 40 : 8, rows = i % 5 == 0 ? MicroKernel.ROWS - 1 : MicroKernel.ROWS, cols = i % 7 == 0 ? MicroKernel.COLS - 5 : MicroKernel.COLS;
            kernel.tile(ap, 0, bp, kc, out, 0, MicroKernel.COLS, rows, cols, (i & 1) == 0, scratch);
        }
        sink = c[0] + out[0];
    }

    /** Isolated so that the Vector API classes are only touched when the module is present. */
    static final class Width {
        static final VectorSpecies<Float> SPECIES = choose();
        static final int BITS = SPECIES.vectorBitSize();

        private static VectorSpecies<Float> choose() {
            String asked = System.getProperty(BITS_PROPERTY);
            if ("256".equals(asked)) return FloatVector.SPECIES_256;
            if ("512".equals(asked)) return FloatVector.SPECIES_512;
            // any other value: Backends.create refuses it in one line before a kernel runs; this
            // class is loaded first (by the launcher's checks), where a throw would be a stack trace
            var preferred = FloatVector.SPECIES_PREFERRED;
            return preferred.vectorBitSize() > 512 ? FloatVector.SPECIES_512 : preferred;
        }

        static float fmaChains(long iterations) {
            var m = FloatVector.broadcast(SPECIES, 0.999f);
            var c = FloatVector.broadcast(SPECIES, 1e-3f);
            var a0 = c; var a1 = c.add(c); var a2 = a1.add(c); var a3 = a2.add(c); var a4 = a3.add(c); var a5 = a4.add(c);
            var a6 = a5.add(c); var a7 = a6.add(c); var a8 = a7.add(c); var a9 = a8.add(c); var a10 = a9.add(c); var a11 = a10.add(c);
            for (long i = 0; i < iterations; i++) {
                a0 = a0.fma(m, c); a1 = a1.fma(m, c); a2 = a2.fma(m, c); a3 = a3.fma(m, c);
                a4 = a4.fma(m, c); a5 = a5.fma(m, c); a6 = a6.fma(m, c); a7 = a7.fma(m, c);
                a8 = a8.fma(m, c); a9 = a9.fma(m, c); a10 = a10.fma(m, c); a11 = a11.fma(m, c);
            }
            return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                    .reduceLanes(VectorOperators.ADD);
        }
    }
}
