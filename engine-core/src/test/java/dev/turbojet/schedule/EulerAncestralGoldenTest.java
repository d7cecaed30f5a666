package dev.turbojet.schedule;

import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.tensor.HostTensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.turbojet.schedule.Goldens.assertClose;
import static dev.turbojet.schedule.Goldens.assertSameFloats;
import static dev.turbojet.schedule.Goldens.host;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** EulerAncestral with the real SDXL-Turbo config against goldens/scheduler.safetensors (diffusers 0.25.1). */
class EulerAncestralGoldenTest {
    private static SafetensorsFile golden;
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
        assertSameFloats("betas", SCHEDULER.betas(), host(golden, "betas").data());
        assertSameFloats("alphas_cumprod", SCHEDULER.alphasCumprod(), host(golden, "alphas_cumprod").data());
        assertSameFloats("train_sigmas", SCHEDULER.trainingSigmas(), host(golden, "train_sigmas").data());
    }

    @ParameterizedTest(name = "{0} steps")
    @ValueSource(ints = {1, 2, 3, 4})
    void scheduleMatches(int steps) {
        String p = "n" + steps + ".";
        Schedule s = SCHEDULER.schedule(steps);
        assertSameFloats(p + "timesteps", s.timesteps(), host(golden, p + "timesteps").data());
        assertSameFloats(p + "sigmas", s.sigmas(), host(golden, p + "sigmas").data());
        assertSameFloats(p + "init_noise_sigma", new float[]{s.initNoiseSigma()}, host(golden, p + "init_noise_sigma").data());
        float[] factors = new float[steps];
        for (int i = 0; i < steps; i++) factors[i] = s.scaleFactor(i);
        assertClose(p + "scale_factors", HostTensor.of(dev.turbojet.tensor.Shape.of(steps), factors),
                host(golden, p + "scale_factors"), 1e-6);
    }

    @ParameterizedTest(name = "{0} steps")
    @ValueSource(ints = {1, 2, 3, 4})
    void stepSequenceMatches(int steps) {
        String p = "n" + steps + ".";
        Schedule s = SCHEDULER.schedule(steps);
        HostTensor modelOutputs = host(golden, p + "model_output");
        HostTensor noises = host(golden, p + "noise");
        HostTensor sample = host(golden, p + "sample_0");
        for (int i = 0; i < steps; i++) {
            String at = "[" + i + "]";
            assertClose(p + "scaled_model_input" + at, s.scaleModelInput(sample, i),
                    host(golden, p + "scaled_model_input").get(i), Goldens.STEP_TOL);
            Schedule.StepResult r = s.step(i, modelOutputs.get(i), sample, noises.get(i));
            assertClose(p + "pred_original_sample" + at, r.predOriginalSample(),
                    host(golden, p + "pred_original_sample").get(i), Goldens.STEP_TOL);
            assertClose(p + "prev_sample" + at, r.prevSample(), host(golden, p + "prev_sample").get(i), Goldens.STEP_TOL);
            sample = r.prevSample();   // chained: our own output feeds the next step
        }
    }

    @ParameterizedTest(name = "{0} steps")
    @ValueSource(ints = {1, 2, 3, 4})
    void stepNoiseIsTheSeededTorchStream(int steps) {
        String p = "n" + steps + ".";
        long seed = Goldens.tensor(golden, p + "noise_generator_seed").toLongArray()[0];
        TorchGenerator g = new TorchGenerator(seed);
        HostTensor noises = host(golden, p + "noise");
        for (int i = 0; i < steps; i++) {
            HostTensor expected = noises.get(i);
            assertSameFloats(p + "noise[" + i + "]", g.randn(expected.shape()).data(), expected.data());
        }
    }

    @Test
    void stepDrawingFromTheGeneratorEqualsStepWithStoredNoise() {
        Schedule s = SCHEDULER.schedule(2);
        long seed = Goldens.tensor(golden, "n2.noise_generator_seed").toLongArray()[0];
        TorchGenerator g = new TorchGenerator(seed);
        HostTensor sample = host(golden, "n2.sample_0");
        for (int i = 0; i < 2; i++) {
            HostTensor out = host(golden, "n2.model_output").get(i);
            Schedule.StepResult drawn = s.step(i, out, sample, g);
            Schedule.StepResult stored = s.step(i, out, sample, host(golden, "n2.noise").get(i));
            assertSameFloats("n2 prev_sample[" + i + "]", drawn.prevSample().data(), stored.prevSample().data());
            sample = drawn.prevSample();
        }
        assertEquals(2, s.steps());
    }
}
