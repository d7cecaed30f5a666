package dev.turbojet.testing;

import dev.turbojet.io.TensorSource;
import dev.turbojet.nn.Weights;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.TracingOps;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.HostTensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Checks that a model names what it marks after the scope it was loaded from: loaded from a checkpoint
 * root and from the same tensors under "outer.0.", one pass marks the same activations, the second
 * under the prefix, with the same values.
 */
public final class MarkScopes {
    public static final String OUTER = "outer.0.";

    private MarkScopes() {
    }

    /** Loads with {@code load} twice (at the root of {@code src}, and under {@link #OUTER}) and runs each once. */
    public static <M> List<String> assertMarksFollowTheScope(TensorSource src, Function<Weights, M> load, BiConsumer<M, Ops> run) {
        Map<String, HostTensor> atRoot = marks(Weights.of(src, new CpuOps()), load, run);
        Map<String, HostTensor> nested = marks(Weights.of(ReferenceKit.prefixed(src, OUTER), new CpuOps()).at("outer").at(0),
                load, run);
        assertFalse(atRoot.isEmpty(), "the model marks nothing");
        List<String> expected = new ArrayList<>();
        for (String path : atRoot.keySet()) expected.add(OUTER + path);
        assertEquals(expected, List.copyOf(nested.keySet()), "marks of the model loaded under " + OUTER);
        atRoot.forEach((path, t) -> assertArrayEquals(t.data(), nested.get(OUTER + path).data(), path));
        return List.copyOf(atRoot.keySet());
    }

    private static <M> Map<String, HostTensor> marks(Weights w, Function<Weights, M> load, BiConsumer<M, Ops> run) {
        M model = load.apply(w);
        w.report().check();
        TracingOps tracing = new TracingOps(w.ops());
        run.accept(model, tracing);
        return new LinkedHashMap<>(tracing.traced());
    }
}
