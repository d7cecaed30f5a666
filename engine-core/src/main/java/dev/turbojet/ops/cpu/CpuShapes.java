package dev.turbojet.ops.cpu;

import dev.turbojet.ops.OpShapes;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

/** The ops of {@link CpuOps} that copy elements into a new arrangement: permute, concat, slice, nearest resize, zero padding. */
final class CpuShapes {
    private final Workers workers;

    CpuShapes(Workers workers) {
        this.workers = workers;
    }

    Tensor permute(Tensor x, int... dims) {
        CpuTensor in = CpuOps.cpu("permute", x);
        Shape xs = in.shape();
        Shape outShape = OpShapes.permute(xs, dims);
        int r = xs.rank();
        long[] inStrides = new long[r];
        long s = 1;
        for (int d = r - 1; d >= 0; d--) {
            inStrides[d] = s;
            s *= xs.dim(d);
        }
        long[] outDims = outShape.dims(), strides = new long[r];
        for (int i = 0; i < r; i++) strides[i] = inStrides[dims[i]];
        CpuTensor out = CpuTensor.zeros(outShape);
        float[] xd = in.data, od = out.data;
        workers.forRange(od.length, Workers.MIN_ELEMENTS, (st, e) -> {
            for (int i = st; i < e; i++) {
                long rem = i, src = 0;
                for (int d = r - 1; d >= 0; d--) {
                    src += (rem % outDims[d]) * strides[d];
                    rem /= outDims[d];
                }
                od[i] = xd[(int) src];
            }
        });
        return out;
    }

    Tensor concat(int dim, Tensor... xs) {
        CpuTensor[] ts = new CpuTensor[xs.length];
        Shape[] shapes = new Shape[xs.length];
        for (int i = 0; i < xs.length; i++) {
            ts[i] = CpuOps.cpu("concat", xs[i]);
            shapes[i] = ts[i].shape();
        }
        CpuTensor out = CpuTensor.zeros(OpShapes.concat(dim, shapes));
        Shape first = shapes[0];
        int r = first.rank();
        int d = dim < 0 ? dim + r : dim;
        long total = out.shape().dim(d);
        long outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= first.dim(i);
        for (int i = d + 1; i < r; i++) inner *= first.dim(i);
        int rowOut = (int) (total * inner);
        int offset = 0;
        for (CpuTensor t : ts) {
            int rowIn = (int) (t.shape().dim(d) * inner), off = offset;
            for (int o = 0; o < outer; o++) System.arraycopy(t.data, o * rowIn, out.data, o * rowOut + off, rowIn);
            offset += rowIn;
        }
        return out;
    }

    Tensor slice(Tensor x, int dim, long start, long end) {
        CpuTensor in = CpuOps.cpu("slice", x);
        Shape xs = in.shape();
        CpuTensor out = CpuTensor.zeros(OpShapes.slice(xs, dim, start, end));
        int r = xs.rank();
        int d = dim < 0 ? dim + r : dim;
        long outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= xs.dim(i);
        for (int i = d + 1; i < r; i++) inner *= xs.dim(i);
        int rowIn = (int) (xs.dim(d) * inner), rowOut = (int) ((end - start) * inner), skip = (int) (start * inner);
        for (int o = 0; o < outer; o++) System.arraycopy(in.data, o * rowIn + skip, out.data, o * rowOut, rowOut);
        return out;
    }

    Tensor upsampleNearest(Tensor x, int outH, int outW) {
        CpuTensor in = CpuOps.cpu("upsampleNearest", x);
        Shape xs = in.shape();
        CpuTensor out = CpuTensor.zeros(OpShapes.upsampleNearest(xs, outH, outW));
        int nc = xs.intDim(0) * xs.intDim(1), h = xs.intDim(2), w = xs.intDim(3);
        float sh = (float) h / outH, sw = (float) w / outW;
        int[] srcX = new int[outW];
        for (int ox = 0; ox < outW; ox++) srcX[ox] = Math.min((int) Math.floor(ox * sw), w - 1);
        float[] xd = in.data, od = out.data;
        workers.forEach(nc, p -> {
            for (int oy = 0; oy < outH; oy++) {
                int iy = Math.min((int) Math.floor(oy * sh), h - 1);
                int src = (p * h + iy) * w, dst = (p * outH + oy) * outW;
                for (int ox = 0; ox < outW; ox++) od[dst + ox] = xd[src + srcX[ox]];
            }
        });
        return out;
    }

    Tensor pad2d(Tensor x, int left, int right, int top, int bottom) {
        CpuTensor in = CpuOps.cpu("pad2d", x);
        Shape xs = in.shape();
        CpuTensor out = CpuTensor.zeros(OpShapes.pad2d(xs, left, right, top, bottom));
        int nc = xs.intDim(0) * xs.intDim(1), h = xs.intDim(2), w = xs.intDim(3);
        int oh = out.shape().intDim(2), ow = out.shape().intDim(3);
        float[] xd = in.data, od = out.data;
        workers.forEach(nc, p -> {
            for (int y = 0; y < h; y++) System.arraycopy(xd, (p * h + y) * w, od, (p * oh + y + top) * ow + left, w);
        });
        return out;
    }
}
