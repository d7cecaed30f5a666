package dev.turbojet.io;

import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;

/**
 * One tensor as a safetensors header describes it: dtype, shape and its byte range
 * {@code [begin, end)} relative to the start of the data section.
 */
public record SafetensorsEntry(String name, DType dtype, Shape shape, long begin, long end) {
    public long byteSize() {
        return end - begin;
    }

    public long numel() {
        return shape.numel();
    }
}
