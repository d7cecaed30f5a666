package dev.turbojet.testing;

import dev.turbojet.io.SyntheticWeights;
import dev.turbojet.io.TensorSource;
import dev.turbojet.io.TensorView;
import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Proxy;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/** Paths into the reference kit (src/test/resources/reference), plus shape-only stand-ins for loading the full-size models without their data. */
public final class ReferenceKit {
    private ReferenceKit() {
    }

    public static Path root() {
        URL url = ReferenceKit.class.getResource("/reference/README.md");
        if (url == null) throw new IllegalStateException("reference kit missing from the test classpath");
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tiny SDXL folder (a diffusers pipeline folder). */
    public static Path tiny() {
        return root().resolve("tiny-sdxl");
    }

    public static Path tiny(String relative) {
        return root().resolve("tiny-sdxl").resolve(relative);
    }

    /**
     * A copy of the tiny model in {@code dir} whose components also have {@code *.fp16.safetensors}
     * files: the fp32 weights rounded to fp16 (round to nearest even, as torch's {@code .half()}),
     * as the kit's fp16 goldens were made. Returns {@code dir}.
     */
    public static Path tinyWithFp16Variant(Path dir) throws IOException {
        Path src = tiny();
        try (java.util.stream.Stream<Path> files = Files.walk(src)) {
            for (Path p : files.toList()) {
                Path target = dir.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (String weights : List.of("text_encoder/model", "text_encoder_2/model", "unet/diffusion_pytorch_model",
                "vae/diffusion_pytorch_model")) {
            dev.turbojet.io.TestCheckpoints.writeFp16(dir.resolve(weights + ".safetensors"), dir.resolve(weights + ".fp16.safetensors"));
        }
        return dir;
    }

    public static Path golden(String file) {
        return root().resolve("goldens").resolve(file);
    }

    public static Path manifest(String file) {
        return root().resolve("manifests").resolve(file);
    }

    /** The real SDXL Turbo config shipped as a main resource ("text_encoder/config.json"). */
    public static Path realConfig(String relative) {
        URL url = ReferenceKit.class.getResource("/dev/turbojet/models/sdxl-turbo/" + relative);
        if (url == null) throw new IllegalStateException("missing main resource sdxl-turbo/" + relative);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A tensor that only has a shape (what {@link #shapeOnlyOps} binds). */
    public record ShapeTensor(Shape shape, DType dtype) implements Tensor {
    }

    /**
     * An Ops that can only bind weights (as shape-only tensors, counting their elements into
     * {@code params}) and mark; anything that computes throws.
     */
    public static Ops shapeOnlyOps(AtomicLong params) {
        return (Ops) Proxy.newProxyInstance(Ops.class.getClassLoader(), new Class<?>[]{Ops.class}, (proxy, m, args) ->
                switch (m.getName()) {
                    case "weight" -> {
                        TensorView v = (TensorView) args[0];
                        params.addAndGet(v.numel());
                        yield new ShapeTensor(v.shape(), v.dtype());
                    }
                    case "describe" -> "shape-only";
                    case "mark" -> args[1];
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "shape-only ops";
                    default -> throw new UnsupportedOperationException("shape-only ops cannot " + m.getName());
                });
    }

    /**
     * The tensors of a manifest, every one a view of the same untouched sparse file mapping (fp16, all
     * zero), so a 700 M-parameter model binds without memory or I/O. Only for shape-only Ops.
     */
    public static TensorSource manifestShapes(String manifest) {
        List<SyntheticWeights.Entry> entries = SyntheticWeights.readManifest(manifest(manifest));
        Map<String, Shape> shapes = new LinkedHashMap<>();
        long max = 8;
        for (var e : entries) {
            shapes.put(e.name(), e.shape());
            max = Math.max(max, e.shape().numel() * 2);
        }
        MemorySegment zeros = sparseZeros(max);
        return new TensorSource() {
            @Override
            public SortedSet<String> names() {
                return Collections.unmodifiableSortedSet(new TreeSet<>(shapes.keySet()));
            }

            @Override
            public Optional<TensorView> find(String name) {
                Shape s = shapes.get(name);
                return s == null ? Optional.empty()
                        : Optional.of(new TensorView(name, DType.F16, s, zeros.asSlice(0, s.numel() * 2), description()));
            }

            @Override
            public String description() {
                return "manifests/" + manifest;
            }
        };
    }

    private static MemorySegment sparseZeros(long bytes) {
        try {
            Path file = Files.createTempFile("turbojet-shapes", ".bin");
            file.toFile().deleteOnExit();
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(bytes);
            }
            try (FileChannel ch = FileChannel.open(file)) {
                return ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes, Arena.ofAuto());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code src}'s tensors rounded to fp16 as torch's {@code .half()} does (round to nearest even):
     * the reference kit's {@code *.fp16.safetensors} files are exactly that.
     */
    public static TensorSource roundedToFp16(TensorSource src) {
        return new TensorSource() {
            @Override
            public SortedSet<String> names() {
                return src.names();
            }

            @Override
            public Optional<TensorView> find(String name) {
                return src.find(name).map(v -> {
                    float[] x = v.toFloatArray();
                    MemorySegment data = Arena.ofAuto().allocate(2L * x.length, 8);
                    for (int i = 0; i < x.length; i++) data.setAtIndex(F16, i, Float.floatToFloat16(x[i]));
                    return new TensorView(name, DType.F16, v.shape(), data, v.origin() + " (fp16)");
                });
            }

            @Override
            public String description() {
                return src.description() + " rounded to fp16";
            }
        };
    }

    private static final java.lang.foreign.ValueLayout.OfShort F16 =
            java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    /** {@code src} with {@code extra} names added (as views of another tensor of src). */
    public static TensorSource withExtras(TensorSource src, Map<String, TensorView> extra) {
        return new TensorSource() {
            @Override
            public SortedSet<String> names() {
                TreeSet<String> all = new TreeSet<>(src.names());
                all.addAll(extra.keySet());
                return all;
            }

            @Override
            public Optional<TensorView> find(String name) {
                return extra.containsKey(name) ? Optional.of(extra.get(name)) : src.find(name);
            }

            @Override
            public String description() {
                return src.description() + " (+ " + extra.size() + ")";
            }
        };
    }

    /** {@code src} with every name under {@code prefix} ("outer.0."), as a checkpoint holding it as a submodule would name it. */
    public static TensorSource prefixed(TensorSource src, String prefix) {
        return new TensorSource() {
            @Override
            public SortedSet<String> names() {
                TreeSet<String> all = new TreeSet<>();
                for (String name : src.names()) all.add(prefix + name);
                return all;
            }

            @Override
            public Optional<TensorView> find(String name) {
                return name.startsWith(prefix) ? src.find(name.substring(prefix.length())) : Optional.empty();
            }

            @Override
            public String description() {
                return src.description() + " under " + prefix;
            }
        };
    }
}
