package dev.turbojet.io.singlefile;

import dev.turbojet.io.CheckpointException;
import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.io.TensorSource;
import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.Shape;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An original single-file SDXL checkpoint ({@code sd_xl_turbo_1.0_fp16.safetensors}) seen as four
 * diffusers components, each a {@link TensorSource} with diffusers names. Every tensor of the file
 * must map (or be a known unused one, {@link SingleFileNames#isUnused}); anything else fails at
 * open with the names, since it means this is not an SDXL checkpoint or the rules miss a case.
 *
 * <p>Views are made on demand: identity and reshape are the file's mapped bytes under a new
 * name or shape, and the q/k/v split of a fused projection is three zero-copy slices along dim 0;
 * only the transposed {@code text_projection} is copied, once, into memory owned by this object.
 * Everything handed out is valid until {@link #close()}.
 */
public final class SingleFileCheckpoint implements AutoCloseable {
    /** Where one diffusers tensor lives: part {@code part} of the original under {@code mapping}. */
    private record Target(Mapping mapping, int part, Shape shape) {}

    private final SafetensorsFile file;
    private final SingleFileConfigs configs;
    private final Arena arena = Arena.ofShared();
    private final Map<Component, ComponentSource> components = new EnumMap<>(Component.class);
    private final List<String> unused;

    private SingleFileCheckpoint(SafetensorsFile file, SingleFileConfigs configs) {
        this.file = file;
        this.configs = configs;
        SingleFileNames names = configs.names();
        Map<Component, TreeMap<String, Target>> targets = new EnumMap<>(Component.class);
        for (Component c : Component.values()) targets.put(c, new TreeMap<>());
        List<String> unmapped = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (TensorView t : file.tensors()) {
            Optional<Mapping> m = names.toDiffusers(t.name());
            if (m.isEmpty()) {
                (SingleFileNames.isUnused(t.name()) ? skipped : unmapped).add(t.name());
                continue;
            }
            Mapping mapping = m.get();
            List<Shape> shapes;
            try {
                shapes = mapping.transform().diffusersShapes(t.shape(), mapping.diffusers().size(), t.name());
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(file.description() + ": " + e.getMessage(), e);
            }
            for (int i = 0; i < shapes.size(); i++) {
                String name = mapping.diffusers().get(i);
                Target previous = targets.get(mapping.component()).put(name, new Target(mapping, i, shapes.get(i)));
                if (previous != null) {
                    throw new CheckpointException(file.description() + ": both " + previous.mapping().original() + " and "
                            + t.name() + " map to " + mapping.component().folder() + "/" + name);
                }
            }
        }
        if (!unmapped.isEmpty()) {
            throw new CheckpointException(file.description() + ": " + unmapped.size() + " tensor(s) have no SDXL single-file"
                    + " mapping, so this is not an SDXL checkpoint in the original layout (or a variant the rules do not"
                    + " cover): " + String.join(", ", unmapped.subList(0, Math.min(10, unmapped.size())))
                    + (unmapped.size() > 10 ? ", ..." : ""));
        }
        for (Component c : Component.values()) {
            if (targets.get(c).isEmpty()) {
                throw new CheckpointException(file.description() + ": no " + c.folder() + " tensors (a single-file SDXL"
                        + " checkpoint holds the UNet, the VAE and both text encoders)");
            }
            components.put(c, new ComponentSource(c, Collections.unmodifiableSortedMap(targets.get(c))));
        }
        this.unused = List.copyOf(skipped);
    }

    /** Opens {@code path} with the SDXL Turbo configs bundled with the engine. */
    public static SingleFileCheckpoint open(Path path) {
        return open(path, SingleFileConfigs.bundledSdxlTurbo());
    }

    /** Opens {@code path}; {@code configs} describe the models (and fix the UNet/VAE block numbering). */
    public static SingleFileCheckpoint open(Path path, SingleFileConfigs configs) {
        SafetensorsFile file = SafetensorsFile.open(path);
        try {
            return new SingleFileCheckpoint(file, configs);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** A component's tensors under diffusers names. */
    public TensorSource component(Component c) {
        return components.get(c);
    }

    public SingleFileConfigs configs() {
        return configs;
    }

    /** Tensors of the file that were skipped as unused (position_ids, logit_scale, ...). */
    public List<String> unused() {
        return unused;
    }

    public Path path() {
        return file.path();
    }

    /** Unmaps the file and frees the transposed copies; views handed out become unusable. */
    @Override
    public void close() {
        file.close();
        arena.close();
    }

    private final class ComponentSource implements TensorSource {
        private final Component component;
        private final SortedSet<String> names;
        private final Map<String, Target> targets;
        private final Map<String, TensorView> copies = new ConcurrentHashMap<>();

        ComponentSource(Component component, Map<String, Target> targets) {
            this.component = component;
            this.targets = targets;
            this.names = Collections.unmodifiableSortedSet(new TreeSet<>(targets.keySet()));
        }

        @Override
        public SortedSet<String> names() {
            return names;
        }

        @Override
        public Optional<TensorView> find(String name) {
            Target t = targets.get(name);
            if (t == null) return Optional.empty();
            TensorView src = file.find(t.mapping().original()).orElseThrow();
            String origin = file.path().getFileName() + ":" + t.mapping().original();
            return Optional.of(switch (t.mapping().transform()) {
                case IDENTITY, RESHAPE -> new TensorView(name, src.dtype(), t.shape(), src.data(), origin);
                case CONCAT_DIM0 -> {
                    long bytes = t.shape().numel() * src.dtype().byteSize();
                    yield new TensorView(name, src.dtype(), t.shape(), src.data().asSlice(t.part() * bytes, bytes),
                            origin + " part " + t.part() + " of " + t.mapping().diffusers().size() + " along dim 0");
                }
                case TRANSPOSE -> copies.computeIfAbsent(name, n -> new TensorView(n, src.dtype(), t.shape(),
                        transpose(src), origin + " transposed"));
            });
        }

        @Override
        public String description() {
            return file.description() + " as " + component.folder() + " (single-file layout)";
        }

        @Override
        public Optional<String> shapeMismatchHint() {
            return Optional.of("its shapes differ from those of the " + configs().origin() + ", so it is another model:"
                    + " give the folder of its diffusers configs (--config-from DIR, ResolveOptions.withConfigFolder)");
        }
    }

    /** A row-major [rows, cols] matrix of any element size as [cols, rows], in this checkpoint's arena. */
    private MemorySegment transpose(TensorView src) {
        int es = src.dtype().byteSize();
        long rows = src.shape().dim(0);
        long cols = src.shape().dim(1);
        MemorySegment out = arena.allocate(src.data().byteSize(), 16);
        MemorySegment in = src.data();
        for (long r = 0; r < rows; r++) {
            for (long c = 0; c < cols; c++) {
                MemorySegment.copy(in, (r * cols + c) * es, out, (c * rows + r) * es, es);
            }
        }
        return out;
    }
}
