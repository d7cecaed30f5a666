package dev.turbojet.schedule;

import dev.turbojet.io.CheckpointException;
import dev.turbojet.schedule.SchedulerConfig.BetaSchedule;
import dev.turbojet.schedule.SchedulerConfig.PredictionType;
import dev.turbojet.schedule.SchedulerConfig.TimestepSpacing;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedulerConfigTest {

    @Test
    void sdxlTurboConfigHasTheRealValues() {
        SchedulerConfig c = SchedulerConfig.sdxlTurbo();
        assertEquals(new SchedulerConfig(1000, 0.00085, 0.012, BetaSchedule.SCALED_LINEAR, PredictionType.EPSILON,
                TimestepSpacing.TRAILING, 1), c);
    }

    @Test
    void tinySdxlUsesTheSameScheduler() {
        assertEquals(SchedulerConfig.sdxlTurbo(),
                SchedulerConfig.load(dev.turbojet.testing.ReferenceKit.tiny("scheduler/scheduler_config.json")));
    }

    @Test
    void missingKeysTakeDiffusersDefaultsAndUnknownKeysAreIgnored() {
        SchedulerConfig c = SchedulerConfig.parse("""
                {"_class_name": "EulerAncestralDiscreteScheduler", "clip_sample": true, "some_future_key": [1, 2]}""", "t");
        assertEquals(new SchedulerConfig(1000, 0.0001, 0.02, BetaSchedule.LINEAR, PredictionType.EPSILON,
                TimestepSpacing.LINSPACE, 0), c);
    }

    @Test
    void vPredictionAndOtherSpacingsParse() {
        SchedulerConfig c = SchedulerConfig.parse("""
                {"_class_name": "EulerAncestralDiscreteScheduler", "prediction_type": "v_prediction",
                 "timestep_spacing": "leading", "beta_schedule": "scaled_linear", "steps_offset": 1}""", "t");
        assertEquals(PredictionType.V_PREDICTION, c.predictionType());
        assertEquals(TimestepSpacing.LEADING, c.timestepSpacing());
    }

    @Test
    void anotherSchedulerClassIsRejectedByName() {
        String msg = rejected("""
                {"_class_name": "EulerDiscreteScheduler"}""");
        assertTrue(msg.contains("EulerDiscreteScheduler") && msg.contains("EulerAncestralDiscreteScheduler"), msg);
        assertTrue(rejected("{}").contains("_class_name"));
    }

    @Test
    void valuesTheEngineCannotHonourAreRejectedWithTheValue() {
        assertTrue(rejected(with("\"beta_schedule\": \"squaredcos_cap_v2\"")).contains("beta_schedule \"squaredcos_cap_v2\""));
        assertTrue(rejected(with("\"prediction_type\": \"sample\"")).contains("prediction_type \"sample\""));
        assertTrue(rejected(with("\"timestep_spacing\": \"karras\"")).contains("timestep_spacing \"karras\""));
        assertTrue(rejected(with("\"rescale_betas_zero_snr\": true")).contains("rescale_betas_zero_snr"));
        assertTrue(rejected(with("\"trained_betas\": [0.1, 0.2]")).contains("trained_betas"));
        assertTrue(rejected(with("\"interpolation_type\": \"log_linear\"")).contains("\"log_linear\""));
        assertTrue(rejected(with("\"num_train_timesteps\": \"1000\"")).contains("num_train_timesteps \"1000\" is not an integer"));
        assertTrue(rejected("[1, 2]").contains("JSON object"));
    }

    private static String with(String entry) {
        return "{\"_class_name\": \"EulerAncestralDiscreteScheduler\", " + entry + "}";
    }

    private static String rejected(String json) {
        return assertThrows(CheckpointException.class, () -> SchedulerConfig.parse(json, "test.json")).getMessage();
    }
}
