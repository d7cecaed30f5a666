package dev.turbojet.ops.cuda;

import dev.turbojet.ffi.cuda.CudaMemory;
import dev.turbojet.kernels.ElementType;
import dev.turbojet.kernels.EmbeddingKernels;
import dev.turbojet.kernels.LayoutKernels;
import dev.turbojet.ops.OpShapes;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

/**
 * The {@link CudaOps} ops that move elements without arithmetic: concat, slice, nearest resize, zero
 * padding, and the row lookups (embedding, gatherRows). Each is device copies or one layout or
 * embedding kernel, on the backend's {@link CudaDevice}.
 */
final class CudaCopyOps {
    private final CudaDevice device;
    private final ElementType elementType;

    CudaCopyOps(CudaDevice device) {
        this.device = device;
        this.elementType = device.elementType;
    }

    Tensor concat(int dim, Tensor... xs) {
        device.enter();
        CudaTensor[] ts = new CudaTensor[xs.length];
        Shape[] shapes = new Shape[xs.length];
        for (int i = 0; i < xs.length; i++) {
            ts[i] = device.cuda("concat", xs[i]);
            shapes[i] = ts[i].shape;
        }
        Shape outShape = OpShapes.concat(dim, shapes), first = shapes[0];
        int d = dim < 0 ? dim + first.rank() : dim;
        Layout layout = ts[0].layout;
        for (int i = 0; i < ts.length; i++) ts[i] = device.toLayout("concat", ts[i], layout);
        long outer = layout.outer(first, d), inner = layout.inner(first, d);
        CudaTensor acc = ts[0];
        long accDim = first.dim(d);
        if (outer == 1) {
            CudaTensor out = device.alloc("concat", outShape, layout);
            long at = 0;
            for (CudaTensor t : ts) {
                CudaMemory.copyDeviceToDeviceAsync(out.ptr.plus(at), t.ptr, t.bytes(), device.stream);
                at += t.bytes();
            }
            return out;
        }
        for (int i = 1; i < ts.length; i++) {  // pairwise: the layout kernel interleaves two row blocks
            long next = ts[i].shape.dim(d);
            long[] dims = first.dims();
            dims[d] = accDim + next;
            CudaTensor out = device.alloc("concat", Shape.of(dims), layout);
            if (accDim * inner > 0 && next * inner > 0) {
                device.launch(LayoutKernels.concatChannels(out.ptr, acc.ptr, ts[i].ptr, outer, Math.toIntExact(accDim * inner),
                        Math.toIntExact(next * inner)));
            } else {
                CudaTensor nonEmpty = accDim == 0 ? ts[i] : acc;
                CudaMemory.copyDeviceToDeviceAsync(out.ptr, nonEmpty.ptr, nonEmpty.bytes(), device.stream);
            }
            acc = out;
            accDim += next;
        }
        return acc;
    }

    /** One device copy per row block outside {@code dim} (one copy when {@code dim} is outermost in memory). */
    Tensor slice(Tensor x, int dim, long start, long end) {
        device.enter();
        CudaTensor in = device.cuda("slice", x);
        Shape xs = in.shape;
        CudaTensor out = device.alloc("slice", OpShapes.slice(xs, dim, start, end), in.layout);
        int d = dim < 0 ? dim + xs.rank() : dim;
        long outer = in.layout.outer(xs, d), inner = in.layout.inner(xs, d), e = device.precision.bytes();
        long rowIn = xs.dim(d) * inner * e, rowOut = (end - start) * inner * e;
        if (rowOut == 0) return out;
        for (long o = 0; o < outer; o++) {
            CudaMemory.copyDeviceToDeviceAsync(out.ptr.plus(o * rowOut), in.ptr.plus(o * rowIn + start * inner * e), rowOut, device.stream);
        }
        return out;
    }

    Tensor upsampleNearest(Tensor x, int outH, int outW) {
        device.enter();
        CudaTensor in = device.cuda("upsampleNearest", x);
        Shape xs = in.shape, outShape = OpShapes.upsampleNearest(xs, outH, outW);
        in = device.toLayout("upsampleNearest", in, Layout.channelsLast(4));
        CudaTensor out = device.alloc("upsampleNearest", outShape, Layout.channelsLast(4));
        device.launch(LayoutKernels.upsampleNearest(out.ptr, in.ptr, xs.intDim(0), xs.intDim(2), xs.intDim(3), xs.intDim(1), outH, outW));
        return out;
    }

    Tensor pad2d(Tensor x, int left, int right, int top, int bottom) {
        device.enter();
        CudaTensor in = device.cuda("pad2d", x);
        Shape xs = in.shape, outShape = OpShapes.pad2d(xs, left, right, top, bottom);
        in = device.toLayout("pad2d", in, Layout.channelsLast(4));
        int n = xs.intDim(0), c = xs.intDim(1), h = xs.intDim(2), w = xs.intDim(3);
        CudaTensor out = device.alloc("pad2d", outShape, Layout.channelsLast(4));
        device.launch(LayoutKernels.pad(elementType, out.ptr, in.ptr, n, h, w, c, top, bottom, left, right, 0f));
        return out;
    }

    // ---- embeddings ----------------------------------------------------------------------------

    Tensor embedding(Tensor table, int[][] ids) {
        device.enter();
        CudaTensor rows = device.cuda("embedding", table);
        Shape outShape = OpShapes.embedding(rows.shape, ids);
        int vocab = rows.shape.intDim(0), c = rows.shape.intDim(1), tokens = ids[0].length;
        int[] flat = new int[ids.length * tokens];
        for (int b = 0; b < ids.length; b++) System.arraycopy(ids[b], 0, flat, b * tokens, tokens);
        rows = device.toLayout("embedding", rows, Layout.rowMajor(2));
        CudaTensor out = device.alloc("embedding", outShape, Layout.rowMajor(3));
        device.launch(EmbeddingKernels.lookup(elementType, EmbeddingKernels.IdType.I32, out.ptr, rows.ptr,
                device.uploadInts("embedding ids", flat), flat.length, c, vocab));
        return out;
    }

    /** The embedding kernel over x viewed as [B*T, C] rows, picking row b*T + index[b]. */
    Tensor gatherRows(Tensor x, int[] index) {
        device.enter();
        CudaTensor in = device.cuda("gatherRows", x);
        Shape xs = in.shape, outShape = OpShapes.gatherRows(xs, index);
        int t = xs.intDim(1), c = xs.intDim(2);
        int[] rows = new int[index.length];
        for (int b = 0; b < index.length; b++) rows[b] = b * t + index[b];
        in = device.toLayout("gatherRows", in, Layout.rowMajor(3));
        CudaTensor out = device.alloc("gatherRows", outShape, Layout.rowMajor(2));
        device.launch(EmbeddingKernels.lookup(elementType, EmbeddingKernels.IdType.I32, out.ptr, in.ptr,
                device.uploadInts("gatherRows ids", rows), rows.length, c, index.length * t));
        return out;
    }
}
