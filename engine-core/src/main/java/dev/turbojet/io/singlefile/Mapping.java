package dev.turbojet.io.singlefile;

import java.util.List;

/**
 * One tensor of a single-file checkpoint and what it is in diffusers naming: the component and
 * the diffusers tensor name(s) (one, or q, k, v for a fused projection, in concatenation order).
 */
public record Mapping(String original, Component component, List<String> diffusers, Transform transform) {
    public Mapping {
        diffusers = List.copyOf(diffusers);
        if (diffusers.isEmpty()) throw new IllegalArgumentException(original + ": maps to no tensor");
        if ((transform == Transform.CONCAT_DIM0) != (diffusers.size() > 1)) {
            throw new IllegalArgumentException(original + ": " + transform + " with " + diffusers.size() + " diffusers names");
        }
    }

    Mapping(String original, Component component, String diffusers, Transform transform) {
        this(original, component, List.of(diffusers), transform);
    }
}
