package dev.turbojet.image;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.SequencedMap;

/**
 * What produced an image, written into the PNG as text chunks: one key per field ("prompt",
 * "negative_prompt", "seed", "steps", "width", "height", "guidance_scale", "model", "scheduler",
 * "software") and a "parameters" entry in the one-paragraph form other Stable Diffusion tools
 * write and read back:
 * <pre>
 * a cat in a hat
 * Negative prompt: blurry
 * Steps: 1, Sampler: Euler a, CFG scale: 0.0, Seed: 42, Size: 512x512, Model: stabilityai/sdxl-turbo, Version: turbojet 0.1.0
 * </pre>
 * Image i of a batch of n also says ", Batch size: n, Batch pos: i" after the size (AUTOMATIC1111's
 * fields), and "batch_size" / "batch_index" entries.
 */
public record GenerationInfo(String prompt, String negativePrompt, long seed, int steps, int width, int height,
                             double guidanceScale, String model, String scheduler, String software, int batchSize,
                             int batchPos) {

    /**
     * {@code batchSize} images were made together from {@code seed} and this is number {@code batchPos}
     * (from 0): the whole batch's noise comes from one generator, as in diffusers, so the seed alone
     * reproduces an image only together with the batch size and position.
     */
    public GenerationInfo {
        if (batchSize < 1 || batchPos < 0 || batchPos >= batchSize) {
            throw new IllegalArgumentException("batch position " + batchPos + " of " + batchSize);
        }
    }

    /** One image made alone. */
    public GenerationInfo(String prompt, String negativePrompt, long seed, int steps, int width, int height,
                          double guidanceScale, String model, String scheduler, String software) {
        this(prompt, negativePrompt, seed, steps, width, height, guidanceScale, model, scheduler, software, 1, 0);
    }

    /** The PNG text entries, "parameters" first. An empty negative prompt is left out. */
    public SequencedMap<String, String> toText() {
        SequencedMap<String, String> t = new LinkedHashMap<>();
        t.put("parameters", parameters());
        t.put("prompt", prompt);
        if (!negativePrompt.isEmpty()) t.put("negative_prompt", negativePrompt);
        t.put("seed", Long.toString(seed));
        if (batchSize > 1) {
            t.put("batch_size", Integer.toString(batchSize));
            t.put("batch_index", Integer.toString(batchPos));
        }
        t.put("steps", Integer.toString(steps));
        t.put("width", Integer.toString(width));
        t.put("height", Integer.toString(height));
        t.put("guidance_scale", number(guidanceScale));
        t.put("model", model);
        t.put("scheduler", scheduler);
        t.put("software", software);
        return t;
    }

    /** The summary paragraph: prompt, optional negative prompt line, then the settings line. */
    public String parameters() {
        StringBuilder s = new StringBuilder(prompt);
        if (!negativePrompt.isEmpty()) s.append("\nNegative prompt: ").append(negativePrompt);
        s.append("\nSteps: ").append(steps)
                .append(", Sampler: ").append(samplerLabel(scheduler))
                .append(", CFG scale: ").append(number(guidanceScale))
                .append(", Seed: ").append(seed)
                .append(", Size: ").append(width).append('x').append(height);
        if (batchSize > 1) s.append(", Batch size: ").append(batchSize).append(", Batch pos: ").append(batchPos);
        s
                .append(", Model: ").append(model)
                .append(", Version: ").append(software);
        return s.toString();
    }

    /** The name those tools use for a diffusers scheduler class, or the class name itself. */
    static String samplerLabel(String scheduler) {
        return switch (scheduler) {
            case "EulerAncestralDiscreteScheduler" -> "Euler a";
            case "EulerDiscreteScheduler" -> "Euler";
            default -> scheduler;
        };
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? String.format(Locale.ROOT, "%.1f", v) : Double.toString(v);
    }
}
