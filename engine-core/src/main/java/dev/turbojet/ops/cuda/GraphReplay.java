package dev.turbojet.ops.cuda;

import dev.turbojet.ffi.cuda.CudaGraphExec;
import dev.turbojet.ffi.cuda.DeviceAllocation;
import dev.turbojet.ffi.cuda.DevicePtr;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

import java.util.List;

/**
 * Work captured once as a CUDA graph ({@link CudaOps#capture}) and replayed with new inputs of the
 * captured shapes: each {@link #run} copies the inputs into the graph's own input buffers, launches the
 * graph (one driver call instead of one per kernel) and copies its output into a fresh arena tensor, so
 * the result stays valid across later replays. Holds the graph's inputs and private activation memory
 * until {@link #close} (or the backend's close).
 */
public final class GraphReplay implements dev.turbojet.ops.Ops.Replayable {
    final CudaDevice owner;
    final String what;
    final List<CudaTensor> slots;
    final DevicePtr outPtr;
    final Shape outShape;
    final Layout outLayout;
    final long outBytes;
    final CudaGraphExec exec;
    final List<DeviceAllocation> owned;
    private final long memoryBytes;

    GraphReplay(CudaDevice owner, String what, List<CudaTensor> slots, DevicePtr outPtr, Shape outShape, Layout outLayout,
                long outBytes, CudaGraphExec exec, List<DeviceAllocation> owned, long memoryBytes) {
        this.owner = owner;
        this.what = what;
        this.slots = List.copyOf(slots);
        this.outPtr = outPtr;
        this.outShape = outShape;
        this.outLayout = outLayout;
        this.outBytes = outBytes;
        this.exec = exec;
        this.owned = List.copyOf(owned);
        this.memoryBytes = memoryBytes;
    }

    /** The captured work on {@code inputs} (same shapes and layouts as at capture). */
    @Override
    public Tensor run(List<Tensor> inputs) {
        return GraphCapture.replay(owner, this, inputs);
    }

    /** Device memory the graph keeps for its activations. */
    public long memoryBytes() {
        return memoryBytes;
    }

    @Override
    public void close() {
        owner.release(this);
    }

    @Override
    public String toString() {
        return "graph of " + what + " (" + slots.size() + " inputs -> " + outShape + ", " + DeviceArena.mib(memoryBytes) + ")";
    }
}
