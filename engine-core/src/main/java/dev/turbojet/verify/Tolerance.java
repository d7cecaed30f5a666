package dev.turbojet.verify;

/**
 * A pass criterion. Scaled: max |actual - expected| at most {@code value * max(1, max|expected|)}, the
 * reference kit's form for fp32 ({@code value == 0}: exact). Relative: ||a - e||_2 / ||e||_2 at most
 * {@code value}, the form for fp16/bf16 backends, whose rounding is spread over every element.
 */
public record Tolerance(double value, boolean relative) {
    /** Token ids, timesteps, shapes. */
    public static final Tolerance EXACT = scaled(0);
    /** fp32 outputs of models (text encoders, UNet, VAE, pipeline latents). */
    public static final Tolerance FP32_OUTPUT = scaled(1e-4);
    /** fp32 intermediates deep inside a model (hooks). */
    public static final Tolerance FP32_HOOK = scaled(5e-4);
    /** The scheduler's own fp32 arithmetic. */
    public static final Tolerance SCHEDULER = scaled(1e-5);
    /** A whole model computed with fp16 storage against the fp64 goldens (the kit: ~1e-2 relative). */
    public static final Tolerance FP16_MODEL = relative(1e-2);
    /** A whole model computed with bf16 storage (3 fewer mantissa bits than fp16). */
    public static final Tolerance BF16_MODEL = relative(3e-2);

    public static Tolerance scaled(double value) {
        return new Tolerance(value, false);
    }

    public static Tolerance relative(double value) {
        return new Tolerance(value, true);
    }

    /** The threshold on |a - e| used to list first mismatches (scaled form; relative ones list nothing). */
    public double scaled() {
        return relative ? Double.POSITIVE_INFINITY : value;
    }

    public boolean accepts(Comparison c) {
        return relative ? c.withinRelative(value) : c.withinScaled(value);
    }

    @Override
    public String toString() {
        if (relative) return String.format("relErr<=%.0e", value);
        return value == 0 ? "exact" : String.format("%.0e*max(1,|e|)", value);
    }
}
