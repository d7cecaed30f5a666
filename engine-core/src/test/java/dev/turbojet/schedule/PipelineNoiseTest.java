package dev.turbojet.schedule;

import dev.turbojet.tensor.HostTensor;
import dev.turbojet.testing.Goldens;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.turbojet.testing.Goldens.assertSameFloats;

/**
 * The pipeline goldens' random numbers come from one seeded generator: first the initial latents,
 * then one draw of the latents' shape per scheduler step (goldens/pipeline.safetensors).
 */
class PipelineNoiseTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"p64x64_s1", "p64x64_s4", "p64x96_s1", "p64x96_s4"})
    void initialAndStepNoiseAreConsecutiveDraws(String call) {
        try (Goldens golden = Goldens.open("pipeline.safetensors")) {
            long seed = golden.tensor(call + ".generator_seed").toLongArray()[0];
            TorchGenerator g = new TorchGenerator(seed);
            HostTensor initial = golden.get(call + ".initial_noise");
            assertSameFloats(call + ".initial_noise", g.randn(initial.shape()).data(), initial.data());
            HostTensor stepNoise = golden.get(call + ".step_noise");
            for (int i = 0; i < stepNoise.shape().intDim(0); i++) {
                HostTensor expected = stepNoise.get(i);
                assertSameFloats(call + ".step_noise[" + i + "]", g.randn(expected.shape()).data(), expected.data());
            }
        }
    }
}
