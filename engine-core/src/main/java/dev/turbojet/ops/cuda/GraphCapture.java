package dev.turbojet.ops.cuda;

import dev.turbojet.ffi.cuda.CaptureMode;
import dev.turbojet.ffi.cuda.CudaGraph;
import dev.turbojet.ffi.cuda.CudaGraphExec;
import dev.turbojet.ffi.cuda.CudaGraphs;
import dev.turbojet.ffi.cuda.CudaMemory;
import dev.turbojet.ffi.cuda.CudaStreams;
import dev.turbojet.ffi.cuda.DeviceAllocation;
import dev.turbojet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Records device work as a CUDA graph and replays it ({@link CudaOps#capture}): the body runs once eagerly
 * to learn its memory, then again under stream capture into an arena of its own that the graph keeps;
 * a replay copies new inputs into the captured input slots, launches the graph and copies the output
 * into the current pass.
 */
final class GraphCapture {
    private GraphCapture() {
    }

    /**
     * {@link CudaOps#capture} on {@code device}. The eager run allocates from a scratch arena over the free part of the
     * activation arena, so its temporaries are gone when it returns, inside a pass or outside; the
     * captured run from an arena of the eager run's peak size that the graph keeps.
     */
    static GraphReplay capture(CudaDevice device, String what, List<Tensor> inputs, Function<List<Tensor>, Tensor> body) {
        device.enter();
        DeviceArena main = device.arena();
        if (main.available() == 0) throw new IllegalStateException("capture " + what + ": the activation arena is full");
        List<DeviceAllocation> owned = new ArrayList<>();
        try {
            List<CudaTensor> slots = new ArrayList<>();
            for (Tensor t : inputs) {
                CudaTensor in = device.cuda("capture " + what, t);
                DeviceAllocation a = CudaMemory.alloc(Math.max(in.bytes(), DeviceArena.ALIGNMENT));
                owned.add(a);
                if (in.bytes() > 0) CudaMemory.copyDeviceToDeviceAsync(a.ptr(), in.ptr, in.bytes(), device.stream);
                slots.add(new CudaTensor(device.owner, a.ptr(), in.shape, device.precision, in.layout, null));
            }
            List<Tensor> args = List.copyOf(slots);
            DeviceArena scratch = new DeviceArena(main.base() + main.used(), main.available());
            PassSummary eager;
            device.useArena(scratch);
            try {
                scratch.beginPass();
                device.cuda("capture " + what, body.apply(args));
                eager = scratch.endPass();
            } finally {
                device.useArena(main);
            }
            long bytes = Math.max(DeviceArena.ALIGNMENT, eager.peakBytes());
            bytes = (bytes + DeviceArena.ALIGNMENT - 1) / DeviceArena.ALIGNMENT * DeviceArena.ALIGNMENT;
            DeviceAllocation memory = CudaMemory.alloc(bytes);
            owned.add(memory);
            DeviceArena own = new DeviceArena(memory.ptr().address(), bytes);
            CudaTensor out;
            CudaGraph graph;
            PassSummary captured;
            device.useArena(own);
            try {
                own.beginPass();
                CudaGraphs.beginCapture(device.stream, CaptureMode.THREAD_LOCAL);
                try {
                    out = device.cuda("capture " + what, body.apply(args));
                } catch (RuntimeException e) {
                    try {
                        CudaGraphs.destroy(CudaGraphs.endCapture(device.stream));
                    } catch (RuntimeException f) {
                        e.addSuppressed(f);
                    }
                    throw new IllegalStateException("capture " + what + ": the body cannot be captured (" + e.getMessage()
                            + "); it must not upload, download or synchronize", e);
                }
                graph = CudaGraphs.endCapture(device.stream);
                captured = own.endPass();
            } finally {
                device.useArena(main);
            }
            CudaGraphExec exec;
            try {
                if (captured.signature() != eager.signature() || captured.allocations() != eager.allocations()) {
                    throw new IllegalStateException("capture " + what + ": the captured run allocated " + captured.allocations()
                            + " tensors, the eager one " + eager.allocations() + ": the body must do the same work every time");
                }
                exec = CudaGraphs.instantiate(graph);
            } finally {
                CudaGraphs.destroy(graph);
            }
            GraphReplay r = new GraphReplay(device, what, slots, out.ptr, out.shape, out.layout, out.bytes(), exec, owned, bytes);
            device.adopt(r);
            return r;
        } catch (RuntimeException e) {
            CudaDevice.attempt(new ArrayList<>(), () -> CudaStreams.synchronize(device.stream));
            for (DeviceAllocation a : owned) CudaDevice.attempt(new ArrayList<>(), () -> CudaMemory.free(a));
            throw e;
        }
    }

    /** One replay of {@code r}: new inputs into its slots, one graph launch, the output copied into the arena. */
    static Tensor replay(CudaDevice device, GraphReplay r, List<Tensor> inputs) {
        device.enter();
        if (inputs.size() != r.slots.size()) {
            throw new IllegalArgumentException("replay " + r.what + ": " + inputs.size() + " inputs, captured with " + r.slots.size());
        }
        for (int i = 0; i < inputs.size(); i++) {
            CudaTensor in = device.cuda("replay " + r.what, inputs.get(i));
            CudaTensor slot = r.slots.get(i);
            if (!in.shape.equals(slot.shape) || !in.layout.equals(slot.layout)) {
                throw new IllegalArgumentException("replay " + r.what + ": input " + i + " is " + in.shape + " " + in.layout
                        + ", captured with " + slot.shape + " " + slot.layout + " (capture again for new shapes)");
            }
            if (in.bytes() > 0 && in.ptr.address() != slot.ptr.address()) {
                CudaMemory.copyDeviceToDeviceAsync(slot.ptr, in.ptr, in.bytes(), device.stream);
            }
        }
        CudaGraphs.launch(r.exec, device.stream);
        CudaTensor result = device.alloc("replay " + r.what, r.outShape, r.outLayout);
        if (r.outBytes > 0) CudaMemory.copyDeviceToDeviceAsync(result.ptr, r.outPtr, r.outBytes, device.stream);
        return result;
    }
}
