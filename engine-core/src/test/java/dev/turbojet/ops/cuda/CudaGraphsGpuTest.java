package dev.turbojet.ops.cuda;

import dev.turbojet.ffi.GpuTests;
import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.profile.Workloads;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;
import dev.turbojet.testing.ReferenceKit;
import dev.turbojet.unet.UNet2DCondition;
import dev.turbojet.unet.UNetConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The tiny UNet's denoise captured once as a CUDA graph and replayed: every replay, with inputs other
 * than the captured ones, gives bit for bit what the eager ops give on those inputs; outputs of earlier
 * replays survive later ones; what cannot be captured (a download) is refused with a message; closing
 * the replay gives its memory back.
 */
class CudaGraphsGpuTest {
    @BeforeEach
    void gpu() {
        assumeTrue(GpuSupport.available(), () -> GpuSupport.skipReason().orElse(""));
    }

    @Test
    void replaysMatchTheEagerOps() {
        try (CudaOps ops = CudaOps.open(new CudaOps.Options(0, Precision.FP16, 512L << 20));
             SafetensorsFile f = SafetensorsFile.open(ReferenceKit.tiny("unet/diffusion_pytorch_model.safetensors"))) {
            UNetConfig cfg = UNetConfig.read(ReferenceKit.tiny("unet/config.json"));
            UNet2DCondition unet = UNet2DCondition.load(f, ops, cfg);
            int latent = 8, px = 8 * latent;
            HostTensor ids = HostTensor.of(Shape.of(1, UNetConfig.TIME_IDS), px, px, 0, 0, px, px);
            Tensor text = ops.upload(Workloads.noise(Shape.of(1, cfg.pooledDim()), 3));
            Tensor context = ops.upload(Workloads.noise(Shape.of(1, 77, cfg.crossAttentionDim()), 2));
            Tensor emb = unet.embed(ops, 999f, text, ids);
            Tensor first = ops.upload(Workloads.noise(Shape.of(1, cfg.inChannels(), latent, latent), 1));
            ops.beginPass();  // eager first: the backend's own plans and workspaces exist before the count
            ops.download(unet.denoise(ops, first, emb, context));
            ops.endPass();
            long before = GpuTests.emulated() ? GpuTests.deviceBytesInUse() : -1;

            GraphReplay graph = ops.capture("unet denoise", List.of(first, emb, context),
                    in -> unet.denoise(ops, in.get(0), in.get(1), in.get(2)));
            assertTrue(graph.memoryBytes() > 0, graph.toString());
            Tensor[] outs = new Tensor[3];
            HostTensor[] eager = new HostTensor[3];
            for (int i = 0; i < 3; i++) {
                Tensor sample = ops.upload(Workloads.noise(Shape.of(1, cfg.inChannels(), latent, latent), 10 + i));
                outs[i] = graph.run(List.of(sample, emb, context));
                ops.beginPass();
                eager[i] = ops.download(unet.denoise(ops, sample, emb, context));
                ops.endPass();
            }
            for (int i = 0; i < 3; i++) {  // each replay's output is its own, and exact
                assertArrayEquals(eager[i].data(), ops.download(outs[i]).data(), "replay " + i);
            }
            assertTrue(eager[0].data()[0] != eager[1].data()[0], "different inputs give different outputs");

            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> graph.run(List.of(
                    ops.upload(Workloads.noise(Shape.of(1, cfg.inChannels(), 2 * latent, latent), 5)), emb, context)));
            assertTrue(shape.getMessage().contains("capture again for new shapes"), shape.getMessage());
            graph.close();
            if (before >= 0) assertEquals(before, GpuTests.deviceBytesInUse(), "the graph's memory is given back");

            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> ops.capture("a download",
                    List.of(first), in -> ops.upload(ops.download(in.get(0)))));
            assertTrue(refused.getMessage().contains("cannot be captured"), refused.getMessage());
            // the backend still works after the refused capture
            ops.beginPass();
            HostTensor again = ops.download(unet.denoise(ops, first, emb, context));
            ops.endPass();
            assertEquals(eager[0].shape(), again.shape());
        }
    }

    @Test
    void thePipelineGivesTheSameImagesWithGraphs() {
        try (CudaOps ops = CudaOps.open(new CudaOps.Options(0, Precision.FP16, 512L << 20));
             CudaOps vae = CudaOps.open(new CudaOps.Options(0, Precision.BF16, 256L << 20))) {
            dev.turbojet.io.ModelFolder folder = dev.turbojet.io.ModelFolder.open(ReferenceKit.tiny());
            dev.turbojet.pipeline.SdxlPipeline eager = dev.turbojet.pipeline.SdxlPipeline.load(folder, ops,
                    dev.turbojet.pipeline.PipelineOptions.defaults().withVaeOps(vae));
            dev.turbojet.pipeline.SdxlPipeline graphs = dev.turbojet.pipeline.SdxlPipeline.load(folder, ops,
                    dev.turbojet.pipeline.PipelineOptions.defaults().withVaeOps(vae).withGraphs(true));
            for (long seed : new long[]{7, 8}) {  // two generations of two steps: four replays of one graph
                var req = dev.turbojet.pipeline.GenerationRequest.builder(List.of("a red fox in the snow"))
                        .steps(2).size(64, 48).seed(seed).build();
                float[] want = eager.generate(req).getFirst().pixels().data();
                float[] got = graphs.generate(req).getFirst().pixels().data();
                assertArrayEquals(want, got, "seed " + seed);
            }
            assertEquals(1, ops.graphCount(), "one graph, captured at the first step and replayed since");
        }
    }
}
