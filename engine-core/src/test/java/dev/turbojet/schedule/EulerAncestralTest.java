package dev.turbojet.schedule;

import dev.turbojet.schedule.SchedulerConfig.BetaSchedule;
import dev.turbojet.schedule.SchedulerConfig.PredictionType;
import dev.turbojet.schedule.SchedulerConfig.TimestepSpacing;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Behaviour without goldens: the other spacings (values as diffusers 0.25.1 gives them), img2img, v-prediction. */
class EulerAncestralTest {
    private static final EulerAncestral TURBO = new EulerAncestral(SchedulerConfig.sdxlTurbo());

    private static EulerAncestral withSpacing(TimestepSpacing spacing, PredictionType prediction) {
        return new EulerAncestral(new SchedulerConfig(1000, 0.00085, 0.012, BetaSchedule.SCALED_LINEAR,
                prediction, spacing, 1));
    }

    @Test
    void trailingTimesteps() {
        assertArrayEquals(new float[]{999, 749, 499, 249}, TURBO.schedule(4).timesteps());
        assertArrayEquals(new float[]{999, 666, 332}, TURBO.schedule(3).timesteps());
        assertEquals(50, TURBO.schedule(50).steps());
        assertEquals(19, TURBO.schedule(50).timesteps()[49]);
    }

    @Test
    void linspaceTimestepsAndSigmas() {
        EulerAncestral s = withSpacing(TimestepSpacing.LINSPACE, PredictionType.EPSILON);
        assertArrayEquals(new float[]{999, 666, 333, 0}, s.schedule(4).timesteps());
        assertArrayEquals(new float[]{999, 499.5f, 0}, s.schedule(3).timesteps());
        assertArrayEquals(new float[]{0}, s.schedule(1).timesteps());   // numpy's linspace with one point
        Schedule three = s.schedule(3);
        float[] train = s.trainingSigmas();   // descending: train[k] is timestep 999 - k
        // 499.5 lies halfway between timesteps 499 and 500: np.interp in float64, then float32.
        float expected = (float) (((double) train[499] - train[500]) * 0.5 + train[500]);
        assertEquals(expected, three.sigma(1));
        assertEquals(three.sigma(0), three.initNoiseSigma());
    }

    @Test
    void leadingTimestepsAndInitNoiseSigma() {
        Schedule s = withSpacing(TimestepSpacing.LEADING, PredictionType.EPSILON).schedule(4);
        assertArrayEquals(new float[]{751, 501, 251, 1}, s.timesteps());
        float max = s.sigma(0);
        assertEquals((float) Math.sqrt(max * max + 1f), s.initNoiseSigma());
    }

    @ParameterizedTest(name = "{0} steps at strength {1}: start {2}")
    @CsvSource({
            "1, 0.5, 0",    // diffusers: int(0.5) = 0 steps, nothing runs; here the last step runs
            "1, 1.0, 0",
            "2, 0.5, 1",    // the usual sdxl-turbo img2img call: one step at t = 499
            "4, 0.5, 2",
            "3, 0.7, 1",    // int(3 * 0.7) = int(2.0999999999999996) = 2
            "4, 0.1, 3",    // raised to one step
            "4, 1.0, 0",
            "50, 0.3, 35"})
    void img2imgStartStep(int steps, double strength, int start) {
        assertEquals(start, EulerAncestral.img2imgStartStep(steps, strength));
        Schedule full = TURBO.schedule(steps);
        Schedule img = TURBO.img2img(steps, strength);
        assertEquals(steps - start, img.steps());
        assertEquals(full.timestep(start), img.timestep(0));
        assertEquals(full.sigma(start), img.sigma(0));
        assertEquals(0f, img.sigmas()[img.steps()]);
    }

    @Test
    void img2imgRejectsStrengthOutsideTheUnitInterval() {
        assertThrows(IllegalArgumentException.class, () -> EulerAncestral.img2imgStartStep(4, 0.0));
        assertThrows(IllegalArgumentException.class, () -> EulerAncestral.img2imgStartStep(4, 1.5));
        assertThrows(IllegalArgumentException.class, () -> EulerAncestral.img2imgStartStep(4, Double.NaN));
    }

    @Test
    void addNoiseUsesTheSigmaOfTheFirstImg2imgStep() {
        Schedule img = TURBO.img2img(2, 0.5);
        HostTensor original = HostTensor.of(Shape.of(1, 3), 1f, -2f, 0.5f);
        HostTensor noise = HostTensor.of(Shape.of(1, 3), 0.25f, 1f, -1f);
        float sigma = img.sigma(0);
        assertArrayEquals(new float[]{1f + 0.25f * sigma, -2f + sigma, 0.5f - sigma},
                img.addNoise(original, noise, 0).data());
    }

    @Test
    void vPredictionStep() {
        Schedule s = withSpacing(TimestepSpacing.TRAILING, PredictionType.V_PREDICTION).schedule(2);
        float sigma = s.sigma(0);
        float sample = 3f;
        float v = 0.5f;
        HostTensor out = HostTensor.of(Shape.of(1), v);
        Schedule.StepResult r = s.step(0, out, HostTensor.of(Shape.of(1), sample), HostTensor.of(Shape.of(1), 0f));
        float expected = v * (-sigma / (float) Math.sqrt(sigma * sigma + 1f)) + sample / (sigma * sigma + 1f);
        assertEquals(expected, r.predOriginalSample().data()[0]);
    }

    @Test
    void lastStepAddsNoNoiseAndLandsOnThePrediction() {
        Schedule s = TURBO.schedule(1);
        HostTensor sample = HostTensor.of(Shape.of(2), 10f, -4f);
        HostTensor eps = HostTensor.of(Shape.of(2), 0.3f, 0.1f);
        Schedule.StepResult r = s.step(0, eps, sample, HostTensor.of(Shape.of(2), 100f, 100f));
        assertArrayEquals(r.predOriginalSample().data(), r.prevSample().data(), 1e-5f);
    }

    @Test
    void stepRejectsMismatchedShapesAndSteps() {
        Schedule s = TURBO.schedule(2);
        HostTensor a = HostTensor.zeros(Shape.of(2));
        HostTensor b = HostTensor.zeros(Shape.of(3));
        assertThrows(IllegalArgumentException.class, () -> s.step(0, a, b, a));
        assertThrows(IndexOutOfBoundsException.class, () -> s.step(2, a, a, a));
        assertThrows(IllegalArgumentException.class, () -> TURBO.schedule(0));
    }
}
