package dev.turbojet.serve;

import dev.turbojet.pipeline.GenerationRequest;

import java.util.OptionalDouble;
import java.util.OptionalLong;

/** The checks every route makes on the values it reads, each failure a 400 naming the field and the rule. */
final class Limits {
    private Limits() {
    }

    /** A side in pixels: a multiple of 8 in 8..{@link GenerationRequest#MAX_SIDE}; {@code what} names it in a message. */
    static int side(String param, String what, long v) {
        if (v % 8 != 0) throw ApiError.invalid(param, what + " " + v + " is not a multiple of 8 (the VAE downsamples by 8)");
        if (v < 8 || v > GenerationRequest.MAX_SIDE) {
            throw ApiError.invalid(param, what + " " + v + " is outside 8.." + GenerationRequest.MAX_SIDE);
        }
        return (int) v;
    }

    /** A seed: a non-negative integer; {@code random} when absent or equal to {@code randomMarker}. */
    static long seed(String param, OptionalLong given, OptionalLong randomMarker) {
        if (given.isEmpty() || (randomMarker.isPresent() && given.getAsLong() == randomMarker.getAsLong())) {
            return GenerationRequest.randomSeed();
        }
        long s = given.getAsLong();
        if (s < 0) {
            throw ApiError.invalid(param, "must be >= 0" + (randomMarker.isPresent() ? " (or " + randomMarker.getAsLong() + " for a random seed)" : "")
                    + ", got " + s);
        }
        return s;
    }

    /** A guidance scale: a finite number >= 0, {@code otherwise} when absent. */
    static double guidance(String param, OptionalDouble given, double otherwise) {
        double g = given.orElse(otherwise);
        if (!(g >= 0) || Double.isInfinite(g)) throw ApiError.invalid(param, "must be a finite number >= 0, got " + g);
        return g;
    }

    static int steps(JsonFields f, String param) {
        return f.intIn(param, 1, 1, GenerationRequest.MAX_STEPS);
    }

    /** {@code builder.build()}, a rule the request breaks (one the fields' own checks did not catch) a 400. */
    static GenerationRequest build(GenerationRequest.Builder builder) {
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidBody(e.getMessage());
        }
    }
}
