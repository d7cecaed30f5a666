package dev.turbojet.schedule;

import dev.turbojet.schedule.SchedulerConfig.PredictionType;
import dev.turbojet.tensor.HostTensor;

/**
 * One run's Euler-ancestral schedule: what diffusers' scheduler holds after {@code set_timesteps},
 * made immutable; the step index is passed explicitly instead of kept as {@code _step_index}.
 * All arithmetic is float32, as diffusers does it (it upcasts the sample to float32 in
 * {@code step}).
 *
 * @param timesteps      the UNet timestep of each step, descending: [steps]
 * @param sigmas         the noise level before each step, then the level after the last: [steps + 1]
 * @param initNoiseSigma how much to scale unit noise for the starting latents of a text-to-image run
 */
public record Schedule(float[] timesteps, float[] sigmas, float initNoiseSigma, PredictionType predictionType) {

    /** {@code step()}'s two outputs. */
    public record StepResult(HostTensor prevSample, HostTensor predOriginalSample) {}

    public Schedule {
        if (sigmas.length != timesteps.length + 1) {
            throw new IllegalArgumentException(timesteps.length + " timesteps need " + (timesteps.length + 1)
                    + " sigmas, got " + sigmas.length);
        }
        timesteps = timesteps.clone();
        sigmas = sigmas.clone();
    }

    public int steps() {
        return timesteps.length;
    }

    @Override
    public float[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public float[] sigmas() {
        return sigmas.clone();
    }

    public float timestep(int step) {
        return timesteps[checkStep(step)];
    }

    public float sigma(int step) {
        return sigmas[checkStep(step)];
    }

    /** The last {@code steps() - start} steps, as an img2img run that starts part-way takes them. */
    public Schedule from(int start) {
        if (start < 0 || start >= steps()) {
            throw new IllegalArgumentException("start step " + start + " outside [0, " + steps() + ")");
        }
        return new Schedule(java.util.Arrays.copyOfRange(timesteps, start, timesteps.length),
                java.util.Arrays.copyOfRange(sigmas, start, sigmas.length), initNoiseSigma, predictionType);
    }

    /** 1 / sqrt(sigma^2 + 1): the factor {@link #scaleModelInput} applies. */
    public float scaleFactor(int step) {
        return 1f / inputDivisor(sigma(step));
    }

    /** {@code scale_model_input}: sample / sqrt(sigma^2 + 1), the UNet's input at this step. */
    public HostTensor scaleModelInput(HostTensor sample, int step) {
        float divisor = inputDivisor(sigma(step));
        float[] x = sample.data();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i] / divisor;
        return new HostTensor(sample.shape(), out);
    }

    /**
     * {@code step()}: one Euler step from sigma_i to sigma_down along the model's derivative, then
     * sigma_up of fresh noise, where sigma_up = sqrt(sigma_to^2 (sigma_from^2 - sigma_to^2) / sigma_from^2)
     * and sigma_down = sqrt(sigma_to^2 - sigma_up^2). {@code noise} has the model output's shape.
     */
    public StepResult step(int step, HostTensor modelOutput, HostTensor sample, HostTensor noise) {
        if (!modelOutput.shape().equals(sample.shape()) || !noise.shape().equals(sample.shape())) {
            throw new IllegalArgumentException("step: model output " + modelOutput.shape() + ", sample "
                    + sample.shape() + " and noise " + noise.shape() + " must have one shape");
        }
        float sigma = sigma(step);
        float sigmaTo = sigmas[step + 1];
        float from2 = sigma * sigma;
        float to2 = sigmaTo * sigmaTo;
        float sigmaUp = (float) Math.sqrt(to2 * (from2 - to2) / from2);
        float sigmaDown = (float) Math.sqrt(to2 - sigmaUp * sigmaUp);
        float dt = sigmaDown - sigma;

        float[] m = modelOutput.data();
        float[] x = sample.data();
        float[] z = noise.data();
        float[] pred = new float[x.length];
        float[] prev = new float[x.length];
        float vScale = -sigma / inputDivisor(sigma);   // v_prediction only
        float vDivisor = from2 + 1f;
        for (int i = 0; i < x.length; i++) {
            pred[i] = switch (predictionType) {
                case EPSILON -> x[i] - sigma * m[i];
                case V_PREDICTION -> m[i] * vScale + x[i] / vDivisor;
            };
            float derivative = (x[i] - pred[i]) / sigma;
            prev[i] = (x[i] + derivative * dt) + z[i] * sigmaUp;
        }
        return new StepResult(new HostTensor(sample.shape(), prev), new HostTensor(sample.shape(), pred));
    }

    /** {@link #step(int, HostTensor, HostTensor, HostTensor)} drawing the noise from {@code generator}, as diffusers does. */
    public StepResult step(int step, HostTensor modelOutput, HostTensor sample, TorchGenerator generator) {
        return step(step, modelOutput, sample, generator.randn(modelOutput.shape()));
    }

    /** {@code add_noise}: original + noise * sigma_step, the img2img starting latents for the schedule's step. */
    public HostTensor addNoise(HostTensor original, HostTensor noise, int step) {
        if (!original.shape().equals(noise.shape())) {
            throw new IllegalArgumentException("addNoise: original " + original.shape() + " and noise " + noise.shape() + " differ");
        }
        float sigma = sigma(step);
        float[] x = original.data();
        float[] z = noise.data();
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i] + z[i] * sigma;
        return new HostTensor(original.shape(), out);
    }

    private static float inputDivisor(float sigma) {
        return (float) Math.sqrt(sigma * sigma + 1f);
    }

    private int checkStep(int step) {
        if (step < 0 || step >= timesteps.length) {
            throw new IndexOutOfBoundsException("step " + step + " outside [0, " + timesteps.length + ")");
        }
        return step;
    }
}
