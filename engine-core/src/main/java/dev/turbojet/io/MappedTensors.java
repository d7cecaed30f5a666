package dev.turbojet.io;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/** What a safetensors file and a sharded set share: their views by name, looked up and listed the same way. */
abstract sealed class MappedTensors implements SafetensorsSource permits SafetensorsFile, ShardedSafetensors {
    private final Map<String, TensorView> views;
    private final SortedSet<String> names;

    MappedTensors(Map<String, TensorView> views) {
        this.views = views;
        this.names = Collections.unmodifiableSortedSet(new TreeSet<>(views.keySet()));
    }

    @Override
    public final SortedSet<String> names() {
        return names;
    }

    @Override
    public final Optional<TensorView> find(String name) {
        return Optional.ofNullable(views.get(name));
    }

    /** Every view, in the order the source lists them. */
    final List<TensorView> views() {
        return List.copyOf(views.values());
    }
}
