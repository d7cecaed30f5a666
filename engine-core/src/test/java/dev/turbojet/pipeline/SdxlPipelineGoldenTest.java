package dev.turbojet.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.Variant;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.testing.Goldens;
import dev.turbojet.testing.ReferenceKit;
import dev.turbojet.verify.Comparison;
import dev.turbojet.vae.VaeTiling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole pipeline on the tiny model against diffusers' {@code StableDiffusionXLPipeline.__call__}
 * (goldens/pipeline.safetensors): every case of its metadata, every recorded intermediate.
 */
class SdxlPipelineGoldenTest {
    static final Ops OPS = new CpuOps();
    static Goldens goldens;
    static SdxlPipeline pipeline;

    @BeforeAll
    static void load() {
        goldens = new Goldens(ReferenceKit.golden("pipeline.safetensors"));
        pipeline = SdxlPipeline.load(TinyModel.folder(), OPS, untiled(Variant.FP32));
    }

    /**
     * The goldens are diffusers' decodes without enable_tiling(); the tiny VAE's tiles are 64 px, so the
     * 64 x 96 cases would otherwise decode by tiles (PipelineVaeTilingTest covers that).
     */
    private static PipelineOptions untiled(Variant variant) {
        return PipelineOptions.defaults().withVariants(List.of(variant)).withVaeTiling(VaeTiling.Mode.OFF);
    }

    @AfterAll
    static void close() {
        goldens.close();
    }

    /** (case, H, W, steps, prompt indices, seed) from the golden file's metadata. */
    record Case(String name, int height, int width, int steps, int[] prompts, long seed) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() throws IOException {
        try (var file = dev.turbojet.io.SafetensorsFile.open(ReferenceKit.golden("pipeline.safetensors"))) {
            JsonNode cases = new ObjectMapper().readTree(file.metadata().get("cases"));
            List<Case> out = new ArrayList<>();
            for (JsonNode c : cases) {
                int[] idx = new int[c.get(4).size()];
                for (int i = 0; i < idx.length; i++) idx[i] = c.get(4).get(i).intValue();
                out.add(new Case(c.get(0).textValue(), c.get(1).intValue(), c.get(2).intValue(), c.get(3).intValue(),
                        idx, c.get(5).longValue()));
            }
            return out.stream();
        }
    }

    static Stream<Arguments> fp16Cases() throws IOException {
        return cases().filter(c -> c.steps() == 1).map(Arguments::of);
    }

