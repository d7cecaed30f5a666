package dev.turbojet.pipeline;

import dev.turbojet.ops.cuda.CudaOps;
import dev.turbojet.ops.cuda.GpuSupport;
import dev.turbojet.ops.cuda.Precision;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A pipeline given an fp16 GPU backend and no VAE backend decodes on a bf16 backend of its own (the
 * SDXL VAE overflows in fp16), giving the images it gives with a bf16 backend passed in; closing the
 * pipeline closes that backend, not the caller's.
 */
class VaeBackendGpuTest {
    @BeforeEach
    void gpu() {
        assumeTrue(GpuSupport.available(), () -> GpuSupport.skipReason().orElse(""));
    }

    @Test
    void anFp16BackendGetsABf16VaeThatThePipelineOwns() {
        GenerationRequest req = GenerationRequest.builder("a red fox in the snow").size(64, 48).seed(3).build();
        try (CudaOps fp16 = CudaOps.open(new CudaOps.Options(0, Precision.FP16, 512L << 20));
             CudaOps bf16 = CudaOps.open(new CudaOps.Options(0, Precision.BF16, 256L << 20))) {
            float[] given;
            try (SdxlPipeline pipeline = SdxlPipeline.load(ReferenceKit.tiny(), fp16, PipelineOptions.defaults().withVaeOps(bf16))) {
                given = pipeline.generate(req).getFirst().pixels().data();
            }
            SdxlPipeline chosen = SdxlPipeline.load(ReferenceKit.tiny().toString(), fp16, PipelineOptions.defaults());
            String d = chosen.describe();
            assertTrue(d.startsWith("unet + text encoders: cuda fp16 ") && d.contains("; vae: cuda bf16 "), d);
            assertArrayEquals(given, chosen.generate(req).getFirst().pixels().data());
            chosen.close();
            assertThrows(IllegalStateException.class, () -> chosen.generate(req));

            // the caller's backends are still open: both load and generate again
            try (SdxlPipeline again = SdxlPipeline.load(ReferenceKit.tiny(), fp16, PipelineOptions.defaults().withVaeOps(bf16))) {
                assertArrayEquals(given, again.generate(req).getFirst().pixels().data());
                assertFalse(again.describe().contains("vae: same"), again.describe());
            }
        }
    }
}
