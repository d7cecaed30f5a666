package dev.turbojet.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turbojet.clip.TextEncoders;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.profile.ModelSize;
import dev.turbojet.profile.SyntheticModels;
import dev.turbojet.profile.Workloads;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.vae.VaeConfig;
import dev.turbojet.vae.VaeTiling;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * One component of SDXL Turbo in one process, for the side-by-side with PyTorch
 * ({@code bench/peer/cpu-side-by-side.sh}, whose peer is {@code bench/peer/cpu_components.py}): build it
 * with synthetic weights on {@code new CpuOps(threads)}, run one warm-up forward, time {@code --iters}
 * forwards, print one JSON line. Each timed forward ends with its output downloaded to a host array.
 * The components are {@link Workloads}' own: {@code unet} one UNet step (timestep 999, batch 1, 77 tokens),
 * {@code vae-decode} post_quant_conv + decoder, {@code text-encoders} text_encoder to its penultimate
 * layer + text_encoder_2 with its projection. The process's peak RSS is measured by whoever starts it.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Xmx14g -XX:+UseParallelGC \
 *     -cp bench/target/benchmarks.jar dev.turbojet.bench.ComponentRun --component unet --size full --threads 2</pre>
 */
@Command(name = "component-run", mixinStandardHelpOptions = true,
        description = "Time one SDXL Turbo component on the cpu backend; one JSON line on stdout.")
public final class ComponentRun implements Callable<Integer> {
    /** The components, as the side-by-side script names them. */
    enum Component {
        UNET("unet"), VAE_DECODE("vae-decode"), TEXT_ENCODERS("text-encoders");

        final String label;

        Component(String label) {
            this.label = label;
        }

        static Component parse(String name) {
            for (Component c : values()) if (c.label.equals(name)) return c;
            throw new IllegalArgumentException("component '" + name + "': expected unet, vae-decode or text-encoders");
        }
    }

    @Option(names = "--component", required = true, description = "unet, vae-decode or text-encoders.")
    String component;
    @Option(names = "--size", defaultValue = "full", description = "tiny or full. Default: ${DEFAULT-VALUE}.")
    String size;
    @Option(names = "--latent", defaultValue = "64", description = "Latent side for unet and vae-decode (64 = 512 px). Default: ${DEFAULT-VALUE}.")
    int latent;
    @Option(names = "--threads", defaultValue = "0", description = "CpuOps worker threads; 0 = every available processor.")
    int threads;
    @Option(names = "--iters", defaultValue = "3", description = "Timed forwards after the warm-up. Default: ${DEFAULT-VALUE}.")
    int iters;
    @Option(names = "--vae-tiling", description = "vae-decode by tiles (VaeDecoder.decodeTiled with the config's default tiling, "
            + "as diffusers' enable_tiling), whatever the size.")
    boolean vaeTiling;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ComponentRun()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (iters < 1) throw new IllegalArgumentException("--iters must be at least 1, got " + iters);
        Component which = Component.parse(component);
        ModelSize model = ModelSize.parse(size);
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        try (Ops ops = new CpuOps(n)) {
            long t0 = System.nanoTime();
            Supplier<Object> forward = build(which, model, ops);
            double loadS = seconds(t0);
            long t1 = System.nanoTime();
            Backends.timed(ops, forward);
            double warmupS = seconds(t1);
            double[] times = new double[iters];
            for (int i = 0; i < iters; i++) {
                long t = System.nanoTime();
                Backends.timed(ops, forward);
                times[i] = seconds(t);
            }
            double[] sorted = times.clone();
            Arrays.sort(sorted);
            double median = iters % 2 == 1 ? sorted[iters / 2] : (sorted[iters / 2 - 1] + sorted[iters / 2]) / 2;

            ObjectMapper json = new ObjectMapper();
            ObjectNode r = json.createObjectNode();
            r.put("side", "turbojet").put("component", which.label).put("size", size);
            if (which != Component.TEXT_ENCODERS) r.put("latent", latent);
            if (which == Component.VAE_DECODE) r.put("vae_tiling", vaeTiling);
            r.put("threads", n).put("backend", ops.describe());
            r.put("java", System.getProperty("java.runtime.version")).put("vm", System.getProperty("java.vm.name"));
            ArrayNode jvmArgs = r.putArray("jvm_args");
            ManagementFactory.getRuntimeMXBean().getInputArguments().forEach(jvmArgs::add);
            r.put("heap_max_gb", Runtime.getRuntime().maxMemory() / 1e9);
            r.put("heap_committed_gb", Runtime.getRuntime().totalMemory() / 1e9);
            r.put("load_s", loadS).put("warmup_s", warmupS);
            ArrayNode t = r.putArray("times_s");
            for (double v : times) t.add(v);
            r.put("median_s", median);
            System.out.println(json.writeValueAsString(r));
            return 0;
        }
    }

    /** The component bound to synthetic weights on {@code ops}, as one forward that ends on the host. */
    private Supplier<Object> build(Component which, ModelSize model, Ops ops) {
        return switch (which) {
            case UNET -> {
                Workloads.UNetStep step = Workloads.UNetStep.create(ops, SyntheticModels.unet(model.unet(), ops), latent);
                yield () -> ops.download(step.run(ops));                               // [1, 4, latent, latent]
            }
            case VAE_DECODE -> {
                VaeConfig cfg = model.vae();
                Workloads.Decode decode = Workloads.Decode.create(ops, SyntheticModels.vaeDecoder(cfg, ops), cfg, latent);
                if (vaeTiling) {
                    HostTensor z = ops.download(decode.latents());
                    VaeTiling tiling = VaeTiling.defaults(cfg);
                    yield () -> decode.decoder().decodeTiled(ops, z, tiling);            // [1, 3, 8 latent, 8 latent]
                }
                yield () -> ops.download(decode.run(ops));                             // [1, 3, 8 latent, 8 latent]
            }
            case TEXT_ENCODERS -> {
                Workloads.PromptEncode encode = Workloads.PromptEncode.create(
                        SyntheticModels.textEncoders(model.textEncoder(), model.textEncoder2(), ops));
                yield () -> {
                    TextEncoders.PromptEmbeds e = encode.run(ops);
                    List<HostTensor> host = List.of(ops.download(e.promptEmbeds()),          // [1, 77, 2048]
                            ops.download(e.pooledPromptEmbeds()));                             // [1, 1280]
                    return host;
                };
            }
        };
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