    @Test
    void metadataListsEveryCase() throws IOException {
        assertEquals(4, cases().count());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesDiffusers(Case c) {
        Recorder rec = new Recorder();
        List<GeneratedImage> images = pipeline.generate(request(c, rec));
        String p = c.name() + ".";
        assertEquals(c.seed(), goldens.longs(p + "generator_seed")[0]);

        check("pipeline.text", p + "prompt_embeds", rec.promptEmbeds);
        check("pipeline.text", p + "pooled_prompt_embeds", rec.pooled);
        assertArrayEquals(goldens.get(p + "add_time_ids").data(), rec.timeIds.data(), p + "add_time_ids");
        assertArrayEquals(goldens.get(p + "initial_noise").data(), rec.noise.data(), p + "initial_noise (bit-exact)");
        assertArrayEquals(goldens.get(p + "timesteps").data(), rec.timesteps, p + "timesteps");

        HostTensor unetInput = goldens.get(p + "unet_input"), noisePred = goldens.get(p + "noise_pred");
        HostTensor stepNoise = goldens.get(p + "step_noise"), after = goldens.get(p + "latents_after_step");
        assertEquals(c.steps(), rec.steps.size());
        for (int i = 0; i < c.steps(); i++) {
            GenerationListener.StepProgress s = rec.steps.get(i);
            assertEquals(i, s.step());
            assertEquals(c.steps(), s.total());
            goldens.check("pipeline.unet_input", p + "unet_input[" + i + "]", s.unetInput(), unetInput.get(i), Goldens.OUTPUT_TOL);
            goldens.check("pipeline.noise_pred", p + "noise_pred[" + i + "]", s.noisePred(), noisePred.get(i), Goldens.OUTPUT_TOL);
            assertArrayEquals(stepNoise.get(i).data(), s.noise().data(), p + "step_noise[" + i + "] (bit-exact)");
            goldens.check("pipeline.latents", p + "latents_after_step[" + i + "]", s.latents(), after.get(i), Goldens.OUTPUT_TOL);
        }
        checkImages(p, images);
    }

    @ParameterizedTest(name = "{0} fp16 weights")
    @MethodSource("fp16Cases")
    void fp16VariantMatchesDiffusers(Case c, @TempDir Path dir) throws IOException {
        ModelFolder folder = TinyModel.withFp16Variant(dir);
        SdxlPipeline fp16 = SdxlPipeline.load(folder, OPS, untiled(Variant.FP16));
        Recorder rec = new Recorder();
        List<GeneratedImage> images = fp16.generate(request(c, rec));
        String p = c.name() + ".fp16w.";
        HostTensor noisePred = goldens.get(p + "noise_pred");
        goldens.check("pipeline.fp16w", p + "noise_pred[0]", rec.steps.getFirst().noisePred(), noisePred.get(0), Goldens.OUTPUT_TOL);
        // the fp16 goldens really differ from the fp32 ones, so this run did use the fp16 files
        Comparison vsFp32 = Comparison.of("fp16 vs fp32", rec.steps.getFirst().noisePred(), goldens.get(c.name() + ".noise_pred").get(0));
        assertTrue(vsFp32.maxAbsDiff() > 1e-5, vsFp32::summary);
        checkImages(p, images);
    }

    private GenerationRequest request(Case c, Recorder rec) {
        List<String> prompts = Arrays.stream(c.prompts()).mapToObj(TinyModel::prompt).toList();
        return GenerationRequest.builder(prompts).size(c.width(), c.height()).steps(c.steps()).seed(c.seed())
                .listener(rec).build();
    }

    private void checkImages(String p, List<GeneratedImage> images) {
        HostTensor latents = stack(images.stream().map(GeneratedImage::latents).toList());
        goldens.check("pipeline.final_latents", p + "final_latents", latents, goldens.get(p + "final_latents"), Goldens.OUTPUT_TOL);
        HostTensor pixels = stack(images.stream().map(GeneratedImage::pixels).toList());
        Comparison img = goldens.check("pipeline.image", p + "image", pixels, goldens.get(p + "image"), Goldens.OUTPUT_TOL);
        assertTrue(img.maxAbsDiff() <= 1e-4, () -> img.summary() + ": image needs 1e-4 absolute");
        byte[] expected = goldens.bytes(p + "image_uint8");
        int per = expected.length / images.size();
        byte[] actual = new byte[expected.length];
        for (int i = 0; i < images.size(); i++) System.arraycopy(images.get(i).image().rgb(), 0, actual, i * per, per);
        Uint8Check.assertClose(p + "image_uint8", actual, expected);
    }

    private void check(String group, String name, HostTensor actual) {
        goldens.check(group, name, actual, goldens.get(name), Goldens.OUTPUT_TOL);
    }

    static HostTensor stack(List<HostTensor> rows) {
        long[] d = rows.getFirst().shape().dims();
        int n = rows.getFirst().data().length;
        float[] out = new float[n * rows.size()];
        for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i).data(), 0, out, i * n, n);
        d[0] = rows.size() * d[0];
        return new HostTensor(Shape.of(d), out);
    }

    @AfterAll
    static void printWorst() {
        if (goldens != null) goldens.printWorst();
    }

    /** Keeps what the pipeline reports. */
    static final class Recorder implements GenerationListener {
        HostTensor promptEmbeds, pooled, timeIds, noise, startLatents;
        float[] timesteps;
        final List<StepProgress> steps = new ArrayList<>();

        @Override
        public void onStep(StepProgress progress) {
            steps.add(progress);
        }

        @Override
        public void onConditioning(HostTensor promptEmbeds, HostTensor pooled, HostTensor timeIds) {
            this.promptEmbeds = promptEmbeds;
            this.pooled = pooled;
            this.timeIds = timeIds;
        }

        @Override
        public void onStart(HostTensor noise, HostTensor latents, float[] timesteps) {
            this.noise = noise;
            this.startLatents = latents;
            this.timesteps = timesteps;
        }
    }
}
