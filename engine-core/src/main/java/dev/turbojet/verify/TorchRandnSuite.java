package dev.turbojet.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turbojet.schedule.TorchGenerator;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;

import java.util.HashMap;
import java.util.Map;

/**
 * torch CPU random-stream goldens: a companion JSON lists each draw (name, seed, fn randn|rand,
 * dtype, shape, whether it starts a fresh generator); draws on one generator follow in file order.
 * Compared exactly (float64/float16 draws after rounding to float32).
 */
public final class TorchRandnSuite implements GoldenSuite {
    @Override
    public String name() {
        return "torch random streams";
    }

    @Override
    public boolean accepts(GoldenFile g) {
        return g.companionJson().map(j -> j.path("entries").isArray() && j.path("entries").path(0).has("seed")).orElse(false);
    }

    @Override
    public void run(VerifyContext ctx, GoldenFile g, VerifyReport report) {
        Map<Long, TorchGenerator> generators = new HashMap<>();
        for (JsonNode e : g.companionJson().orElseThrow().path("entries")) {
            String name = e.path("name").asText();
            try {
                long seed = e.path("seed").asLong();
                TorchGenerator gen = e.path("fresh_generator").asBoolean(true) || !generators.containsKey(seed)
                        ? new TorchGenerator(seed) : generators.get(seed);
                generators.put(seed, gen);
                long[] dims = new long[e.path("shape").size()];
                for (int i = 0; i < dims.length; i++) dims[i] = e.path("shape").get(i).asLong();
                report.check(name, new HostTensor(Shape.of(dims), draw(gen, e.path("fn").asText(), e.path("dtype").asText(), dims)),
                        Tolerance.EXACT);
            } catch (RuntimeException ex) {
                report.error(name, ex);
            }
        }
    }

    private static float[] draw(TorchGenerator gen, String fn, String dtype, long[] dims) {
        return switch (fn + " " + dtype) {
            case "randn torch.float32" -> gen.randn(dims);
            case "rand torch.float32" -> gen.rand(dims);
            case "randn torch.float64" -> toFloat(gen.randnDouble(dims));
            case "rand torch.float64" -> toFloat(gen.randDouble(dims));
            case "randn torch.float16" -> {
                short[] h = gen.randnHalf(dims);
                float[] out = new float[h.length];
                for (int i = 0; i < h.length; i++) out[i] = Float.float16ToFloat(h[i]);
                yield out;
            }
            default -> throw new IllegalArgumentException("unsupported draw: " + fn + " of " + dtype);
        };
    }

    private static float[] toFloat(double[] d) {
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) out[i] = (float) d[i];
        return out;
    }
}
