package dqnengine.backend;

import dqnengine.bench.BackendParity;
import dqnengine.bench.BackendParity.ConvCase;
import dqnengine.bench.BackendParity.GemmCase;
import dqnengine.bench.BackendParity.OptimizerCase;
import dqnengine.backend.cpu.ReferenceBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every backend must equal {@link ReferenceBackend}. A backend's test class extends this one and
 * says how to build the backend; the whole suite then runs against it. The cases, the comparisons
 * and their tolerances are {@link BackendParity}'s, which the GPU check's runner
 * ({@code dqnengine.bench.OpenClParityCheck}) runs without JUnit: each test method here runs the
 * check of the same name there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendParityTest {
    private final Backend ref = new ReferenceBackend();
    protected Backend fast;

    protected abstract Backend createBackend();

    @BeforeAll
    void open() { fast = createBackend(); }

    @AfterAll
    void close() { if (fast != null) fast.close(); }

    @Test
    void everyOpOfTheInterfaceHasAParityTest() {
        Set<String> ops = new TreeSet<>();
        for (Method m : Backend.class.getDeclaredMethods()) {
            // the defaults about residency and closing do nothing on the host; a default that computes (a fused op) needs its check
            boolean computes = !m.isDefault() || m.getName().equals("conv2dForwardRelu") || m.getName().equals("conv2dBackwardDataRelu");
            if (computes && !m.isSynthetic() && !Modifier.isStatic(m.getModifiers()) && !m.getName().equals("name")) ops.add(m.getName());
        }
        assertEquals(new TreeSet<>(BackendParity.OP_CHECKS.keySet()), ops, "ops of Backend against ops with a parity check");
        Set<String> checks = BackendParity.cases().stream().map(BackendParity.Case::check).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(checks.containsAll(BackendParity.OP_CHECKS.values()), "an op's check has no cases: " + checks);
        Set<String> tests = new TreeSet<>();
        for (Method m : BackendParityTest.class.getDeclaredMethods()) {
            if ((m.isAnnotationPresent(Test.class) || m.isAnnotationPresent(ParameterizedTest.class))
                    && !m.getName().equals("everyOpOfTheInterfaceHasAParityTest")) tests.add(m.getName());
        }
        assertEquals(checks, tests, "checks the runner runs against the test methods here");
    }

    static List<GemmCase> gemmCases() { return BackendParity.GEMM_CASES; }

    static List<ConvCase> convCases() { return BackendParity.CONV_CASES; }

    static List<OptimizerCase> optimizerCases() { return BackendParity.OPTIMIZER_CASES; }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gemmCases")
    void gemmEqualsReference(GemmCase c) { BackendParity.gemm(ref, fast, c); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convCases")
    void convolutionEqualsReference(ConvCase c) { BackendParity.convolution(ref, fast, c); }

    static List<BackendParity.LayoutCase> layoutCases() { return BackendParity.LAYOUT_CASES; }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layoutCases")
    void pixelMajorConvolutionEqualsReference(BackendParity.LayoutCase c) { BackendParity.pixelMajorConvolution(ref, fast, c); }

    @Test
    void longElementwisePassesEqualReference() { BackendParity.longElementwise(ref, fast); }

    @Test
    void elementwiseOpsEqualReference() { BackendParity.elementwise(ref, fast); }

    @Test
    void scaleRowsEqualsReference() { BackendParity.scaleRows(ref, fast); }

    @Test
    void tdTargetsEqualReference() { BackendParity.tdTargets(ref, fast); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizerCases")
    void optimizerUpdatesEqualReference(OptimizerCase c) { BackendParity.optimizerUpdates(ref, fast, c); }

    @ParameterizedTest(name = "{0}")
    @EnumSource(LossKind.class)
    void gatheredLossEqualsReference(LossKind kind) { BackendParity.gatheredLoss(ref, fast, kind); }

    @Test
    void fillEqualsReference() { BackendParity.fill(ref, fast); }

    @Test
    void copyEqualsReference() { BackendParity.copy(ref, fast); }

    @Test
    void scaleEqualsReference() { BackendParity.scale(ref, fast); }

    @Test
    void u8ToFloatEqualsReference() { BackendParity.u8ToFloat(ref, fast); }

    @Test
    void aFullNatureTrainStepEqualsReference() { BackendParity.natureTrainStep(ref, fast); }

    @Test
    void rmsPropNatureStepRunsOnTheBackend() { BackendParity.rmsPropNatureStep(ref, fast); }
}
