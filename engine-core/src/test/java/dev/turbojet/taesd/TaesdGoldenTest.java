package dev.turbojet.taesd;

import dev.turbojet.image.RgbImage;
import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.io.TensorSource;
import dev.turbojet.io.TensorView;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.TracingOps;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.testing.ReferenceKit;
import dev.turbojet.verify.Comparison;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TAESDXL (the reference kit's real bf16 weights, CpuOps fp32) against taesd.py's float64 goldens:
 * both decoder cases with every Sequential output of the small one, the encoder and scale_latents.
 */
class TaesdGoldenTest {
    /** fp32 vs fp64: |a - e| <= 1e-4 max(1, max|e|); precision_report.json shows ~4e-5 at worst. */
    static final double FP32_TOL = 1e-4;

    static Path kit;
    static Ops ops;
    static SafetensorsFile goldens;
    static TaesdDecoder decoder;
    static TaesdEncoder encoder;

    @BeforeAll
    static void load() {
        kit = ReferenceKit.root().resolve("taesdxl");
        ops = new CpuOps(2);
        goldens = SafetensorsFile.open(kit.resolve("goldens.safetensors"));
        decoder = TaesdDecoder.load(kit.resolve(TaesdFiles.DECODER), ops);
        encoder = TaesdEncoder.load(kit.resolve(TaesdFiles.ENCODER), ops);
    }

    @AfterAll
    static void close() {
        goldens.close();
    }

    static HostTensor golden(String name) {
        return goldens.find(name).orElseThrow(() -> new AssertionError("golden " + name + " missing")).toHost();
    }

    static void check(String name, HostTensor actual) {
        Comparison c = Comparison.of(name, actual, golden(name), FP32_TOL);
        System.out.println(c.summary());
        assertTrue(c.withinScaled(FP32_TOL), () -> c.summary() + " exceeds " + FP32_TOL + " x max(1, max|e|):" + c.firstMismatches());
    }

    @Test
    void sizesComeFromTheCheckpoints() {
        assertEquals(TaesdConfig.sdxl(), decoder.config());
        assertEquals(TaesdConfig.sdxl(), encoder.config());
        assertEquals(20, decoder.layers().size());
        assertEquals(15, encoder.layers().size());
    }

    @Test
    void decoder() {
        check("decoder.output", ops.download(decoder.decode(ops, ops.upload(golden("decoder.latents")))));
    }

    @Test
    void decoderSmallEveryLayer() {
        TracingOps tracing = new TracingOps(ops);
        HostTensor out = tracing.download(decoder.decode(tracing, tracing.upload(golden("decoder_small.latents"))));
        check("decoder_small.output", out);
        int hooks = 0;
        for (String name : goldens.names()) {
            if (!name.startsWith("decoder_small.layer")) continue;
            String path = decoder.layerPath(Integer.parseInt(name.substring("decoder_small.layer".length())));
            HostTensor actual = tracing.traced().get(path);
            assertTrue(actual != null, "no activation marked at " + path);
            check(name, actual);
            hooks++;
        }
        assertEquals(11, hooks);
    }

    @Test
    void encoder() {
        HostTensor latents = ops.download(encoder.encode(ops, ops.upload(golden("encoder.image"))));
        check("encoder.latents", latents);
        check("encoder.latents_scaled_0_1", TaesdEncoder.scaleLatents(latents));
    }

    @Test
    void previewerMakesTheClampedEightBitImage() {
        LatentPreviewer previewer = new TaesdPreviewer(decoder, ops);
        RgbImage image = previewer.preview(golden("decoder_small.latents"));
        assertEquals(96, image.width());
        assertEquals(64, image.height());
        HostTensor expected = golden("decoder_small.output");
        float[] e = expected.data();
        int plane = 64 * 96, off = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 96; x++) {
                for (int c = 0; c < 3; c++) {
                    double want = Math.clamp(e[c * plane + y * 96 + x], 0f, 1f) * 255.0;
                    // the decode differs from the golden by < 1e-4, so a rounding may flip at .5
                    assertTrue(Math.abs(image.get(x, y, c) - want) <= 0.51, "pixel " + x + "," + y + " channel " + c
                            + ": " + image.get(x, y, c) + " vs " + want);
                    off++;
                }
            }
        }
        assertEquals(3 * plane, off);
        assertThrows(IllegalArgumentException.class, () -> previewer.preview(HostTensor.zeros(dev.turbojet.tensor.Shape.of(2, 4, 2, 2))));
        List<RgbImage> two = previewer.previewAll(HostTensor.zeros(dev.turbojet.tensor.Shape.of(2, 4, 2, 3)));
        assertEquals(2, two.size());
        assertEquals(24, two.get(1).width());
    }

    @Test
    void aDamagedCheckpointFailsNamingEveryProblem() {
        try (SafetensorsFile f = SafetensorsFile.open(kit.resolve(TaesdFiles.DECODER))) {
            TensorSource damaged = without(f, "8.conv.2.weight");
            CheckpointException e = assertThrows(CheckpointException.class, () -> TaesdDecoder.load(damaged, ops));
            assertTrue(e.getMessage().contains("missing") && e.getMessage().contains("8.conv.2.weight"), e.getMessage());
        }
        try (SafetensorsFile f = SafetensorsFile.open(kit.resolve(TaesdFiles.DECODER))) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> TaesdEncoder.load(f, ops));
            assertTrue(e.getMessage().contains("not a TAESD encoder"), e.getMessage());
        }
    }

    /** {@code src} without the tensor {@code name}. */
    static TensorSource without(TensorSource src, String name) {
        return new TensorSource() {
            @Override
            public SortedSet<String> names() {
                TreeSet<String> all = new TreeSet<>(src.names());
                all.remove(name);
                return all;
            }

            @Override
            public Optional<TensorView> find(String n) {
                return n.equals(name) ? Optional.empty() : src.find(n);
            }

            @Override
            public String description() {
                return src.description() + " without " + name;
            }
        };
    }
}
