package dev.turbojet.schedule;

import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.tensor.HostTensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.turbojet.schedule.Goldens.assertSameFloats;
import static dev.turbojet.schedule.Goldens.host;

/**
 * The pipeline goldens' random numbers come from one seeded generator: first the initial latents,
 * then one draw of the latents' shape per scheduler step (goldens/pipeline.safetensors).
 */
class PipelineNoiseTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"p64x64_s1", "p64x64_s4", "p64x96_s1", "p64x96_s4"})
    void initialAndStepNoiseAreConsecutiveDraws(String call) {
        try (SafetensorsFile golden = Goldens.open("pipeline.safetensors")) {
            long seed = Goldens.tensor(golden, call + ".generator_seed").toLongArray()[0];
            TorchGenerator g = new TorchGenerator(seed);
            HostTensor initial = host(golden, call + ".initial_noise");
            assertSameFloats(call + ".initial_noise", g.randn(initial.shape()).data(), initial.data());
            HostTensor stepNoise = host(golden, call + ".step_noise");
            for (int i = 0; i < stepNoise.shape().intDim(0); i++) {
                HostTensor expected = stepNoise.get(i);
                assertSameFloats(call + ".step_noise[" + i + "]", g.randn(expected.shape()).data(), expected.data());
            }
        }
    }
}
