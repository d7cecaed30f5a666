package dev.turbojet.cli;

import dev.turbojet.ffi.GpuTests;
import dev.turbojet.ops.cuda.GpuSupport;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code turbojet verify --backend cuda} on the tiny model: every golden the engine computes, through
 * CudaOps in fp16 (the VAE then in bf16; a bf16 run is first light's verify-bf16 stage, rehearsed in the build), within the fp16/bf16 model tolerances. On the build's CUDA
 * emulator this runs the whole CUDA path — bindings, cuBLASLt and cuDNN calls, every kernel — on the
 * CPU; with {@code -Dturbojet.gpu.libs=} it runs on the GPU.
 */
class VerifyCudaGpuTest {
    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void tinyModelWithFp16Variants() throws IOException {
        assumeTrue(GpuSupport.available(), () -> GpuSupport.skipReason().orElse(""));
        model = ReferenceKit.tinyWithFp16Variant(tmp.resolve("tiny-sdxl"));
    }

    @Test  // in bf16: first light's verify-bf16 stage, which the build rehearses
    void everyComputableGoldenPassesOnCuda() {
        String precision = "fp16";
        CliRun run = CliRun.of("verify", "--backend", "cuda", "--precision", precision, "--model", model.toString(),
                "--goldens", ReferenceKit.root().resolve("goldens").toString());
        System.out.println(run.out());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains(" 0 failed"), run.out());
        assertFalse(run.out().contains("FAIL"), run.out());
        String header = run.out().lines().findFirst().orElse("");
        assertTrue(header.contains(" on cuda " + precision), header);
        if (GpuTests.emulated()) assertTrue(header.contains("emulated"), "the device name says it is emulated: " + header);
        for (String line : new String[]{"ok   text_encoders.safetensors:fp16w.prompt_embeds",
                "ok   unet.safetensors:odd10x14_t249.fp16w.out", "ok   vae.safetensors:dec8x12_b2.image_uint8"}) {
            assertTrue(run.out().contains(line), "missing line: " + line + "\n" + run.out());
        }
    }
}
