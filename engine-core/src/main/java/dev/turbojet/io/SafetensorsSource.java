package dev.turbojet.io;

import java.util.List;
import java.nio.file.Path;
import java.util.Map;

/**
 * Tensors read from one or more memory-mapped safetensors files: a single file or a sharded set.
 * The views it hands out are valid until {@link #close()}.
 */
public interface SafetensorsSource extends TensorSource, AutoCloseable {
    /** The files the tensors live in (one, or every shard in order). */
    List<Path> files();

    /** The string metadata ({@code __metadata__} of a file; an index's {@code metadata}, as text). */
    Map<String, String> metadata();

    /** The tensor, or a {@link CheckpointException} naming it and this source when absent. */
    default TensorView tensor(String name) {
        return find(name).orElseThrow(() -> new CheckpointException(description() + ": no tensor '" + name + "'"));
    }

    /** Unmaps the files; views handed out before become unusable (accessing one throws). */
    @Override
    void close();
}
