package dev.turbojet.unet;

import dev.turbojet.io.SyntheticWeights;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One forward of the full-size SDXL Turbo UNet (2.57 B parameters, seeded synthetic fp16 weights)
 * on CpuOps at a 16x16 latent: the whole graph runs at real widths and gives a finite eps.
 * CpuOps widens the weights to fp32 (10.3 GB), so the test needs a large heap; it is skipped,
 * saying so, when the JVM has less.
 *
 * <p>On 2 cores it takes about a minute (synthesise + widen ~30 s, forward ~20 s). It is tagged
 * {@code full-size}, which the build runs in a test JVM of its own (engine-core's pom) with the
 * test heap ceiling of the root pom.
 */
@Tag("full-size")
class UNetFullSizeForwardTest {
    static final long HEAP_NEEDED = 10L << 30;

    @Test
    void fullSizeForwardAt16x16() {
        long maxHeap = Runtime.getRuntime().maxMemory();
        assumeTrue(maxHeap >= HEAP_NEEDED, () -> "the full-size UNet on CpuOps holds 10.3 GB of fp32 weights: needs a usable heap of "
                + (HEAP_NEEDED >> 30) + " GiB, this JVM has " + (maxHeap >> 20) + " MiB (give the test JVM -Xmx12g or more)");
        UNetConfig cfg = UNetConfig.read(ReferenceKit.realConfig("unet/config.json"));
        SyntheticWeights src = SyntheticWeights.of(SyntheticWeights.readManifest(ReferenceKit.manifest("unet.tsv")), DType.F16, 7);
        CpuOps ops = new CpuOps();

        long t0 = System.nanoTime();
        UNet2DCondition unet = UNet2DCondition.load(src, ops, cfg);
        long t1 = System.nanoTime();
        SplittableRandom rng = new SplittableRandom(42);
        Tensor sample = ops.upload(gaussian(rng, 1, 4, 16, 16));
        Tensor ehs = ops.upload(gaussian(rng, 1, 77, 2048));
        Tensor text = ops.upload(gaussian(rng, 1, 1280));
        HostTensor ids = HostTensor.of(Shape.of(1, 6), 128, 128, 0, 0, 128, 128);
        HostTensor eps = ops.download(unet.forward(ops, sample, 999f, ehs, text, ids));
        long t2 = System.nanoTime();

        System.out.printf("full-size UNet on %s: load (synthesise + widen) %.1f s, forward 1x4x16x16 %.1f s%n",
                ops.describe(), (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        assertEquals(Shape.of(1, 4, 16, 16), eps.shape());
        double sumSq = 0;
        for (float v : eps.data()) {
            assertTrue(Float.isFinite(v), "non-finite eps");
            sumSq += (double) v * v;
        }
        assertTrue(sumSq > 0, "eps is all zeros");
    }

    static HostTensor gaussian(SplittableRandom rng, int... dims) {
        Shape s = Shape.of(dims);
        float[] x = new float[Math.toIntExact(s.numel())];
        for (int i = 0; i < x.length; i++) {
            // Box-Muller
            double u = 1 - rng.nextDouble(), v = rng.nextDouble();
            x[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
        }
        return new HostTensor(s, x);
    }
}
