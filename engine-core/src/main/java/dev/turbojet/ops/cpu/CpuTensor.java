package dev.turbojet.ops.cpu;

import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

/**
 * A {@link CpuOps} tensor: fp32 elements in a Java {@code float[]}, row-major in the logical shape.
 * Immutable by contract: no op writes into a tensor it did not just create, so views that share
 * {@code data} (reshape) are safe. One array holds at most 2^31 - 1 elements.
 */
public final class CpuTensor implements Tensor {
    private final Shape shape;
    final float[] data;

    CpuTensor(Shape shape, float[] data) {
        if (shape.numel() != data.length) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.numel() + " elements, data has " + data.length);
        }
        this.shape = shape;
        this.data = data;
    }

    static CpuTensor zeros(Shape shape) {
        long n = shape.numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor " + shape + " has " + n + " elements, more than one CPU array holds");
        }
        return new CpuTensor(shape, new float[(int) n]);
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public DType dtype() {
        return DType.F32;
    }

    @Override
    public String toString() {
        return "CpuTensor" + shape;
    }
}
