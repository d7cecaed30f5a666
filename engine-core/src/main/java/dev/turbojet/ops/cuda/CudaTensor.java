package dev.turbojet.ops.cuda;

import dev.turbojet.ffi.cuda.DevicePtr;
import dev.turbojet.tensor.DType;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

/**
 * A {@link CudaOps} tensor: device memory holding {@code shape} in the backend's storage dtype, laid
 * out as {@code layout} (NHWC for 4-D activations, KRSC for conv weights, row-major otherwise).
 * Immutable by contract, so views (reshape, permute) share memory. {@code slot} is the arena
 * allocation it lives in, or null for weights (device allocations of their own).
 */
public final class CudaTensor implements Tensor {
    final CudaOps owner;
    final DevicePtr ptr;
    final Shape shape;
    final Precision precision;
    final Layout layout;
    final DeviceArena.Slot slot;

    CudaTensor(CudaOps owner, DevicePtr ptr, Shape shape, Precision precision, Layout layout, DeviceArena.Slot slot) {
        if (layout.rank() != shape.rank()) throw new IllegalArgumentException("layout " + layout + " for shape " + shape);
        this.owner = owner;
        this.ptr = ptr;
        this.shape = shape;
        this.precision = precision;
        this.layout = layout;
        this.slot = slot;
    }

    /** The same memory under another shape and layout. */
    CudaTensor view(Shape s, Layout l) {
        return new CudaTensor(owner, ptr, s, precision, l, slot);
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public DType dtype() {
        return precision.dtype();
    }

    public Layout layout() {
        return layout;
    }

    long bytes() {
        return HostPacking.storageBytes(shape, precision);
    }

    @Override
    public String toString() {
        return "CudaTensor" + shape + " " + precision.label() + " " + layout + " @" + ptr;
    }
}
