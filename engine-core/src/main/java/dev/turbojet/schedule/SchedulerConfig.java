package dev.turbojet.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A diffusers {@code scheduler/scheduler_config.json} for {@code EulerAncestralDiscreteScheduler}
 * (diffusers 0.25.1 semantics). Missing keys take that class's constructor defaults; keys the class
 * does not read ({@code clip_sample}, {@code set_alpha_to_one}, {@code skip_prk_steps}, ...) are
 * ignored as diffusers ignores them; a value this engine cannot honour fails at load, naming it.
 *
 * @param numTrainTimesteps N, the length of the training noise schedule (1000)
 * @param betaStart         first beta (0.00085 for SDXL)
 * @param betaEnd           last beta (0.012 for SDXL)
 */
public record SchedulerConfig(int numTrainTimesteps, double betaStart, double betaEnd, BetaSchedule betaSchedule,
                              PredictionType predictionType, TimestepSpacing timestepSpacing, int stepsOffset) {

    /** The only scheduler class this engine implements. */
    public static final String CLASS_NAME = "EulerAncestralDiscreteScheduler";

    public enum BetaSchedule {
        /** betas = linspace(beta_start, beta_end, N) in float32. */
        LINEAR("linear"),
        /** betas = linspace(sqrt(beta_start), sqrt(beta_end), N)^2 in float32 (SD/SDXL). */
        SCALED_LINEAR("scaled_linear");

        final String jsonName;

        BetaSchedule(String jsonName) {
            this.jsonName = jsonName;
        }
    }

    public enum PredictionType {
        /** The model predicts the added noise. */
        EPSILON("epsilon"),
        /** The model predicts v = alpha * noise - sigma * x0 (in the sigma-scaled form diffusers uses). */
        V_PREDICTION("v_prediction");

        final String jsonName;

        PredictionType(String jsonName) {
            this.jsonName = jsonName;
        }
    }

    /** How {@code set_timesteps(n)} picks n of the N training timesteps (table 2 of arXiv:2305.08891). */
    public enum TimestepSpacing {
        LINSPACE("linspace"), LEADING("leading"), TRAILING("trailing");

        final String jsonName;

        TimestepSpacing(String jsonName) {
            this.jsonName = jsonName;
        }
    }

    public SchedulerConfig {
        if (numTrainTimesteps < 2) throw new IllegalArgumentException("num_train_timesteps must be at least 2, got " + numTrainTimesteps);
        if (!(betaStart > 0 && betaEnd > 0 && betaEnd < 1 && betaStart < 1)) {
            throw new IllegalArgumentException("beta_start and beta_end must be in (0, 1), got " + betaStart + " and " + betaEnd);
        }
        if (stepsOffset < 0) throw new IllegalArgumentException("steps_offset must be non-negative, got " + stepsOffset);
    }

    /** The stabilityai/sdxl-turbo scheduler config shipped with the engine. */
    public static SchedulerConfig sdxlTurbo() {
        try (var in = SchedulerConfig.class.getResourceAsStream("/dev/turbojet/models/sdxl-turbo/scheduler/scheduler_config.json")) {
            if (in == null) throw new IllegalStateException("sdxl-turbo scheduler_config.json is missing from the classpath");
            return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), "sdxl-turbo/scheduler/scheduler_config.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static SchedulerConfig load(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read scheduler config " + file, e);
        }
    }

    /** Parses the JSON text; {@code origin} names it in error messages. */
    public static SchedulerConfig parse(String json, String origin) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(origin + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new IllegalArgumentException(origin + ": expected a JSON object");
        Reader r = new Reader(root, origin);

        String className = r.string("_class_name", null);
        if (!CLASS_NAME.equals(className)) {
            throw new IllegalArgumentException(origin + ": unsupported scheduler _class_name " + quoted(className)
                    + "; this engine implements only " + CLASS_NAME);
        }
        if (!r.isNull("trained_betas")) {
            throw new IllegalArgumentException(origin + ": trained_betas is not supported; use beta_schedule");
        }
        if (r.bool("rescale_betas_zero_snr", false)) {
            throw new IllegalArgumentException(origin + ": rescale_betas_zero_snr=true is not supported");
        }
        // EulerAncestral always interpolates sigmas linearly (np.interp); another value means a config
        // written for a scheduler that does something this one does not.
        String interpolation = r.string("interpolation_type", "linear");
        if (!interpolation.equals("linear")) {
            throw new IllegalArgumentException(origin + ": unsupported interpolation_type " + quoted(interpolation)
                    + "; " + CLASS_NAME + " interpolates sigmas linearly");
        }
        return new SchedulerConfig(
                r.integer("num_train_timesteps", 1000),
                r.number("beta_start", 0.0001),
                r.number("beta_end", 0.02),
                r.choice("beta_schedule", "linear", BetaSchedule.values(), b -> b.jsonName),
                r.choice("prediction_type", "epsilon", PredictionType.values(), p -> p.jsonName),
                r.choice("timestep_spacing", "linspace", TimestepSpacing.values(), t -> t.jsonName),
                r.integer("steps_offset", 0));
    }

    private static String quoted(String s) {
        return s == null ? "(missing)" : "\"" + s + "\"";
    }

    /** Typed access to the keys, each error naming the file and the key. */
    private record Reader(JsonNode root, String origin) {
        boolean isNull(String key) {
            return !root.has(key) || root.get(key).isNull();
        }

        String string(String key, String fallback) {
            if (isNull(key)) return fallback;
            JsonNode v = root.get(key);
            if (!v.isTextual()) throw bad(key, "a string", v);
            return v.asText();
        }

        int integer(String key, int fallback) {
            if (isNull(key)) return fallback;
            JsonNode v = root.get(key);
            if (!v.canConvertToInt() || !v.isIntegralNumber()) throw bad(key, "an integer", v);
            return v.asInt();
        }

        double number(String key, double fallback) {
            if (isNull(key)) return fallback;
            JsonNode v = root.get(key);
            if (!v.isNumber()) throw bad(key, "a number", v);
            return v.asDouble();
        }

        boolean bool(String key, boolean fallback) {
            if (isNull(key)) return fallback;
            JsonNode v = root.get(key);
            if (!v.isBoolean()) throw bad(key, "true or false", v);
            return v.asBoolean();
        }

        <E> E choice(String key, String fallback, E[] options, java.util.function.Function<E, String> jsonName) {
            String value = string(key, fallback);
            for (E e : options) {
                if (jsonName.apply(e).equals(value)) return e;
            }
            StringBuilder known = new StringBuilder();
            for (E e : options) known.append(known.isEmpty() ? "" : ", ").append(jsonName.apply(e));
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: unsupported %s \"%s\" (supported: %s)",
                    origin, key, value, known));
        }

        private IllegalArgumentException bad(String key, String expected, JsonNode v) {
            return new IllegalArgumentException(origin + ": " + key + " must be " + expected + ", got " + v);
        }
    }
}
