package dev.turbojet.unet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.io.TensorSource;
import dev.turbojet.io.TensorView;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.verify.Comparison;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * use_linear_projection false (SD 1.x style): proj_in / proj_out are 1x1 convs. A 1x1 conv with the
 * Linear's weight viewed as [C, C, 1, 1] computes the same thing, so the tiny model converted that
 * way must still meet the golden.
 */
class ConvProjectionTest {
    @Test
    void convProjectionsMatchTheLinearGolden() throws IOException {
        ObjectNode json = UNetConfigTest.tiny();
        json.put("use_linear_projection", false);
        UNetConfig cfg = UNetConfig.fromJson(json);
        try (SafetensorsFile file = SafetensorsFile.open(TinyUNet.weights());
             SafetensorsFile goldens = SafetensorsFile.open(TinyUNet.goldens())) {
            TensorSource conv = TinyUNet.mapped(file, "1x1-conv projections of", ConvProjectionTest::asConv);
            CpuOps ops = new CpuOps();
            UNet2DCondition unet = UNet2DCondition.load(conv, ops, cfg);
            var attn = ((CrossAttnDownBlock2D) unet.downBlocks().get(1)).attentions().get(0);
            assertInstanceOf(Transformer2DModel.PixelConv.class, attn.projIn());

            String c = "rect16x24_t499";
            var sample = ops.upload(goldens.find(c + ".in.sample").orElseThrow().toHost());
            var ehs = ops.upload(goldens.find(c + ".in.encoder_hidden_states").orElseThrow().toHost());
            var text = ops.upload(goldens.find(c + ".in.text_embeds").orElseThrow().toHost());
            var ids = goldens.find(c + ".in.time_ids").orElseThrow().toHost();
            float t = goldens.find(c + ".in.timestep").orElseThrow().getFloat(0);
            HostTensor out = ops.download(unet.forward(ops, sample, t, ehs, text, ids));
            Comparison cmp = Comparison.of(c + ".out (conv projections)", out, goldens.find(c + ".out").orElseThrow().toHost());
            assertTrue(cmp.withinScaled(UNetGoldenTest.OUT_TOL), cmp.summary() + cmp.firstMismatches());
        }
    }

    static TensorView asConv(TensorView v) {
        boolean proj = v.name().endsWith(".proj_in.weight") || v.name().endsWith(".proj_out.weight");
        if (!proj) return v;
        Shape s = v.shape();
        return new TensorView(v.name(), v.dtype(), Shape.of(s.dim(0), s.dim(1), 1, 1), v.data(), v.origin());
    }
}
