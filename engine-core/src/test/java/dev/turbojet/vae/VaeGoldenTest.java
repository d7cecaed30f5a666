package dev.turbojet.vae;

import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Tensor;
import dev.turbojet.testing.Goldens;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tiny-sdxl AutoencoderKL (CpuOps, fp32) against diffusers' float64 goldens: every decoder and encoder case. */
class VaeGoldenTest {
    static Ops ops;
    static Goldens g;
    static VaeConfig cfg;
    static AutoencoderKL vae;

    @BeforeAll
    static void load() {
        ops = new CpuOps(2);
        g = new Goldens(ReferenceKit.golden("vae.safetensors"));
        cfg = VaeConfig.read(ReferenceKit.tiny("vae/config.json"));
        try (SafetensorsFile f = SafetensorsFile.open(ReferenceKit.tiny("vae/diffusion_pytorch_model.safetensors"))) {
            vae = AutoencoderKL.load(f, ops, cfg);
        }
    }

    @AfterAll
    static void close() {
        g.printWorst();
        g.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dec8x8", "dec8x12_b2"})
    void decoder(String c) {
        HostTensor latents = g.get(c + ".latents");
        HostTensor input = g.get(c + ".decoder_input");
        HostTensor divided = scaled(latents, 1 / cfg.scalingFactor());
        g.check("vae.decoder_input", c + ".decoder_input", divided, input, Goldens.OUTPUT_TOL);

        Map<String, HostTensor> marks = Goldens.newMarks();
        Tensor decoded = vae.decode(Goldens.recording(ops, marks), ops.upload(input));
        HostTensor dec = ops.download(decoded);
        g.check("vae.decoded", c + ".decoded", dec, g.get(c + ".decoded"), Goldens.OUTPUT_TOL);
        checkHooks(c, marks);

        HostTensor image = VaeImages.toUnitRange(dec);
        g.check("vae.image", c + ".image", image, g.get(c + ".image"), Goldens.OUTPUT_TOL);
        byte[] expected = g.bytes(c + ".image_uint8");
        byte[] actual = VaeImages.toUint8Nhwc(image);
        assertEquals(expected.length, actual.length);
        int off = 0;
        for (int i = 0; i < expected.length; i++) {
            int d = Math.abs((actual[i] & 0xff) - (expected[i] & 0xff));
            assertTrue(d <= 1, c + ".image_uint8[" + i + "] differs by " + d);
            if (d == 1) off++;
        }
        System.out.printf("%s.image_uint8: %d of %d values off by 1%n", c, off, expected.length);
        assertTrue(off <= expected.length / 1000, off + " values off by one");

        // the image as the golden's stored fp32 decode gives it: uint8 must then match exactly
        assertEquals(Arrays.toString(expected),
                Arrays.toString(VaeImages.toUint8Nhwc(g.get(c + ".image"))), c + " uint8 of the golden image");
    }

    /** dec8x8.fp16w.decoded: the fp16 weight file (the fp32 weights rounded to fp16), computed in fp32. */
    @Test
    void decoderWithFp16Weights() {
        VaeDecoder half;
        try (SafetensorsFile f = SafetensorsFile.open(ReferenceKit.tiny("vae/diffusion_pytorch_model.safetensors"))) {
            half = VaeDecoder.load(ReferenceKit.roundedToFp16(f), ops, cfg);
        }
        Tensor decoded = half.decode(ops, ops.upload(g.get("dec8x8.decoder_input")));
        g.check("vae.fp16w", "dec8x8.fp16w.decoded", ops.download(decoded), g.get("dec8x8.fp16w.decoded"), Goldens.OUTPUT_TOL);
    }

    /** The pipeline goldens' last stage: final_latents / scaling_factor -> decode -> image and uint8. */
    @ParameterizedTest
    @ValueSource(strings = {"p64x64_s1", "p64x64_s4", "p64x96_s1", "p64x96_s4"})
    void pipelineDecode(String c) {
        try (Goldens pipe = new Goldens(ReferenceKit.golden("pipeline.safetensors"))) {
            HostTensor z = scaled(pipe.get(c + ".final_latents"), 1 / cfg.scalingFactor());
            HostTensor image = VaeImages.toUnitRange(ops.download(vae.decode(ops, ops.upload(z))));
            g.check("pipeline.image", c + ".image", image, pipe.get(c + ".image"), Goldens.OUTPUT_TOL);
            byte[] expected = pipe.bytes(c + ".image_uint8"), actual = VaeImages.toUint8Nhwc(image);
            int off = 0;
            for (int i = 0; i < expected.length; i++) {
                int d = Math.abs((actual[i] & 0xff) - (expected[i] & 0xff));
                assertTrue(d <= 1, c + ".image_uint8[" + i + "] differs by " + d);
                off += d;
            }
            System.out.printf("%s.image_uint8: %d of %d values off by 1%n", c, off, expected.length);
            assertTrue(off <= expected.length / 1000, off + " values off by one");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"enc64x64", "enc48x80"})
    void encoder(String c) {
        Map<String, HostTensor> marks = Goldens.newMarks();
        LatentDistribution dist = vae.encode(Goldens.recording(ops, marks), ops.upload(g.get(c + ".image")));
        g.check("vae.posterior", c + ".mean", dist.mean(), g.get(c + ".mean"), Goldens.OUTPUT_TOL);
        g.check("vae.posterior", c + ".logvar", dist.logvar(), g.get(c + ".logvar"), Goldens.OUTPUT_TOL);
        g.check("vae.posterior", c + ".std", dist.std(), g.get(c + ".std"), Goldens.OUTPUT_TOL);
        HostTensor sample = dist.sample(g.get(c + ".sample_noise"));
        g.check("vae.posterior", c + ".sample", sample, g.get(c + ".sample"), Goldens.OUTPUT_TOL);
        g.check("vae.posterior", c + ".init_latents", scaled(sample, cfg.scalingFactor()), g.get(c + ".init_latents"), Goldens.OUTPUT_TOL);
        checkHooks(c, marks);
    }

    /** Every hook the golden case has, by module path; conv_norm_out is fused with its SiLU, so it is checked block-wise. */
    private void checkHooks(String c, Map<String, HostTensor> marks) {
        String prefix = c + ".hook.";
        int checked = 0;
        for (String name : g.names()) {
            if (!name.startsWith(prefix)) continue;
            String path = name.substring(prefix.length());
            if (path.endsWith("conv_norm_out")) {
                String half = path.substring(0, path.indexOf('.'));
                String input = prefix + (half.equals("decoder") ? "decoder.up_blocks." + (cfg.blocks() - 1) : "encoder.mid_block");
                var norm = half.equals("decoder") ? vae.decoder().convNormOut() : vae.encoder().convNormOut();
                g.check("vae.hooks", name, ops.download(norm.forward(ops, ops.upload(g.get(input)))), g.get(name), Goldens.HOOK_TOL);
            } else {
                assertTrue(marks.containsKey(path), "no mark at " + path + " (marks: " + marks.keySet() + ")");
                g.check("vae.hooks", name, marks.get(path), g.get(name), Goldens.HOOK_TOL);
            }
            checked++;
        }
        System.out.println(c + ": " + checked + " hooks checked");
    }

    private static HostTensor scaled(HostTensor t, float s) {
        float[] out = t.data().clone();
        for (int i = 0; i < out.length; i++) out[i] *= s;
        return new HostTensor(t.shape(), out);
    }
}
