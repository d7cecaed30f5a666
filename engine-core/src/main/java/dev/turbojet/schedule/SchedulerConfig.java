package dev.turbojet.schedule;

import dev.turbojet.io.ConfigJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

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
        return ConfigJson.read(file).build(SchedulerConfig::of);
    }

    /** Parses the JSON text; {@code origin} names it in error messages. */
    public static SchedulerConfig parse(String json, String origin) {
        return ConfigJson.parse(json, origin).build(SchedulerConfig::of);
    }

    private static SchedulerConfig of(ConfigJson j) {
        j.requireText("_class_name", null, CLASS_NAME);
        j.requireAbsent("trained_betas", "use beta_schedule");
        if (j.optionalBool("rescale_betas_zero_snr", false)) {
            throw ConfigJson.unsupported("rescale_betas_zero_snr", true, "only false is implemented");
        }
        // EulerAncestral always interpolates sigmas linearly (np.interp); another value means a config
        // written for a scheduler that does something this one does not.
        j.requireText("interpolation_type", "linear", "linear");
        return new SchedulerConfig(
                j.optionalInt("num_train_timesteps", 1000),
                j.optionalDouble("beta_start", 0.0001),
                j.optionalDouble("beta_end", 0.02),
                ConfigJson.oneOf("beta_schedule", j.text("beta_schedule", "linear"), BetaSchedule.values(), b -> b.jsonName),
                ConfigJson.oneOf("prediction_type", j.text("prediction_type", "epsilon"), PredictionType.values(), p -> p.jsonName),
                ConfigJson.oneOf("timestep_spacing", j.text("timestep_spacing", "linspace"), TimestepSpacing.values(), t -> t.jsonName),
                j.optionalInt("steps_offset", 0));
    }
}
