package dev.turbojet.pipeline;

import dev.turbojet.image.RgbImage;
import dev.turbojet.io.Variant;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.taesd.TaesdDecoder;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Final decode and per-step previews with the reference TAESDXL decoder on the tiny model (4 latent channels). */
class TaesdDecodeTest {
    static final Path DECODER = ReferenceKit.root().resolve("taesdxl/taesdxl_decoder.safetensors");

    @Test
    void taesdDecodeIsTheDecoderRunDirectly() {
        CpuOps ops = new CpuOps();
        SdxlPipeline pipeline = SdxlPipeline.load(TinyModel.folder(), ops, PipelineOptions.defaults()
                .withVariants(List.of(Variant.FP32)).withTaesdDecoder(DECODER));
        assertTrue(pipeline.describe().endsWith("final decode: taesd"), pipeline.describe());
        List<float[]> denoised = new ArrayList<>();
        List<GeneratedImage> images = pipeline.generate(GenerationRequest.builder("a photo of a cat", "a dog")
                .size(96, 64).seed(3).steps(2).listener(p -> denoised.add(p.denoised().data())).build());
        assertEquals(2, denoised.size());

        TaesdDecoder direct = TaesdDecoder.load(DECODER, ops);
        for (GeneratedImage img : images) {
            assertEquals(96, img.image().width());
            assertEquals(64, img.image().height());
            RgbImage expected = direct.decodeToImages(ops, ops.upload(img.latents())).getFirst();
            assertArrayEquals(expected.rgb(), img.image().rgb());
            for (float v : img.pixels().data()) assertTrue(v >= 0 && v <= 1, "pixel " + v);
        }
        // the previewer decodes the same way
        RgbImage preview = pipeline.previewer().orElseThrow().preview(images.getFirst().latents());
        assertArrayEquals(images.getFirst().image().rgb(), preview.rgb());
    }

    @Test
    void withoutTaesdThereIsNoPreviewer() {
        SdxlPipeline pipeline = SdxlPipeline.load(TinyModel.folder(), new CpuOps(),
                PipelineOptions.defaults().withVariants(List.of(Variant.FP32)));
        assertTrue(pipeline.previewer().isEmpty());
    }
}
