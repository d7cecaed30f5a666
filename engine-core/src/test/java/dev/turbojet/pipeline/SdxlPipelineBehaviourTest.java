package dev.turbojet.pipeline;

import dev.turbojet.image.RgbImage;
import dev.turbojet.io.Variant;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.verify.Comparison;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Request validation, warnings, img2img and classifier-free guidance on the tiny model. */
class SdxlPipelineBehaviourTest {
    static final List<String> warnings = new ArrayList<>();
    static SdxlPipeline pipeline;

    @BeforeAll
    static void load() {
        pipeline = SdxlPipeline.load(TinyModel.folder(), new CpuOps(),
                PipelineOptions.defaults().withVariants(List.of(Variant.FP32)).withModelName("tiny-sdxl")
                        .withWarnings(warnings::add));
    }

    private static GenerationRequest.Builder small(String... prompts) {
        return GenerationRequest.builder(prompts).size(64, 64).seed(7);
    }

    private static void assertRejected(String expected, Supplier<GenerationRequest> build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        assertEquals(expected, e.getMessage());
    }

    @Test
    void badRequestsFailNamingTheValue() {
        assertRejected("width 100 is not a multiple of 8 (the VAE downsamples by 8)", () -> small("a").size(100, 64).build());
        assertRejected("height 60 is not a multiple of 8 (the VAE downsamples by 8)", () -> small("a").size(64, 60).build());
        assertRejected("width 8192 is outside 8..4096", () -> small("a").size(8192, 64).build());
        assertRejected("steps must be in 1..1000, got 0", () -> small("a").steps(0).build());
        assertRejected("no prompt: a request needs at least one prompt", () -> GenerationRequest.builder().build());
        RgbImage img = new RgbImage(8, 8, new byte[8 * 8 * 3]);
        assertRejected("img2img strength must be in (0, 1], got 0.0", () -> small("a").initImage(img, 0).build());
        assertRejected("img2img strength must be in (0, 1], got 1.5", () -> small("a").initImage(img, 1.5).build());
        assertRejected("guidance scale must be a finite number >= 0, got -1.0", () -> small("a").guidanceScale(-1).build());
        assertRejected("2 negative prompts for 3 prompts: give none, one, or one per prompt",
                () -> small("a", "b", "c").negativePrompts(List.of("x", "y")).build());
        assertRejected("initial noise [1, 4, 8, 8] must be [1, 4, 8, 12] for 1 prompt(s) at 96x64",
                () -> small("a").size(96, 64).initialNoise(HostTensor.zeros(Shape.of(1, 4, 8, 8))).build());
    }

    @Test
    void longPromptIsTruncatedWithAWarning() {
        warnings.clear();
        String longPrompt = TinyModel.prompt(18);
        GeneratedImage img = pipeline.generate(small(longPrompt).build()).getFirst();
        assertEquals(longPrompt, img.prompt());
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.getFirst().startsWith("prompt 1 has 102 tokens; CLIP reads 77, the rest is ignored"), warnings::toString);
    }

    @Test
    void explicitInitialNoiseReplacesTheFirstDraw() {
        HostTensor noise = new dev.turbojet.schedule.TorchGenerator(7).randn(Shape.of(1, 4, 8, 8));
        GeneratedImage drawn = pipeline.generate(small("a photo of a cat").build()).getFirst();
        GeneratedImage given = pipeline.generate(small("a photo of a cat").seed(99).initialNoise(noise).build()).getFirst();
        // one step ends at sigma 0, so the step noise (which differs with the seed) is multiplied by 0
        assertArrayEquals(drawn.latents().data(), given.latents().data());
    }

    @Test
    void img2imgRunsAtLeastOneStep() {
        RgbImage source = pipeline.generate(small("a photo of a cat").build()).getFirst().image();
        List<Integer> totals = new ArrayList<>();
        List<Float> timesteps = new ArrayList<>();
        GenerationRequest req = small("a photo of a dog").steps(1).initImage(enlarge(source), 0.5)
                .listener(p -> {
                    totals.add(p.total());
                    timesteps.add(p.timestep());
                }).build();
        GeneratedImage out = pipeline.generate(req).getFirst();
        assertEquals(List.of(1), totals);
        assertEquals(List.of(999f), timesteps);
        assertTrue(out.timings().vaeEncode().toNanos() > 0);
        assertEquals(64, out.image().width());
        for (float v : out.latents().data()) assertTrue(Float.isFinite(v));

        // 4 steps at strength 0.5: the last two of 999, 749, 499, 249
        List<Float> four = new ArrayList<>();
        pipeline.generate(req.toBuilder().steps(4).listener(p -> four.add(p.timestep())).build());
        assertEquals(List.of(499f, 249f), four);
    }

    @Test
    void guidanceDoublesTheBatchAndChangesTheImage() {
        SdxlPipelineGoldenTest.Recorder rec = new SdxlPipelineGoldenTest.Recorder();
        GeneratedImage plain = pipeline.generate(small("a photo of a cat").build()).getFirst();
        GeneratedImage guided = pipeline.generate(small("a photo of a cat").guidanceScale(2).negativePrompt("blurry")
                .listener(rec).build()).getFirst();
        assertEquals(Shape.of(2, 77, 72), rec.promptEmbeds.shape());
        assertEquals(Shape.of(2, 32), rec.pooled.shape());
        assertEquals(Shape.of(2, 6), rec.timeIds.shape());
        assertEquals(Shape.of(1, 4, 8, 8), rec.steps.getFirst().noisePred().shape());
        Comparison c = Comparison.of("guided vs plain", guided.pixels(), plain.pixels());
        assertTrue(c.maxAbsDiff() > 1e-3, c::summary);
        assertEquals("blurry", guided.info().negativePrompt());
        assertEquals(2.0, guided.info().guidanceScale());
    }

    @Test
    void emptyNegativePromptUnderGuidanceIsZeros() {
        SdxlPipelineGoldenTest.Recorder rec = new SdxlPipelineGoldenTest.Recorder();
        pipeline.generate(small("a photo of a cat").guidanceScale(3).listener(rec).build());
        float[] e = rec.promptEmbeds.data();
        int half = e.length / 2;
        for (int i = 0; i < half; i++) assertEquals(0f, e[i]);          // uncond rows first
        assertTrue(Math.abs(e[half]) > 0);
        float[] pooled = rec.pooled.data();
        for (int i = 0; i < pooled.length / 2; i++) assertEquals(0f, pooled[i]);
    }

    @Test
    void negativePromptWithoutGuidanceIsIgnoredWithAWarning() {
        warnings.clear();
        pipeline.generate(small("a photo of a cat").negativePrompt("blurry").build());
        assertEquals(List.of("negative prompt ignored: it takes effect only with guidance scale > 1 (given 0.0)"), warnings);
    }

    @Test
    void describeNamesTheBackend() {
        assertTrue(pipeline.describe().startsWith("unet + text encoders: cpu"), pipeline.describe());
    }

    /** A 2x nearest-neighbour enlargement, so that the init image needs resizing. */
    private static RgbImage enlarge(RgbImage src) {
        int w = src.width() * 2, h = src.height() * 2;
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++) rgb[(y * w + x) * 3 + c] = (byte) src.get(x / 2, y / 2, c);
        return new RgbImage(w, h, rgb);
    }
}
