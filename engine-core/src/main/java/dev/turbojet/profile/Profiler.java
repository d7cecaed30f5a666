package dev.turbojet.profile;

import dev.turbojet.ops.Ops;
import dev.turbojet.ops.ProfilingOps;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs a pass of a model once under {@link ProfilingOps} and returns a {@link ProfileReport}: the
 * library side of {@code turbojet profile}.
 * <pre>{@code
 * ProfileReport r = Profiler.profile(ops, "unet", 4, 4, p -> step.run(p));
 * System.out.print(r.header() + r.table("by op", r.byOp(), 20));
 * }</pre>
 */
public final class Profiler {
    private Profiler() {
    }

    /**
     * Measures the ceilings, then runs {@code pass} once on a profiling decorator of {@code ops}.
     * {@code elementBytes}: 4 for the fp32 CPU backend, 2 for fp16/bf16 storage; {@code depth}: module
     * paths are cut to that many segments (0: whole paths).
     */
    public static ProfileReport profile(Ops ops, String component, int elementBytes, int depth, Function<Ops, ?> pass) {
        return profile(ops, Ceilings.measure(ops), component, elementBytes, depth, pass);
    }

    /** As above with ceilings measured earlier (one measurement for several passes). */
    public static ProfileReport profile(Ops ops, Ceilings ceilings, String component, int elementBytes, int depth,
                                        Function<Ops, ?> pass) {
        ProfilingOps p = new ProfilingOps(ops, ops.timer(), elementBytes);
        long t0 = System.nanoTime();
        pass(ops, () -> pass.apply(p));
        double wallMs = (System.nanoTime() - t0) / 1e6;
        return ProfileReport.of(component, ops.describe(), ceilings, wallMs, p.drain(), depth);
    }

    /** Runs {@code body} as one {@link Ops#pass()}, whose end waits for the device where there is one. */
    static <T> T pass(Ops ops, Supplier<T> body) {
        try (Ops.Pass ignored = ops.pass()) {
            return body.get();
        }
    }
}
