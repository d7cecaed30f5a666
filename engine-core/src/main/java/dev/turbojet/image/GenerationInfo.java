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
 */
public record GenerationInfo(String prompt, String negativePrompt, long seed, int steps, int width, int height,
                             double guidanceScale, String model, String scheduler, String software) {

    /** The PNG text entries, "parameters" first. An empty negative prompt is left out. */
    public SequencedMap<String, String> toText() {
        SequencedMap<String, String> t = new LinkedHashMap<>();
        t.put("parameters", parameters());
        t.put("prompt", prompt);
        if (!negativePrompt.isEmpty()) t.put("negative_prompt", negativePrompt);
        t.put("seed", Long.toString(seed));
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
                .append(", Size: ").append(width).append('x').append(height)
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
