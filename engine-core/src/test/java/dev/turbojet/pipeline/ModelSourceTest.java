package dev.turbojet.pipeline;

import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.ModelFolder;
import dev.turbojet.io.Variant;
import dev.turbojet.io.singlefile.Component;
import dev.turbojet.io.singlefile.TinySingleFile;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pipeline loads the same model from a diffusers folder and from a single-file checkpoint. */
public class ModelSourceTest {
    private static final PipelineOptions FP32 = PipelineOptions.defaults().withVariants(List.of(Variant.FP32))
            .withModelName("tiny-sdxl");
    /** Runs before a bitwise comparison (see singleFileGivesTheFolderPixels). */
    public static final int WARM_UP = 3;

    @Test
    void singleFileGivesTheFolderPixels(@TempDir Path dir) throws IOException {
        Path file = TinySingleFile.write(ReferenceKit.tiny(), dir.resolve("tiny_sdxl.safetensors"));
        GenerationRequest req = GenerationRequest.builder("a photo of a cat", "a lighthouse").size(64, 64).seed(1001)
                .steps(2).build();
        SdxlPipeline fromFolder = SdxlPipeline.load(TinyModel.folder(), new CpuOps(), FP32);
        SdxlPipeline fromFile;
        try (ModelSource src = ModelSource.singleFile(file, Optional.of(ReferenceKit.tiny()))) {
            assertTrue(src.description().contains("tiny_sdxl.safetensors"), src.description());
            assertEquals(file.toString(), src.name());
            fromFile = SdxlPipeline.load(src, new CpuOps(), FP32);
        }
        // CpuOps' first runs in a fresh JVM go through code the JIT has not compiled yet, whose float
        // rounding differs in the last bits from the compiled code's; warm up before comparing bits.
        for (int i = 0; i < WARM_UP; i++) fromFolder.generate(req);
        List<GeneratedImage> a = fromFolder.generate(req);
        List<GeneratedImage> b = fromFile.generate(req);
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).image().rgb(), b.get(i).image().rgb(), "image " + i);
            assertArrayEquals(a.get(i).latents().data(), b.get(i).latents().data(), "latents " + i);
        }
    }

    @Test
    void aSingleFileWithTheWrongConfigsFailsNamingThem(@TempDir Path dir) throws IOException {
        Path file = TinySingleFile.write(ReferenceKit.tiny(), dir.resolve("tiny_sdxl.safetensors"));
        // the bundled SDXL Turbo configs describe the full-size model: the tiny file's shapes do not fit them
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> SdxlPipeline.load(file, new CpuOps(), PipelineOptions.defaults()));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().contains(": its shapes differ from those of the bundled SDXL Turbo configs, so it is another model:"
                + " give the folder of its diffusers configs (--config-from DIR, ResolveOptions.withConfigFolder) ("), e.getMessage());
        assertTrue(e.getCause().getMessage().contains("wrong shape "), "the list is the cause: " + e.getCause().getMessage());
    }

    @Test
    void openTellsFoldersFromFiles(@TempDir Path dir) throws IOException {
        try (ModelSource folder = ModelSource.open(ReferenceKit.tiny(), Optional.empty(), Variant.ANY)) {
            assertEquals(ReferenceKit.tiny().toString(), folder.name());
            assertEquals(4, folder.config().unet().inChannels());
            assertTrue(folder.weights(Component.UNET).names().contains("conv_in.weight"));
        }
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> ModelSource.open(ReferenceKit.tiny(), Optional.of(ReferenceKit.tiny()), Variant.ANY));
        assertTrue(both.getMessage().contains("apply only to a single-file checkpoint"), both.getMessage());
        Path text = Files.writeString(dir.resolve("model.ckpt"), "x");
        CheckpointException notSafetensors = assertThrows(CheckpointException.class,
                () -> ModelSource.open(text, Optional.empty(), Variant.ANY));
        assertTrue(notSafetensors.getMessage().contains("not a .safetensors file"), notSafetensors.getMessage());
        CheckpointException none = assertThrows(CheckpointException.class,
                () -> ModelSource.open(dir.resolve("none"), Optional.empty(), Variant.ANY));
        assertTrue(none.getMessage().endsWith("no such file or folder"), none.getMessage());
    }

    @Test
    void bundledConfigsAreSdxlTurbos() {
        ModelConfig c = ModelConfig.bundledSdxlTurbo();
        assertEquals(2048, c.unet().crossAttentionDim());
        assertEquals(768, c.textEncoder().hiddenSize());
        assertEquals(1280, c.textEncoder2().hiddenSize());
        assertEquals(4, c.vae().latentChannels());
        assertEquals(77, c.tokenizer().modelMaxLength());
        assertEquals(0, c.tokenizer2().padId());                  // tokenizer_2 pads with "!"
        assertTrue(c.forceZerosForEmptyPrompt());
    }

    @Test
    void modelIndexAttributesAreExposed() {
        ModelFolder tiny = TinyModel.folder();
        assertTrue(tiny.forceZerosForEmptyPrompt());
        assertTrue(tiny.attributes().containsKey("force_zeros_for_empty_prompt"));
        assertTrue(tiny.attributes().keySet().stream().noneMatch(k -> k.startsWith("_") || k.equals("unet")));
    }
}
