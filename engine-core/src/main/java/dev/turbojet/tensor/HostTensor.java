package dev.turbojet.tensor;

import java.util.Arrays;

/** A dense fp32 tensor in Java memory, row-major in its logical shape: how data enters and leaves a backend. */
public record HostTensor(Shape shape, float[] data) {
    public HostTensor {
        if (shape.numel() != data.length) {
            throw new IllegalArgumentException("shape " + shape + " holds " + shape.numel()
                    + " elements but the data has " + data.length);
        }
    }

    public static HostTensor zeros(Shape shape) {
        return new HostTensor(shape, new float[Math.toIntExact(shape.numel())]);
    }

    public static HostTensor of(Shape shape, float... data) {
        return new HostTensor(shape, data);
    }

    public HostTensor reshape(Shape newShape) {
        return new HostTensor(newShape, data);
    }

    /** Row {@code i} of the outermost dimension, as a tensor of the remaining dims (a copy). */
    public HostTensor get(int i) {
        long[] dims = shape.dims();
        int inner = Math.toIntExact(shape.numel() / dims[0]);
        return new HostTensor(Shape.of(Arrays.copyOfRange(dims, 1, dims.length)),
                Arrays.copyOfRange(data, i * inner, (i + 1) * inner));
    }
}
