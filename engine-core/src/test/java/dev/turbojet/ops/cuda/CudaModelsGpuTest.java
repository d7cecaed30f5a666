package dev.turbojet.ops.cuda;

import dev.turbojet.clip.ClipTextConfig;
import dev.turbojet.clip.ClipTextModel;
import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Tensor;
import dev.turbojet.testing.ReferenceKit;
import dev.turbojet.unet.UNet2DCondition;
import dev.turbojet.unet.UNetConfig;
import dev.turbojet.vae.AutoencoderKL;
import dev.turbojet.vae.VaeConfig;
import dev.turbojet.verify.Comparison;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The tiny reference models (tiny-sdxl) through CudaOps against diffusers' goldens: text encoders,
 * UNet and VAE decoder, in fp16 and bf16. Whole-model tolerances are looser than the per-op ones
 * because storage rounding compounds over every layer; they are first estimates to be tightened
 * from the first measured run. Skips, with the reason, where the CUDA backend cannot start.
 */
class CudaModelsGpuTest {
    static final double MODEL_FP16_TOL = 1e-2;
    static final double MODEL_BF16_TOL = 3e-2;
    static final long ARENA = 2L << 30;

    @BeforeEach
    void gpu() {
        assumeTrue(GpuSupport.available(), () -> GpuSupport.skipReason().orElse(""));
    }

    static double tol(Precision p) {
        return p == Precision.FP16 ? MODEL_FP16_TOL : MODEL_BF16_TOL;
    }

    static void compare(Precision p, String name, HostTensor actual, HostTensor expected) {
        Comparison c = Comparison.of(name, actual, expected);
        boolean ok = c.relErr() <= tol(p);
        System.out.printf("%s model %-40s %-5s relErr %.3e  max|diff| %.3e  (tol %.0e)%n",
                ok ? "OK  " : "FAIL", name, p.label(), c.relErr(), c.maxAbsDiff(), tol(p));
        assertTrue(ok, () -> c.summary() + " exceeds relErr " + tol(p) + ":" + c.firstMismatches());
    }

    static <T> T load(String file, Function<SafetensorsFile, T> f) {
        try (SafetensorsFile s = SafetensorsFile.open(ReferenceKit.tiny(file))) {
            return f.apply(s);
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void textEncoders(Precision p) {
        try (CudaOps ops = CudaOps.open(new CudaOps.Options(0, p, ARENA));
             SafetensorsFile g = SafetensorsFile.open(ReferenceKit.golden("text_encoders.safetensors"))) {
            for (String te : new String[] {"text_encoder", "text_encoder_2"}) {
                String key = te.equals("text_encoder") ? "te1" : "te2";
                ClipTextModel m = load(te + "/model.safetensors",
                        f -> ClipTextModel.load(f, ops, ClipTextConfig.read(ReferenceKit.tiny(te + "/config.json"))));
                var v = g.find(key.equals("te1") ? "input_ids_1" : "input_ids_2").orElseThrow();
                long[] flat = v.toLongArray();
                int b = v.shape().intDim(0), t = v.shape().intDim(1);
                int[][] ids = new int[b][t];
                for (int i = 0; i < b; i++) for (int j = 0; j < t; j++) ids[i][j] = Math.toIntExact(flat[i * t + j]);
                ops.beginPass();
                ops.poisonFreeArena();
                ClipTextModel.Output out = m.forward(ops, ids);
                compare(p, key + ".penultimate", ops.download(out.penultimate()), g.find(key + ".penultimate").orElseThrow().toHost());
                compare(p, key + ".last_hidden_state", ops.download(out.lastHiddenState()),
                        g.find(key + ".last_hidden_state").orElseThrow().toHost());
                ops.endPass();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void unet(Precision p) {
        try (CudaOps ops = CudaOps.open(new CudaOps.Options(0, p, ARENA));
             SafetensorsFile g = SafetensorsFile.open(ReferenceKit.golden("unet.safetensors"))) {
            UNetConfig cfg = UNetConfig.read(ReferenceKit.tiny("unet/config.json"));
            UNet2DCondition unet = load("unet/diffusion_pytorch_model.safetensors", f -> UNet2DCondition.load(f, ops, cfg));
            for (String key : g.names()) {
                if (!key.endsWith(".in.sample")) continue;
                String c = key.substring(0, key.length() - ".in.sample".length());
                ops.beginPass();
                ops.poisonFreeArena();
                Tensor sample = ops.upload(g.find(c + ".in.sample").orElseThrow().toHost());
                Tensor ehs = ops.upload(g.find(c + ".in.encoder_hidden_states").orElseThrow().toHost());
                Tensor text = ops.upload(g.find(c + ".in.text_embeds").orElseThrow().toHost());
                HostTensor ids = g.find(c + ".in.time_ids").orElseThrow().toHost();
                float t = g.find(c + ".in.timestep").orElseThrow().toHost().data()[0];
                HostTensor out = ops.download(unet.forward(ops, sample, t, ehs, text, ids));
                PassSummary s = ops.endPass();
                compare(p, "unet " + c + ".out", out, g.find(c + ".out").orElseThrow().toHost());
                System.out.printf("  pass: %d allocations, peak %s%n", s.allocations(), DeviceArena.mib(s.peakBytes()));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void vaeDecoder(Precision p) {
        try (CudaOps ops = CudaOps.open(new CudaOps.Options(0, p, ARENA));
             SafetensorsFile g = SafetensorsFile.open(ReferenceKit.golden("vae.safetensors"))) {
            VaeConfig cfg = VaeConfig.read(ReferenceKit.tiny("vae/config.json"));
            AutoencoderKL vae = load("vae/diffusion_pytorch_model.safetensors", f -> AutoencoderKL.load(f, ops, cfg));
            for (String c : new String[] {"dec8x8", "dec8x12_b2"}) {
                ops.beginPass();
                ops.poisonFreeArena();
                Tensor in = ops.upload(g.find(c + ".decoder_input").orElseThrow().toHost());
                HostTensor out = ops.download(vae.decode(ops, in));
                ops.endPass();
                compare(p, "vae " + c + ".decoded", out, g.find(c + ".decoded").orElseThrow().toHost());
            }
        }
    }
}
