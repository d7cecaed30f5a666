package dev.turbojet.bench;

import dev.turbojet.profile.FlopTable;
import dev.turbojet.profile.Workloads;
import dev.turbojet.profile.ModelSize;
import dev.turbojet.ops.CountingOps;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads JMH JSON result files and prints one markdown row per result: time per operation, the
 * FLOPs of one operation counted on shapes by {@link CountingOps} (the FLOPS.md rules), the
 * achieved GFLOP/s, and the FLOPS.md total where it publishes one for that workload.
 * {@code java -cp benchmarks.jar dev.turbojet.bench.Summary results/*.json}
 */
public final class Summary {
    private Summary() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: Summary <jmh-result.json>...");
            System.exit(2);
        }
        System.out.println("| benchmark | params | mode | ms/op | error | GFLOP/op | GFLOP/s | FLOPS.md GFLOP |");
        System.out.println("|---|---|---|---:|---:|---:|---:|---:|");
        ObjectMapper json = new ObjectMapper();
        for (String file : args) {
            for (JsonNode r : json.readTree(Path.of(file).toFile())) {
                String bench = r.get("benchmark").asText();
                String cls = bench.substring(0, bench.lastIndexOf('.'));
                cls = cls.substring(cls.lastIndexOf('.') + 1);
                Map<String, String> params = new TreeMap<>();
                r.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
                JsonNode m = r.get("primaryMetric");
                double scale = msPerUnit(m.get("scoreUnit").asText());
                double ms = m.get("score").asDouble() * scale, err = m.path("scoreError").asDouble(Double.NaN) * scale;
                double flops = flopsPerOp(cls, params);
                System.out.printf("| %s | %s | %s | %.3f | %s | %.3f | %.1f | %s |%n", cls + "." + bench.substring(bench.lastIndexOf('.') + 1),
                        params, r.get("mode").asText(), ms, Double.isNaN(err) ? "" : String.format("%.3f", err),
                        flops / 1e9, flops / (ms * 1e6), reference(cls, params).map(v -> String.format("%.1f", v)).orElse(""));
            }
        }
    }

    /** FLOPs of one operation of benchmark class {@code cls} with {@code params}. */
    public static double flopsPerOp(String cls, Map<String, String> p) {
        int bytes = Backends.bytes(p.getOrDefault("dtype", "fp32"));
        return switch (cls) {
            case "UNetBench" -> Workloads.countUNet(size(p), latent(p), bytes).totalFlops();
            case "TextEncoderBench" -> Workloads.countTextEncoders(size(p), bytes).totalFlops();
            case "VaeDecodeBench" -> Workloads.countVaeDecode(size(p), latent(p), bytes).totalFlops();
            case "PipelineBench" -> Workloads.countGeneration(size(p), latent(p), Integer.parseInt(p.get("steps")), bytes).totalFlops();
            case "GemmBench" -> GemmBench.flops(p.get("shape"));
            case "ConvBench" -> ConvBench.flops(p.get("shape"));
            default -> throw new IllegalArgumentException("no FLOP count for benchmark class " + cls);
        };
    }

    private static Optional<Double> reference(String cls, Map<String, String> p) {
        if (!"full".equals(p.get("size"))) return Optional.empty();
        return switch (cls) {
            case "UNetBench" -> FlopTable.unet(latent(p)).map(t -> t.totalGflop);
            case "VaeDecodeBench" -> latent(p) == 64 ? Optional.of(FlopTable.VAE_DECODER_64.totalGflop) : Optional.empty();
            // FLOPS.md runs all 12 layers of text_encoder; the pipeline skips the last one (about 1 GFLOP less)
            case "TextEncoderBench" -> Optional.of(FlopTable.TEXT_ENCODER.totalGflop + FlopTable.TEXT_ENCODER_2.totalGflop);
            default -> Optional.empty();
        };
    }

    private static ModelSize size(Map<String, String> p) {
        return ModelSize.parse(p.get("size"));
    }

    private static int latent(Map<String, String> p) {
        return Integer.parseInt(p.get("latent"));
    }

    private static double msPerUnit(String unit) {
        return switch (unit) {
            case "s/op" -> 1e3;
            case "ms/op" -> 1;
            case "us/op" -> 1e-3;
            case "ns/op" -> 1e-6;
            default -> throw new IllegalArgumentException("score unit " + unit + ": run with -bm avgt or -bm ss");
        };
    }
}
