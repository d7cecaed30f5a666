package dev.turbojet.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which precision of a component's weights to load, as diffusers names the files: FP32 is
 * {@code model.safetensors}, FP16 is {@code model.fp16.safetensors} (the fp32 weights cast with
 * {@code .half()}).
 */
public enum Variant {
    FP32(""), FP16("fp16");

    /** Every variant, FP32 first: "any available" with full precision preferred. */
    public static final List<Variant> ANY = List.of(FP32, FP16);

    private final String label;

    Variant(String label) {
        this.label = label;
    }

    /** The file-name infix diffusers uses ("fp16"), empty for the default fp32 files. */
    public String label() {
        return label;
    }

    /** {@code base} with this variant's infix and {@code extension}: ("model", ".safetensors") → "model.fp16.safetensors". */
    public String fileName(String base, String extension) {
        return label.isEmpty() ? base + extension : base + "." + label + extension;
    }

    /**
     * A preference order from text: "fp32", "fp16", "any" (fp32 then fp16), or a comma list such
     * as "fp16,fp32".
     */
    public static List<Variant> parsePreference(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("any")) return ANY;
        List<Variant> out = new ArrayList<>();
        for (String part : t.split(",")) {
            Variant v = switch (part.trim()) {
                case "fp32", "" -> FP32;
                case "fp16" -> FP16;
                default -> throw new IllegalArgumentException("unknown variant '" + part.trim()
                        + "': use fp32, fp16, any, or a comma list such as fp16,fp32");
            };
            if (!out.contains(v)) out.add(v);
        }
        return List.copyOf(out);
    }
}
