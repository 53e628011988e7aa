package dqnengine.optim;

import dqnengine.backend.Backend;
import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.nn.Parameter;
import dqnengine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Hand-computed optimizer steps on one scalar parameter (θ₀ = 1). */
class OptimizerTest {
    private final Backend be = new ReferenceBackend();

    private static Parameter scalar() {
        return Parameter.of("p", Tensor.wrap(new float[] {1f}, 1));
    }

    private void stepWithGradient(Optimizer opt, Parameter p, float g) {
        opt.zeroGrad();
        p.grad().data[0] = g;
        opt.step(be);
    }

    @Test
    void adamTwoStepsMatchTheHandComputation() {
        Parameter p = scalar();
        Adam adam = new Adam(List.of(p), 0.1f);      // β₁ 0.9, β₂ 0.999, ε 1e-8
        // t=1, g=0.5: m=0.05, v=0.00025, m̂=0.5, v̂=0.25, θ = 1 − 0.1·0.5/(0.5+1e-8) = 0.9
        stepWithGradient(adam, p, 0.5f);
        assertEquals(0.9f, p.value().data[0], 1e-6f);
        // t=2, g=−1: m=−0.055, v=0.00124975, m̂=−0.055/0.19=−0.28947, v̂=0.00124975/0.001999=0.62519,
        // θ = 0.9 + 0.1·0.28947/0.79069 = 0.93661035
        stepWithGradient(adam, p, -1f);
        assertEquals(0.93661035f, p.value().data[0], 2e-6f);
        assertEquals(-0.055f, adam.state().get("exp_avg.p").data[0], 1e-7f);
        assertEquals(0.00124975f, adam.state().get("exp_avg_sq.p").data[0], 1e-9f + 1e-4f * 0.00124975f); // 1 − β₂ rounds in float
        assertEquals(2, adam.stepCount());
    }

    @Test
    void rmsPropPytorchFormMatchesTheHandComputation() {
        Parameter p = scalar();
        RmsProp opt = RmsProp.pytorchDefaults(List.of(p));       // lr 0.01, α 0.99, ε 1e-8
        // s = 0.01·0.25 = 0.0025, √s = 0.05, θ = 1 − 0.01·0.5/0.05 = 0.9
        stepWithGradient(opt, p, 0.5f);
        assertEquals(0.9f, p.value().data[0], 1e-6f);
    }

    @Test
    void rmsPropNatureCentredFormMatchesTheHandComputation() {
        Parameter p = scalar();
        RmsProp opt = RmsProp.nature(List.of(p));                // lr 2.5e-4, α 0.95, ε 0.01 inside √
        // s = 0.05·0.25 = 0.0125, ḡ = 0.05·0.5 = 0.025, var = 0.0125 − 0.000625 = 0.011875,
        // θ = 1 − 2.5e-4·0.5/√(0.011875 + 0.01) = 0.99915485
        stepWithGradient(opt, p, 0.5f);
        assertEquals(0.99915485f, p.value().data[0], 1e-7f);
        assertEquals(0.025f, opt.state().get("grad_avg.p").data[0], 1e-8f);
    }

    @Test
    void sgdWithMomentumFollowsPytorchSemantics() {
        Parameter p = scalar();
        Sgd opt = new Sgd(List.of(p), 0.1f, 0.9f);
        stepWithGradient(opt, p, 1f);        // buf = 1,          θ = 1 − 0.1   = 0.9
        stepWithGradient(opt, p, 1f);        // buf = 0.9 + 1,    θ = 0.9 − 0.19 = 0.71
        assertEquals(0.71f, p.value().data[0], 1e-6f);
    }

    @Test
    void globalNormClippingScalesAllGradientsTogether() {
        Parameter a = Parameter.of("a", Tensor.zeros(2));
        Parameter b = Parameter.of("b", Tensor.zeros(1));
        a.grad().data[0] = 3f;
        a.grad().data[1] = 0f;
        b.grad().data[0] = 4f;                                   // ‖g‖ = 5
        double norm = GradClip.clipGlobalNorm(be, List.of(a, b), 1.0);
        assertEquals(5.0, norm, 1e-9);
        assertEquals(0.6f, a.grad().data[0], 1e-6f);            // 3 · 1/5
        assertEquals(0.8f, b.grad().data[0], 1e-6f);            // 4 · 1/5
        double again = GradClip.clipGlobalNorm(be, List.of(a, b), 2.0);   // below the bound: untouched
        assertEquals(1.0, again, 1e-5);
        assertEquals(0.6f, a.grad().data[0], 1e-6f);
    }

    @Test
    void impossibleHyperparametersAreRejected() {
        List<Parameter> ps = List.of(scalar());
        assertThrows(IllegalArgumentException.class, () -> new Adam(ps, -1f));
        assertThrows(IllegalArgumentException.class, () -> new Adam(ps, 1e-3f, 1f, 0.999f, 1e-8f));
        assertThrows(IllegalArgumentException.class, () -> new RmsProp(ps, 1e-3f, 1.5f, 0.01f, 0f, true, true));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(ps, 0f));
    }
}
