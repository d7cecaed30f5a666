package dev.turbojet.verify;

import dev.turbojet.schedule.EulerAncestral;
import dev.turbojet.schedule.Schedule;
import dev.turbojet.schedule.TorchGenerator;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;

/**
 * Scheduler goldens: {@code betas}, {@code alphas_cumprod}, and per case {@code n<steps>.*}: the
 * schedule (timesteps, sigmas, init_noise_sigma, scale factors), then the whole step sequence from
 * {@code sample_0} with the stored model outputs, and the step noise from the stored generator seed.
 */
public final class SchedulerSuite implements GoldenSuite {
    @Override
    public String name() {
        return "scheduler";
    }

    @Override
    public boolean accepts(GoldenFile g) {
        return g.has("betas") && g.has("alphas_cumprod");
    }

    @Override
    public void run(VerifyContext ctx, GoldenFile g, VerifyReport report) {
        EulerAncestral scheduler = ctx.scheduler();
        report.check("betas", vector(scheduler.betas()), Tolerance.EXACT);
        report.check("alphas_cumprod", vector(scheduler.alphasCumprod()), Tolerance.SCHEDULER);
        if (g.has("train_sigmas")) report.check("train_sigmas", vector(scheduler.trainingSigmas()), Tolerance.SCHEDULER);
        for (String c : g.cases(".timesteps")) {
            try {
                runCase(scheduler, c, g, report);
            } catch (RuntimeException e) {
                report.error(c + ".timesteps", e);
            }
        }
    }

    private static void runCase(EulerAncestral scheduler, String c, GoldenFile g, VerifyReport report) {
        int steps = g.view(c + ".timesteps").shape().intDim(0);
        Schedule s = scheduler.schedule(steps);
        report.check(c + ".timesteps", vector(s.timesteps()), Tolerance.EXACT);
        report.check(c + ".sigmas", vector(s.sigmas()), Tolerance.SCHEDULER);
        report.check(c + ".init_noise_sigma", vector(new float[]{s.initNoiseSigma()}), Tolerance.SCHEDULER);
        float[] factors = new float[steps];
        for (int i = 0; i < steps; i++) factors[i] = s.scaleFactor(i);
        report.check(c + ".scale_factors", vector(factors), Tolerance.SCHEDULER);
        if (!g.has(c + ".sample_0")) return;

        HostTensor sample = report.input(c + ".sample_0");
        HostTensor modelOutput = report.input(c + ".model_output");
        TorchGenerator generator = g.has(c + ".noise_generator_seed")
                ? new TorchGenerator(report.inputLongs(c + ".noise_generator_seed")[0]) : null;
        long[] stepDims = prepend(steps, sample.shape().dims());
        int n = sample.data().length;
        float[] scaled = new float[steps * n], prev = new float[steps * n], pred = new float[steps * n], noise = new float[steps * n];
        for (int i = 0; i < steps; i++) {
            System.arraycopy(s.scaleModelInput(sample, i).data(), 0, scaled, i * n, n);
            HostTensor stepNoise = generator != null ? generator.randn(sample.shape()) : report.input(c + ".noise").get(i);
            System.arraycopy(stepNoise.data(), 0, noise, i * n, n);
            Schedule.StepResult r = s.step(i, modelOutput.get(i), sample, stepNoise);
            System.arraycopy(r.prevSample().data(), 0, prev, i * n, n);
            System.arraycopy(r.predOriginalSample().data(), 0, pred, i * n, n);
            sample = r.prevSample();
        }
        Shape shape = Shape.of(stepDims);
        report.check(c + ".scaled_model_input", new HostTensor(shape, scaled), Tolerance.SCHEDULER);
        if (generator != null) report.check(c + ".noise", new HostTensor(shape, noise), Tolerance.EXACT);
        report.check(c + ".prev_sample", new HostTensor(shape, prev), Tolerance.SCHEDULER);
        report.check(c + ".pred_original_sample", new HostTensor(shape, pred), Tolerance.SCHEDULER);
    }

    static HostTensor vector(float[] v) {
        return new HostTensor(Shape.of(v.length), v);
    }

    static long[] prepend(long first, long[] dims) {
        long[] out = new long[dims.length + 1];
        out[0] = first;
        System.arraycopy(dims, 0, out, 1, dims.length);
        return out;
    }
}
