package dev.turbojet.cli;

import dev.turbojet.io.SafetensorsWriter;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code turbojet verify} on the tiny model and the reference goldens, with the fp16 variant files
 * written from the fp32 ones (as the kit made them), so every golden the engine computes is checked.
 */
class VerifyCommandTest {
    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void tinyModelWithFp16Variants() throws IOException {
        model = ReferenceKit.tinyWithFp16Variant(tmp.resolve("tiny-sdxl"));
    }

    @Test
    void everyComputableGoldenPasses() {
        CliRun run = CliRun.of("verify", "--model", model.toString(), "--goldens", ReferenceKit.root().resolve("goldens").toString());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains(" 0 failed"), run.out());
        assertFalse(run.out().contains("FAIL"), run.out());
        // a sample of each suite's lines, fp16 weights included
        for (String line : new String[]{"ok   tokenizer.safetensors:input_ids_2", "ok   text_encoders.safetensors:fp16w.prompt_embeds",
                "ok   unet.safetensors:sq16_t999_b2.hook.down_blocks.1.attentions.0.transformer_blocks.0.attn2",
                "ok   unet.safetensors:odd10x14_t249.fp16w.out", "ok   vae.safetensors:dec8x8.fp16w.decoded",
                "ok   vae.safetensors:dec8x12_b2.image_uint8", "ok   scheduler.safetensors:n4.prev_sample",
                "ok   torch_randn.safetensors:s7.seq4.randn.float32.17"}) {
            assertTrue(run.out().contains(line), "missing line: " + line + "\n" + run.out());
        }
    }

    @Test
    void aPrecisionForTheCpuBackendIsRefused() {
        CliRun run = CliRun.of("verify", "--precision", "bf16", "--model", model.toString(), "--goldens", tmp.toString());
        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains("--precision applies to the cuda backend"), run.err());
        CliRun unknown = CliRun.of("verify", "--backend", "cuda", "--precision", "fp8", "--model", model.toString(), "--goldens", tmp.toString());
        assertTrue(unknown.err().contains("unknown precision 'fp8': use fp16 or bf16"), unknown.err());
    }

    @Test
    void anUnknownGoldenFileIsListedAsNotYetSupported(@TempDir Path goldens) throws IOException {
        new SafetensorsWriter().add("mystery.output", DType.F32, Shape.of(2), new float[]{1, 2}).write(goldens.resolve("other.safetensors"));
        CliRun run = CliRun.of("verify", "--model", model.toString(), "--goldens", goldens.toString());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("other.safetensors:mystery.output") && run.out().contains("not yet supported"), run.out());
        assertTrue(run.out().contains("0 tensors ok, 0 failed, 1 not yet supported"), run.out());
    }

    @Test
    void aWrongGoldenFails(@TempDir Path goldens) throws IOException {
        // the scheduler's betas with one value changed: verify must fail and say where
        Path real = ReferenceKit.golden("scheduler.safetensors");
        float[] betas;
        try (var f = dev.turbojet.io.SafetensorsFile.open(real)) {
            betas = f.tensor("betas").toFloatArray();
        }
        betas[500] *= 1.001f;
        new SafetensorsWriter().add("betas", DType.F32, Shape.of(betas.length), betas)
                .add("alphas_cumprod", DType.F32, Shape.of(1000), new float[1000])
                .write(goldens.resolve("scheduler.safetensors"));
        CliRun run = CliRun.of("verify", "--model", model.toString(), "--goldens", goldens.toString(), "--failures-only");
        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("FAIL scheduler.safetensors:betas") && run.out().contains("[500]"), run.out());
    }

    @Test
    void cudaBackendSaysWhyItCannotRun() {
        CliRun run = CliRun.of("verify", "--model", model.toString(), "--goldens", ReferenceKit.root().resolve("goldens").toString(),
                "--backend", "cuda");
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("CUDA backend"), run.out() + run.err());
    }
}
