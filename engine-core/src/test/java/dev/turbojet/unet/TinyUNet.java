package dev.turbojet.unet;

import dev.turbojet.io.TensorSource;
import dev.turbojet.io.TensorView;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;
import dev.turbojet.testing.ReferenceKit;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;

/** The reference kit's tiny SDXL UNet and goldens, and TensorSource wrappers that tests use to alter a checkpoint. */
final class TinyUNet {
    private TinyUNet() {}

    static Path unetDir() {
        return ReferenceKit.tiny("unet");
    }

    static Path weights() {
        return unetDir().resolve("diffusion_pytorch_model.safetensors");
    }

    static Path goldens() {
        return ReferenceKit.golden("unet.safetensors");
    }

    static UNetConfig config() {
        return UNetConfig.read(unetDir().resolve("config.json"));
    }

    /** {@code base} with some tensors removed, replaced or added (a null value removes the name). */
    static TensorSource edited(TensorSource base, Map<String, TensorView> edits) {
        return new TensorSource() {
            @Override
            public SortedSet<String> names() {
                SortedSet<String> out = new TreeSet<>(base.names());
                edits.forEach((name, view) -> {
                    if (view == null) out.remove(name);
                    else out.add(name);
                });
                return out;
            }

            @Override
            public Optional<TensorView> find(String name) {
                if (edits.containsKey(name)) return Optional.ofNullable(edits.get(name));
                return base.find(name);
            }

            @Override
            public String description() {
                return "edited " + base.description();
            }
        };
    }

    /** Every floating-point tensor of {@code base} mapped through {@code f}. */
    static TensorSource mapped(TensorSource base, String what, Function<TensorView, TensorView> f) {
        return new TensorSource() {
            @Override
            public SortedSet<String> names() {
                return base.names();
            }

            @Override
            public Optional<TensorView> find(String name) {
                return base.find(name).map(v -> v.dtype().isFloatingPoint() ? f.apply(v) : v);
            }

            @Override
            public String description() {
                return what + " " + base.description();
            }
        };
    }

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** A zero-filled F32 tensor. */
    static TensorView zeros(String name, long... shape) {
        Shape s = Shape.of(shape);
        MemorySegment seg = Arena.ofAuto().allocate(4L * s.numel(), 4);
        for (long i = 0; i < s.numel(); i++) seg.setAtIndex(F32, i, 0f);
        return new TensorView(name, DType.F32, s, seg, "test");
    }
}
