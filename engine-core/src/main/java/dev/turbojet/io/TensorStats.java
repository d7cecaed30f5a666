package dev.turbojet.io;

import dev.turbojet.tensor.DType;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Totals over a set of tensors: how many, their exact parameter (element) count, bytes, and count per dtype. */
public record TensorStats(long tensors, long parameters, long bytes, Map<DType, Long> dtypes) {
    public static final TensorStats EMPTY = new TensorStats(0, 0, 0, Map.of());

    public TensorStats {
        dtypes = Collections.unmodifiableMap(dtypes.isEmpty() ? new EnumMap<>(DType.class) : new EnumMap<>(dtypes));
    }

    public static TensorStats of(Iterable<TensorView> views) {
        TensorStats s = EMPTY;
        for (TensorView v : views) s = s.plus(v);
        return s;
    }

    /** Every tensor of {@code source}. */
    public static TensorStats of(TensorSource source) {
        return of(source.names().stream().map(n -> source.find(n).orElseThrow()).toList());
    }

    public TensorStats plus(TensorView v) {
        Map<DType, Long> d = new EnumMap<>(DType.class);
        d.putAll(dtypes);
        d.merge(v.dtype(), 1L, Long::sum);
        return new TensorStats(tensors + 1, Math.addExact(parameters, v.numel()), Math.addExact(bytes, v.data().byteSize()), d);
    }

    public TensorStats plus(TensorStats o) {
        Map<DType, Long> d = new EnumMap<>(DType.class);
        d.putAll(dtypes);
        o.dtypes.forEach((k, n) -> d.merge(k, n, Long::sum));
        return new TensorStats(tensors + o.tensors, Math.addExact(parameters, o.parameters), Math.addExact(bytes, o.bytes), d);
    }

    /** "F32" when uniform, else "F16:1678 F32:2"; "-" when empty. */
    public String dtypeMix() {
        if (dtypes.isEmpty()) return "-";
        if (dtypes.size() == 1) return dtypes.keySet().iterator().next().name();
        return dtypes.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(" "));
    }
}
