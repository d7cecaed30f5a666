package dev.turbojet.profile;

import dev.turbojet.clip.ClipTextConfig;
import dev.turbojet.clip.ClipTextModel;
import dev.turbojet.clip.TextEncoders;
import dev.turbojet.io.SyntheticWeights;
import dev.turbojet.io.TensorSource;
import dev.turbojet.io.TensorView;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.CountingOps;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;
import dev.turbojet.unet.UNet2DCondition;
import dev.turbojet.unet.UNetConfig;
import dev.turbojet.vae.VaeConfig;
import dev.turbojet.vae.VaeDecoder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Models of any config with seeded synthetic weights, and the same models bound to no weights at
 * all for shape-only counting. The tensor list is not copied from a manifest: a dry run of the
 * model's own loader against an empty source reports every tensor it wants with its shape, and
 * those become the synthetic checkpoint, so the list always matches the code.
 */
public final class SyntheticModels {
    /** Synthetic weights are stored as fp16, as the checkpoints people download are; backends widen or upload them. */
    private static final DType STORAGE = DType.F16;
    private static final long SEED = 20240101L;
    private static final String MISSING = "missing ";

    private SyntheticModels() {
    }

    public static UNet2DCondition unet(UNetConfig cfg, Ops ops) {
        return UNet2DCondition.load(synthetic(w -> UNet2DCondition.load(w, cfg)), ops, cfg);
    }

    public static TextEncoders textEncoders(ClipTextConfig cfg1, ClipTextConfig cfg2, Ops ops) {
        return TextEncoders.load(ops, synthetic(w -> ClipTextModel.load(w, cfg1)), cfg1,
                synthetic(w -> ClipTextModel.load(w, cfg2)), cfg2);
    }

    public static VaeDecoder vaeDecoder(VaeConfig cfg, Ops ops) {
        return VaeDecoder.load(synthetic(w -> VaeDecoder.load(w, cfg)), ops, cfg);
    }

    /** The model's tree with every weight an unbound placeholder of the right shape: for {@link CountingOps} only. */
    public static UNet2DCondition unetShapesOnly(UNetConfig cfg) {
        return UNet2DCondition.load(Weights.of(EMPTY, new CountingOps()), cfg);
    }

    public static TextEncoders textEncodersShapesOnly(ClipTextConfig cfg1, ClipTextConfig cfg2) {
        return new TextEncoders(ClipTextModel.load(Weights.of(EMPTY, new CountingOps()), cfg1),
                ClipTextModel.load(Weights.of(EMPTY, new CountingOps()), cfg2));
    }

    public static VaeDecoder vaeDecoderShapesOnly(VaeConfig cfg) {
        return VaeDecoder.load(Weights.of(EMPTY, new CountingOps()), cfg);
    }

    /** The tensors {@code loader} asks for, by a dry run against an empty source. */
    public static List<SyntheticWeights.Entry> manifest(Function<Weights, ?> loader) {
        Weights w = Weights.of(EMPTY, new CountingOps());
        loader.apply(w);
        List<SyntheticWeights.Entry> out = new ArrayList<>();
        for (String problem : w.report().problems()) {
            // WeightReport spells a missing tensor "missing    <name> [d0, d1, ...]"
            if (!problem.startsWith(MISSING)) throw new IllegalStateException("dry run against an empty source: " + problem);
            String rest = problem.substring(MISSING.length()).strip();
            int bracket = rest.indexOf(" [");
            String inner = rest.substring(bracket + 2, rest.length() - 1).strip();
            long[] dims = inner.isEmpty() ? new long[0]
                    : Arrays.stream(inner.split(",")).mapToLong(s -> Long.parseLong(s.strip())).toArray();
            out.add(new SyntheticWeights.Entry(rest.substring(0, bracket), Shape.of(dims)));
        }
        if (out.isEmpty()) throw new IllegalStateException("the dry run asked for no tensors");
        return out;
    }

    private static TensorSource synthetic(Function<Weights, ?> loader) {
        return SyntheticWeights.of(manifest(loader), STORAGE, SEED);
    }

    private static final TensorSource EMPTY = new TensorSource() {
        @Override
        public SortedSet<String> names() {
            return Collections.unmodifiableSortedSet(new TreeSet<>());
        }

        @Override
        public Optional<TensorView> find(String name) {
            return Optional.empty();
        }

        @Override
        public String description() {
            return "an empty source (dry run)";
        }
    };
}
