package dev.turbojet.verify;

/**
 * A pass criterion on max |actual - expected|: at most {@code scaled * max(1, max|expected|)}, the
 * reference kit's form. {@code scaled == 0} means exact.
 */
public record Tolerance(double scaled) {
    /** Token ids, timesteps, shapes. */
    public static final Tolerance EXACT = new Tolerance(0);
    /** fp32 outputs of models (text encoders, UNet, VAE, pipeline latents). */
    public static final Tolerance FP32_OUTPUT = new Tolerance(1e-4);
    /** fp32 intermediates deep inside a model (hooks). */
    public static final Tolerance FP32_HOOK = new Tolerance(5e-4);
    /** The scheduler's own fp32 arithmetic. */
    public static final Tolerance SCHEDULER = new Tolerance(1e-5);

    public boolean accepts(Comparison c) {
        return c.withinScaled(scaled);
    }

    @Override
    public String toString() {
        return scaled == 0 ? "exact" : String.format("%.0e*max(1,|e|)", scaled);
    }
}
