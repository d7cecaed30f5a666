package dev.turbojet.ops.cpu;

import dev.turbojet.ops.OpShapes;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

/**
 * The broadcasting binary ops of {@link CpuOps}: add and mul under numpy rules (b repeating as a
 * block of a's trailing dims takes a fast path), and addChannelVector.
 */
final class CpuBroadcast {
    private final Workers workers;

    CpuBroadcast(Workers workers) {
        this.workers = workers;
    }

    Tensor add(Tensor a, Tensor b) {
        CpuTensor at = CpuOps.cpu("add", a), bt = CpuOps.cpu("add", b);
        return broadcast(at, bt, OpShapes.add(at.shape(), bt.shape()), false);
    }

    Tensor mul(Tensor a, Tensor b) {
        CpuTensor at = CpuOps.cpu("mul", a), bt = CpuOps.cpu("mul", b);
        return broadcast(at, bt, OpShapes.mul(at.shape(), bt.shape()), true);
    }

    /** a op b with b broadcast to a's shape {@code outShape} (checked by {@link OpShapes}). */
    private Tensor broadcast(CpuTensor at, CpuTensor bt, Shape outShape, boolean multiply) {
        Shape as = at.shape(), bs = bt.shape();
        long[] bStrides = broadcastStrides(as, bs);
        CpuTensor out = CpuTensor.zeros(outShape);
        float[] ad = at.data, bd = bt.data, od = out.data;
        // b repeats as a block of a's trailing dims (same shape, a bias row, a scalar): index i mod |b|.
        int suffix = 0;
        while (suffix < bs.rank() && bs.dim(bs.rank() - 1 - suffix) == as.dim(as.rank() - 1 - suffix)) suffix++;
        boolean leadingOnes = true;
        for (int i = 0; i < bs.rank() - suffix; i++) leadingOnes &= bs.dim(i) == 1;
        if (leadingOnes) {
            int period = bd.length;
            workers.forRange(ad.length, Workers.MIN_ELEMENTS, (s, e) -> {
                for (int i = s; i < e; ) {
                    int j = i % period, run = Math.min(e - i, period - j);
                    if (multiply) {
                        for (int t = 0; t < run; t++) od[i + t] = ad[i + t] * bd[j + t];
                    } else {
                        for (int t = 0; t < run; t++) od[i + t] = ad[i + t] + bd[j + t];
                    }
                    i += run;
                }
            });
            return out;
        }
        long[] dims = as.dims();
        workers.forRange(ad.length, Workers.MIN_ELEMENTS, (s, e) -> {
            for (int i = s; i < e; i++) {
                int rem = i, bi = 0;
                for (int d = dims.length - 1; d >= 0; d--) {
                    int idx = (int) (rem % dims[d]);
                    rem /= (int) dims[d];
                    bi += (int) (idx * bStrides[d]);
                }
                od[i] = multiply ? ad[i] * bd[bi] : ad[i] + bd[bi];
            }
        });
        return out;
    }

    /** Strides of b over a's dims (0 where b broadcasts); b broadcasts to a ({@link OpShapes#add} checked it). */
    static long[] broadcastStrides(Shape as, Shape bs) {
        long[] strides = new long[as.rank()];
        long stride = 1;
        for (int i = 1; i <= bs.rank(); i++) {
            int ad = as.rank() - i;
            long bdim = bs.dim(bs.rank() - i);
            strides[ad] = bdim == as.dim(ad) ? stride : 0;
            stride *= bdim;
        }
        return strides;
    }

    Tensor affine(Tensor x, float s, float shift) {
        CpuTensor in = CpuOps.cpu("affine", x);
        CpuTensor out = CpuTensor.zeros(OpShapes.affine(in.shape()));
        float[] xd = in.data, od = out.data;
        workers.forRange(xd.length, Workers.MIN_ELEMENTS, (st, e) -> {
            for (int i = st; i < e; i++) od[i] = xd[i] * s + shift;
        });
        return out;
    }

    Tensor addChannelVector(Tensor x, Tensor v) {
        CpuTensor in = CpuOps.cpu("addChannelVector", x), vt = CpuOps.cpu("addChannelVector", v);
        Shape xs = OpShapes.addChannelVector(in.shape(), vt.shape());
        int nc = xs.intDim(0) * xs.intDim(1);
        int spatial = nc == 0 ? 0 : Math.toIntExact(xs.numel() / nc);
        CpuTensor out = CpuTensor.zeros(xs);
        float[] xd = in.data, vd = vt.data, od = out.data;
        workers.forRange(nc, Math.max(1, Workers.MIN_ELEMENTS / Math.max(1, spatial)), (s, e) -> {
            for (int j = s; j < e; j++) addRow(xd, od, j * spatial, spatial, vd[j]);
        });
        return out;
    }

    private static void addRow(float[] xd, float[] od, int from, int count, float add) {
        for (int i = from, e = from + count; i < e; i++) od[i] = xd[i] + add;
    }
}
