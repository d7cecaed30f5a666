package dev.turbojet.ops;

import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A decorator that runs every op on its delegate and keeps a host copy of each activation a model
 * {@link #mark}s, by module path, for comparison with the goldens' hooks. Only paths accepted by the
 * filter are copied (each copy waits for the device); a path marked twice keeps its latest value.
 */
public final class TracingOps extends ForwardingOps {
    private final Predicate<String> keep;
    private final Map<String, HostTensor> traced = new LinkedHashMap<>();

    public TracingOps(Ops delegate, Predicate<String> keep) {
        super(delegate);
        this.keep = Objects.requireNonNull(keep, "keep");
    }

    /** Records every marked path. */
    public TracingOps(Ops delegate) {
        this(delegate, path -> true);
    }

    /** The recorded activations by path, in first-marked order (a read-only live view). */
    public Map<String, HostTensor> traced() {
        return Collections.unmodifiableMap(traced);
    }

    public void clear() {
        traced.clear();
    }

    @Override
    public Tensor mark(String path, Tensor t) {
        Tensor out = delegate.mark(path, t);
        if (keep.test(path)) traced.put(path, delegate.download(t));
        return out;
    }

    @Override
    public String describe() {
        return "tracing(" + delegate.describe() + ")";
    }
}
