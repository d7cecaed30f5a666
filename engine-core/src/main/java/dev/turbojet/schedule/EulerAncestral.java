package dev.turbojet.schedule;

import dev.turbojet.schedule.SchedulerConfig.TimestepSpacing;

/**
 * diffusers 0.25.1 {@code EulerAncestralDiscreteScheduler}: the training noise tables, and
 * {@link #schedule(int)} in place of {@code set_timesteps}. Numerics follow diffusers: the tables are
 * float32 as torch computes them, the inference sigmas are interpolated in float64 by
 * {@code np.interp} and stored as float32.
 */
public final class EulerAncestral {
    private final SchedulerConfig config;
    private final float[] betas;            // [N]
    private final float[] alphasCumprod;    // [N]
    /** sqrt((1 - a) / a) per training timestep, ascending in timestep: [N]. */
    private final float[] timestepSigmas;

    public EulerAncestral(SchedulerConfig config) {
        this.config = config;
        int n = config.numTrainTimesteps();
        this.betas = switch (config.betaSchedule()) {
            case LINEAR -> torchLinspace(config.betaStart(), config.betaEnd(), n);
            case SCALED_LINEAR -> {
                float[] b = torchLinspace(Math.sqrt(config.betaStart()), Math.sqrt(config.betaEnd()), n);
                for (int i = 0; i < n; i++) b[i] = b[i] * b[i];
                yield b;
            }
        };
        // torch.cumprod on CPU accumulates in double and rounds each prefix to float.
        this.alphasCumprod = new float[n];
        double product = 1.0;
        for (int i = 0; i < n; i++) {
            product *= 1f - betas[i];
            alphasCumprod[i] = (float) product;
        }
        this.timestepSigmas = new float[n];
        for (int i = 0; i < n; i++) {
            float a = alphasCumprod[i];
            timestepSigmas[i] = (float) Math.sqrt((1f - a) / a);
        }
    }

    public SchedulerConfig config() {
        return config;
    }

    /** betas, float32 [N]. */
    public float[] betas() {
        return betas.clone();
    }

    /** cumprod(1 - betas), float32 [N]. */
    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** The sigmas at construction: sqrt((1 - a) / a) from the last timestep down to the first, then 0: [N + 1]. */
    public float[] trainingSigmas() {
        int n = timestepSigmas.length;
        float[] s = new float[n + 1];
        for (int i = 0; i < n; i++) s[i] = timestepSigmas[n - 1 - i];
        return s;
    }

    /** {@code set_timesteps(steps)}: the timesteps and sigmas of a text-to-image run. */
    public Schedule schedule(int steps) {
        if (steps < 1 || steps > config.numTrainTimesteps()) {
            throw new IllegalArgumentException("steps must be in [1, " + config.numTrainTimesteps() + "], got " + steps);
        }
        float[] timesteps = timesteps(steps);
        float[] sigmas = new float[steps + 1];
        for (int i = 0; i < steps; i++) sigmas[i] = (float) interp(timesteps[i], timestepSigmas);
        sigmas[steps] = 0f;
        float maxSigma = 0f;
        for (float s : sigmas) maxSigma = Math.max(maxSigma, s);
        // diffusers: the largest sigma for linspace and trailing spacing, sqrt(max^2 + 1) otherwise.
        float initNoiseSigma = config.timestepSpacing() == TimestepSpacing.LEADING
                ? (float) Math.sqrt(maxSigma * maxSigma + 1f) : maxSigma;
        return new Schedule(timesteps, sigmas, initNoiseSigma, config.predictionType());
    }

    /**
     * The schedule an image-to-image run denoises: diffusers' SDXL img2img {@code get_timesteps}
     * keeps the last {@code init = min(floor(steps * strength), steps)} steps of {@code schedule(steps)}.
     * Where that is zero (e.g. 1 step at strength 0.5) diffusers runs no step at all and fails
     * (diffusers issue #11092); here it is raised to one, so any strength in (0, 1] runs at least the
     * final step. Every other (steps, strength) gives exactly diffusers' schedule.
     */
    public Schedule img2img(int steps, double strength) {
        return schedule(steps).from(img2imgStartStep(steps, strength));
    }

    /** The index of the first step an img2img run takes: {@code steps - max(1, min(floor(steps * strength), steps))}. */
    public static int img2imgStartStep(int steps, double strength) {
        if (!(strength > 0 && strength <= 1)) {
            throw new IllegalArgumentException("img2img strength must be in (0, 1], got " + strength);
        }
        if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        int init = Math.min((int) (steps * strength), steps);
        return steps - Math.max(1, init);
    }

    /** The timesteps of {@code set_timesteps(steps)}, descending, float32 as diffusers stores them. */
    private float[] timesteps(int steps) {
        int n = config.numTrainTimesteps();
        float[] t = new float[steps];
        switch (config.timestepSpacing()) {
            case LINSPACE -> {
                // np.linspace(0, N - 1, steps)[::-1]: i * step in float64, the last point exactly N - 1;
                // with one step numpy gives [0].
                double step = steps > 1 ? (n - 1.0) / (steps - 1) : 0;
                for (int i = 0; i < steps; i++) {
                    double v = (steps > 1 && i == steps - 1) ? n - 1.0 : i * step;
                    t[steps - 1 - i] = (float) v;
                }
            }
            case LEADING -> {
                int ratio = n / steps;
                for (int i = 0; i < steps; i++) t[steps - 1 - i] = (float) (i * ratio) + config.stepsOffset();
            }
            case TRAILING -> {
                // np.round(np.arange(N, 0, -N / steps)).astype(float32) - 1; numpy's arange fills
                // start + i * d with d = (start + delta) - start.
                double delta = -(double) n / steps;
                double d = (n + delta) - n;
                for (int i = 0; i < steps; i++) t[i] = (float) Math.rint(n + i * d) - 1f;
            }
        }
        return t;
    }

    /** np.interp(x, arange(len(fp)), fp) in float64. */
    static double interp(double x, float[] fp) {
        int last = fp.length - 1;
        if (x <= 0) return fp[0];
        if (x >= last) return fp[last];
        int j = (int) Math.floor(x);
        if (x == j) return fp[j];
        double slope = ((double) fp[j + 1] - fp[j]) / 1.0;
        return slope * (x - j) + fp[j];
    }

    /**
     * torch.linspace(start, end, steps, dtype=float32) as torch 1.13's AVX2 CPU kernel computes it:
     * the end points rounded to float and a float step; the first half counts up from start and the
     * second half down from end. Blocks of 16 go through the vector path, which evaluates the
     * formula at each 8-lane vector's first index and adds k * step per lane; the rest is scalar.
     * The build contracts each multiply-add into an FMA. Bit-exact against the betas golden.
     */
    static float[] torchLinspace(double start, double end, int steps) {
        float s = (float) start;
        float e = (float) end;
        if (steps == 1) return new float[]{s};
        float step = (e - s) / (steps - 1);
        int halfway = steps / 2;
        float[] out = new float[steps];
        int vectorized = steps / 16 * 16;
        for (int i = 0; i < vectorized; i += 8) {
            float base = linspacePoint(s, e, step, i, steps, halfway);
            for (int k = 0; k < 8; k++) out[i + k] = Math.fma(k, step, base);
        }
        for (int i = vectorized; i < steps; i++) out[i] = linspacePoint(s, e, step, i, steps, halfway);
        return out;
    }

    private static float linspacePoint(float start, float end, float step, int i, int steps, int halfway) {
        return i < halfway ? Math.fma(step, i, start) : Math.fma(-step, steps - i - 1, end);
    }
}
