package dev.turbojet.schedule;

import dev.turbojet.tensor.HostTensor;
import dev.turbojet.testing.Goldens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.turbojet.testing.Goldens.assertClose;
import static dev.turbojet.testing.Goldens.assertSameFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** EulerAncestral with the real SDXL-Turbo config against goldens/scheduler.safetensors (diffusers 0.25.1). */
class EulerAncestralGoldenTest {
    private static Goldens golden;
    /** scheduler step(): fp32 by design, ~1e-6 relative in the reference kit's fp32-vs-fp64 report. */
    private static final double STEP_TOL = 1e-5;
    private static final EulerAncestral SCHEDULER = new EulerAncestral(SchedulerConfig.sdxlTurbo());

    @BeforeAll
    static void open() {
        golden = Goldens.open("scheduler.safetensors");
    }

    @AfterAll
    static void close() {
        golden.close();
    }

    @Test
    void trainingTablesAreBitExact() {
        assertSameFloats("betas", SCHEDULER.betas(), golden.get("betas").data());
        assertSameFloats("alphas_cumprod", SCHEDULER.alphasCumprod(), golden.get("alphas_cumprod").data());
        assertSameFloats("train_sigmas", SCHEDULER.trainingSigmas(), golden.get("train_sigmas").data());
    }

    @ParameterizedTest(name = "{0} steps")
    @ValueSource(ints = {1, 2, 3, 4})
    void scheduleMatches(int steps) {
        String p = "n" + steps + ".";
        Schedule s = SCHEDULER.schedule(steps);
        assertSameFloats(p + "timesteps", s.timesteps(), golden.get(p + "timesteps").data());
        assertSameFloats(p + "sigmas", s.sigmas(), golden.get(p + "sigmas").data());
        assertSameFloats(p + "init_noise_sigma", new float[]{s.initNoiseSigma()}, golden.get(p + "init_noise_sigma").data());
        float[] factors = new float[steps];
        for (int i = 0; i < steps; i++) factors[i] = s.scaleFactor(i);
        assertClose(p + "scale_factors", HostTensor.of(dev.turbojet.tensor.Shape.of(steps), factors),
                golden.get(p + "scale_factors"), 1e-6);
    }

    @ParameterizedTest(name = "{0} steps")
    @ValueSource(ints = {1, 2, 3, 4})
    void stepSequenceMatches(int steps) {
        String p = "n" + steps + ".";
        Schedule s = SCHEDULER.schedule(steps);
        HostTensor modelOutputs = golden.get(p + "model_output");
        HostTensor noises = golden.get(p + "noise");
        HostTensor sample = golden.get(p + "sample_0");
        for (int i = 0; i < steps; i++) {
            String at = "[" + i + "]";
            assertClose(p + "scaled_model_input" + at, s.scaleModelInput(sample, i),
                    golden.get(p + "scaled_model_input").get(i), STEP_TOL);
            Schedule.StepResult r = s.step(i, modelOutputs.get(i), sample, noises.get(i));
            assertClose(p + "pred_original_sample" + at, r.predOriginalSample(),
                    golden.get(p + "pred_original_sample").get(i), STEP_TOL);
            assertClose(p + "prev_sample" + at, r.prevSample(), golden.get(p + "prev_sample").get(i), STEP_TOL);
            sample = r.prevSample();   // chained: our own output feeds the next step
        }
    }

    @ParameterizedTest(name = "{0} steps")
    @ValueSource(ints = {1, 2, 3, 4})
    void stepNoiseIsTheSeededTorchStream(int steps) {
        String p = "n" + steps + ".";
        long seed = golden.tensor(p + "noise_generator_seed").toLongArray()[0];
        TorchGenerator g = new TorchGenerator(seed);
        HostTensor noises = golden.get(p + "noise");
        for (int i = 0; i < steps; i++) {
            HostTensor expected = noises.get(i);
            assertSameFloats(p + "noise[" + i + "]", g.randn(expected.shape()).data(), expected.data());
        }
    }

    @Test
    void stepDrawingFromTheGeneratorEqualsStepWithStoredNoise() {
        Schedule s = SCHEDULER.schedule(2);
        long seed = golden.tensor("n2.noise_generator_seed").toLongArray()[0];
        TorchGenerator g = new TorchGenerator(seed);
        HostTensor sample = golden.get("n2.sample_0");
        for (int i = 0; i < 2; i++) {
            HostTensor out = golden.get("n2.model_output").get(i);
            Schedule.StepResult drawn = s.step(i, out, sample, g);
            Schedule.StepResult stored = s.step(i, out, sample, golden.get("n2.noise").get(i));
            assertSameFloats("n2 prev_sample[" + i + "]", drawn.prevSample().data(), stored.prevSample().data());
            sample = drawn.prevSample();
        }
        assertEquals(2, s.steps());
    }
}
