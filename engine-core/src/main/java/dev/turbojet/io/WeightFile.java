package dev.turbojet.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The weights of one component folder in one {@link Variant}: a single safetensors file or a sharded
 * index, named as diffusers and transformers name them ({@code diffusion_pytorch_model[.fp16].safetensors},
 * {@code model[.fp16].safetensors}, or either with {@code .index.json}).
 */
public record WeightFile(Path path, Variant variant, boolean sharded) {
    /** The base names diffusers (first) and transformers use. */
    public static final List<String> BASE_NAMES = List.of("diffusion_pytorch_model", "model");
    static final String SINGLE = ".safetensors";
    static final String INDEX = ".safetensors.index.json";

    /** Opens the file or every shard. */
    public SafetensorsSource open() {
        return sharded ? ShardedSafetensors.open(path) : SafetensorsFile.open(path);
    }

    /** Every recognised weight file in {@code folder}, FP32 before FP16. */
    public static List<WeightFile> available(Path folder) {
        List<WeightFile> out = new ArrayList<>();
        for (Variant v : Variant.values()) {
            for (String base : BASE_NAMES) {
                Path single = folder.resolve(v.fileName(base, SINGLE));
                if (present(single)) out.add(new WeightFile(single, v, false));
                Path index = folder.resolve(v.fileName(base, INDEX));
                if (present(index)) out.add(new WeightFile(index, v, true));
            }
        }
        return out;
    }

    /** Whether {@code file} is there; a link into a missing blob is an error, not an absence. */
    private static boolean present(Path file) {
        if (Files.isRegularFile(file)) return true;
        if (Files.isSymbolicLink(file)) {
            throw new CheckpointException(file + ": " + SafetensorsFile.missingFileMessage(file));
        }
        return false;
    }

    /**
     * The weights for the first variant in {@code preference} (FP32 when none is given) that the folder
     * holds. Two candidates for one variant (a diffusers and a transformers name, or a file and an index)
     * are an error rather than a guess; so is no candidate at all, with a list of what the folder holds.
     */
    public static WeightFile locate(Path folder, List<Variant> preference) {
        List<Variant> order = preference.isEmpty() ? List.of(Variant.FP32) : preference;
        if (!Files.isDirectory(folder)) {
            throw new CheckpointException(folder + ": not a folder, so it holds no weights");
        }
        List<WeightFile> all = available(folder);
        for (Variant v : order) {
            List<WeightFile> matches = all.stream().filter(w -> w.variant() == v).toList();
            if (matches.size() > 1) {
                throw new CheckpointException(folder + ": more than one " + v + " weight file, cannot choose: "
                        + matches.stream().map(w -> w.path().getFileName().toString()).collect(Collectors.joining(", ")));
            }
            if (matches.size() == 1) return matches.getFirst();
        }
        String wanted = order.stream()
                .flatMap(v -> BASE_NAMES.stream().map(b -> v.fileName(b, SINGLE)))
                .collect(Collectors.joining(", "));
        throw new CheckpointException(folder + ": no " + order.stream().map(Enum::name).collect(Collectors.joining(" or "))
                + " weights (looked for " + wanted + " and their .index.json); the folder holds " + listing(folder));
    }

    public static WeightFile locate(Path folder, Variant... preference) {
        return locate(folder, List.of(preference));
    }

    /** The weight-like files in {@code folder}, for messages. */
    static String listing(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".safetensors") || n.endsWith(".json") || n.endsWith(".bin")
                            || n.endsWith(".ckpt") || n.endsWith(".pt") || n.endsWith(".pth"))
                    .sorted().toList();
            if (names.isEmpty()) return "no weight or config files";
            return String.join(", ", names);
        } catch (IOException e) {
            return "(cannot list: " + e.getMessage() + ")";
        }
    }
}
