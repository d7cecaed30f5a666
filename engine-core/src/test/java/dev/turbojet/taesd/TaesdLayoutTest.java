package dev.turbojet.taesd;

import dev.turbojet.io.SyntheticWeights;
import dev.turbojet.io.TensorSource;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.verify.Comparison;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The taesd.py layout on seeded synthetic weights: sizes read from shapes, and the block's 1x1 skip. */
class TaesdLayoutTest {
    final Ops ops = new CpuOps(2);

    /** taesd.py key names and shapes for a half whose Sequential is {@code kinds} ('c' conv, 'd' bias-free conv, 'b' block, '-' none). */
    static List<SyntheticWeights.Entry> entries(String kinds, int first, int last, int c) {
        List<SyntheticWeights.Entry> out = new ArrayList<>();
        int lastConv = kinds.lastIndexOf('c');
        for (int i = 0; i < kinds.length(); i++) {
            int in = i == kinds.indexOf('c') ? first : c, outCh = i == lastConv ? last : c;
            switch (kinds.charAt(i)) {
                case 'c' -> {
                    out.add(new SyntheticWeights.Entry(i + ".weight", Shape.of(outCh, in, 3, 3)));
                    out.add(new SyntheticWeights.Entry(i + ".bias", Shape.of(outCh)));
                }
                case 'd' -> out.add(new SyntheticWeights.Entry(i + ".weight", Shape.of(c, c, 3, 3)));
                case 'b' -> {
                    for (int k = 0; k <= 4; k += 2) {
                        out.add(new SyntheticWeights.Entry(i + ".conv." + k + ".weight", Shape.of(c, c, 3, 3)));
                        out.add(new SyntheticWeights.Entry(i + ".conv." + k + ".bias", Shape.of(c)));
                    }
                }
                default -> { }
            }
        }
        return out;
    }

    @Test
    void a16ChannelTaesdLoadsWithItsSizesFromTheShapes() {
        // TAESD3 / TAEF1 sizes (16 latent channels), narrowed to 8 hidden channels to stay fast
        TensorSource dec = SyntheticWeights.of(entries("-c-bbb-dbbb-dbbb-dbc", 16, 3, 8), DType.F32, 1);
        TensorSource enc = SyntheticWeights.of(entries("cbdbbbdbbbdbbbc", 3, 16, 8), DType.F32, 2);
        TaesdDecoder decoder = TaesdDecoder.load(dec, ops);
        TaesdEncoder encoder = TaesdEncoder.load(enc, ops);
        assertEquals(new TaesdConfig(16, 3, 8), decoder.config());
        assertEquals(new TaesdConfig(16, 3, 8), encoder.config());
        HostTensor image = ops.download(decoder.decode(ops, ops.upload(HostTensor.zeros(Shape.of(1, 16, 3, 5)))));
        assertArrayEquals(new long[]{1, 3, 24, 40}, image.shape().dims());
        HostTensor latents = ops.download(encoder.encode(ops, ops.upload(HostTensor.zeros(Shape.of(2, 3, 24, 40)))));
        assertArrayEquals(new long[]{2, 16, 3, 5}, latents.shape().dims());
    }

    @Test
    void aBlockThatChangesWidthAddsItsBiasFree1x1Skip() {
        int in = 2, out = 3, h = 4, w = 5;
        List<SyntheticWeights.Entry> e = new ArrayList<>();
        e.add(new SyntheticWeights.Entry("conv.0.weight", Shape.of(out, in, 3, 3)));
        e.add(new SyntheticWeights.Entry("conv.0.bias", Shape.of(out)));
        for (int k = 2; k <= 4; k += 2) {
            e.add(new SyntheticWeights.Entry("conv." + k + ".weight", Shape.of(out, out, 3, 3)));
            e.add(new SyntheticWeights.Entry("conv." + k + ".bias", Shape.of(out)));
        }
        e.add(new SyntheticWeights.Entry("skip.weight", Shape.of(out, in, 1, 1)));
        TensorSource src = SyntheticWeights.of(e, DType.F32, 3);
        Weights weights = Weights.of(src, ops);
        TaesdBlock block = TaesdBlock.load(weights, in, out);
        weights.report().check();
        assertTrue(block.skip().isPresent());

        float[] x = new float[in * h * w];
        Random rnd = new Random(5);
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        HostTensor actual = ops.download(block.forward(ops, ops.upload(new HostTensor(Shape.of(1, in, h, w), x))));

        // fp64: relu(conv4(relu(conv2(relu(conv0 x)))) + skip x)
        double[] a = relu(conv(src, "conv.0", toDouble(x), in, out, h, w, 3));
        a = relu(conv(src, "conv.2", a, out, out, h, w, 3));
        a = conv(src, "conv.4", a, out, out, h, w, 3);
        double[] s = conv(src, "skip", toDouble(x), in, out, h, w, 1);
        float[] expected = new float[a.length];
        for (int i = 0; i < a.length; i++) expected[i] = (float) Math.max(0, a[i] + s[i]);
        Comparison c = Comparison.of("block", actual, new HostTensor(Shape.of(1, out, h, w), expected));
        assertTrue(c.withinScaled(1e-5), c.summary());
    }

    /** fp64 conv with padding k / 2, stride 1; bias when the source has one. */
    static double[] conv(TensorSource src, String name, double[] x, int in, int out, int h, int w, int k) {
        float[] wt = src.find(name + ".weight").orElseThrow().toFloatArray();
        float[] b = src.find(name + ".bias").map(v -> v.toFloatArray()).orElse(new float[out]);
        double[] y = new double[out * h * w];
        int p = k / 2;
        for (int o = 0; o < out; o++)
            for (int yy = 0; yy < h; yy++)
                for (int xx = 0; xx < w; xx++) {
                    double sum = b[o];
                    for (int i = 0; i < in; i++)
                        for (int ky = 0; ky < k; ky++)
                            for (int kx = 0; kx < k; kx++) {
                                int sy = yy + ky - p, sx = xx + kx - p;
                                if (sy < 0 || sy >= h || sx < 0 || sx >= w) continue;
                                sum += (double) wt[((o * in + i) * k + ky) * k + kx] * x[(i * h + sy) * w + sx];
                            }
                    y[(o * h + yy) * w + xx] = sum;
                }
        return y;
    }

    static double[] relu(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Math.max(0, v[i]);
        return out;
    }

    static double[] toDouble(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }
}
