package dev.turbojet.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turbojet.ops.Ops;
import dev.turbojet.profile.ModelSize;
import dev.turbojet.profile.SyntheticModels;
import dev.turbojet.profile.Workloads;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.vae.VaeConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * Generations in a loop on one backend (synthetic weights, text to decoded image, 1 step): device
 * memory and Java heap before and after, the median and worst generation time, and whether the last
 * image is bit-identical to the first (same inputs every time). Fails when an image is not finite or
 * device memory in use grew by more than {@code --max-growth-mib}.
 *
 * <pre>java ... -cp benchmarks.jar dev.turbojet.bench.Soak --backend cuda --size full --latent 64 --generations 200</pre>
 */
@Command(name = "soak", mixinStandardHelpOptions = true, description = "Generations in a loop: leaks, drift, stalls.")
public final class Soak implements Callable<Integer> {
    @Option(names = "--backend", defaultValue = "cuda", description = "cpu or cuda. Default: ${DEFAULT-VALUE}.")
    String backend;
    @Option(names = "--dtype", defaultValue = "fp16", description = "fp16 or bf16 on cuda, fp32 on cpu. Default: ${DEFAULT-VALUE}.")
    String dtype;
    @Option(names = "--size", defaultValue = "tiny", description = "tiny or full. Default: ${DEFAULT-VALUE}.")
    String size;
    @Option(names = "--latent", defaultValue = "16", description = "Latent side (8x the image side). Default: ${DEFAULT-VALUE}.")
    int latent;
    @Option(names = "--generations", defaultValue = "200", description = "Default: ${DEFAULT-VALUE}.")
    int generations;
    @Option(names = "--max-growth-mib", defaultValue = "16", description = "Device memory growth that fails the run. Default: ${DEFAULT-VALUE}.")
    long maxGrowthMib;
    @Option(names = "--json", description = "Write the result here too.")
    Path json;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Soak()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (generations < 1) throw new IllegalArgumentException("--generations must be at least 1, got " + generations);
        ModelSize model = ModelSize.parse(size);
        VaeConfig vae = model.vae();
        if ("cpu".equals(backend) && "fp16".equals(dtype)) dtype = "fp32";
        try (Ops ops = Backends.create(backend, dtype)) {
            Workloads.Generation generation = Workloads.Generation.create(
                    SyntheticModels.textEncoders(model.textEncoder(), model.textEncoder2(), ops),
                    SyntheticModels.unet(model.unet(), ops), SyntheticModels.vaeDecoder(vae, ops), vae, latent, 1);
            HostTensor first = Backends.timed(ops, () -> generation.run(ops));  // warm-up: plans, arena, JIT
            requireFinite(first, 0);
            long deviceBefore = deviceBytesInUse(ops);
            long heapBefore = heapInUse();
            double[] ms = new double[generations];
            HostTensor last = first;
            for (int i = 0; i < generations; i++) {
                long t0 = System.nanoTime();
                last = Backends.timed(ops, () -> generation.run(ops));
                ms[i] = (System.nanoTime() - t0) / 1e6;
                requireFinite(last, i + 1);
            }
            long deviceAfter = deviceBytesInUse(ops);
            long heapAfter = heapInUse();
            double[] sorted = ms.clone();
            Arrays.sort(sorted);
            float maxDiff = 0;
            for (int i = 0; i < first.data().length; i++) maxDiff = Math.max(maxDiff, Math.abs(first.data()[i] - last.data()[i]));

            ObjectNode r = new ObjectMapper().createObjectNode();
            r.put("backend", ops.describe()).put("size", size).put("latent", latent).put("generations", generations);
            r.put("median_ms", sorted[sorted.length / 2]).put("max_ms", sorted[sorted.length - 1]).put("min_ms", sorted[0]);
            r.put("device_bytes_in_use_before", deviceBefore).put("device_bytes_in_use_after", deviceAfter);
            r.put("heap_bytes_before", heapBefore).put("heap_bytes_after", heapAfter);
            r.put("last_vs_first_max_abs_diff", maxDiff);
            String text = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(r);
            System.out.println(text);
            if (json != null) java.nio.file.Files.writeString(json, text + "\n");
            long growth = deviceAfter - deviceBefore;
            if (deviceBefore >= 0 && growth > (maxGrowthMib << 20)) {
                System.err.printf("soak: device memory in use grew by %.1f MiB over %d generations%n", growth / 1048576.0, generations);
                return 1;
            }
            return 0;
        }
    }

    /** Device memory in use (total - free) as the driver reports it; -1 on the CPU. */
    private static long deviceBytesInUse(Ops ops) {
        return ops.deviceMemoryInUse().orElse(-1);
    }

    private static long heapInUse() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static void requireFinite(HostTensor image, int generation) {
        for (float v : image.data()) {
            if (!Float.isFinite(v)) throw new IllegalStateException("generation " + generation + " decoded a non-finite value");
        }
    }
}
