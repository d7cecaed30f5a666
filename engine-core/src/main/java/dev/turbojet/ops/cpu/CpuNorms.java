package dev.turbojet.ops.cpu;

import dev.turbojet.ops.Act;
import dev.turbojet.ops.OpShapes;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

/**
 * torch.nn.GroupNorm and LayerNorm for {@link CpuOps}: statistics in fp64 per group or row (biased
 * variance), then the affine map and, for GroupNorm, a fused activation, in fp32.
 */
final class CpuNorms {
    private final Workers workers;

    CpuNorms(Workers workers) {
        this.workers = workers;
    }

    Tensor groupNorm(Tensor x, Tensor gamma, Tensor beta, int groups, float eps, Act act) {
        CpuTensor in = CpuOps.cpu("groupNorm", x), g = CpuOps.cpu("groupNorm", gamma), bt = CpuOps.cpu("groupNorm", beta);
        Shape xs = OpShapes.groupNorm(in.shape(), g.shape(), bt.shape(), groups);
        int n = xs.intDim(0), c = xs.intDim(1);
        int spatial = Math.toIntExact(xs.numel() / Math.max(1, (long) n * c));
        int cpg = c / groups, groupSize = cpg * spatial;
        CpuTensor out = CpuTensor.zeros(xs);
        float[] xd = in.data, od = out.data, gd = g.data, bd = bt.data;
        workers.forRange(n * groups, Math.max(1, Workers.MIN_ELEMENTS / Math.max(1, groupSize)), (js, je) -> {
            for (int job = js; job < je; job++) {
                int base = job * groupSize;
                double sum = 0;
                for (int i = 0; i < groupSize; i++) sum += xd[base + i];
                double mean = sum / groupSize;
                double var = 0;
                for (int i = 0; i < groupSize; i++) {
                    double d = xd[base + i] - mean;
                    var += d * d;
                }
                float m = (float) mean;
                float rstd = (float) (1.0 / Math.sqrt(var / groupSize + eps));
                int c0 = (job % groups) * cpg;
                for (int cc = 0; cc < cpg; cc++) {
                    float scale = gd[c0 + cc] * rstd, shift = bd[c0 + cc] - m * scale;
                    int off = base + cc * spatial;
                    for (int i = 0; i < spatial; i++) od[off + i] = Pointwise.apply(act, xd[off + i] * scale + shift);
                }
            }
        });
        return out;
    }

    Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        CpuTensor in = CpuOps.cpu("layerNorm", x), g = CpuOps.cpu("layerNorm", gamma), bt = CpuOps.cpu("layerNorm", beta);
        Shape xs = OpShapes.layerNorm(in.shape(), g.shape(), bt.shape());
        int c = xs.intDim(-1);
        int rows = c == 0 ? 0 : Math.toIntExact(xs.numel() / c);
        CpuTensor out = CpuTensor.zeros(xs);
        float[] xd = in.data, od = out.data, gd = g.data, bd = bt.data;
        workers.forRange(rows, Math.max(1, Workers.MIN_ELEMENTS / Math.max(1, c)), (s, e) -> {
            for (int r = s; r < e; r++) {
                int base = r * c;
                double sum = 0;
                for (int i = 0; i < c; i++) sum += xd[base + i];
                double mean = sum / c;
                double var = 0;
                for (int i = 0; i < c; i++) {
                    double d = xd[base + i] - mean;
                    var += d * d;
                }
                float m = (float) mean;
                float rstd = (float) (1.0 / Math.sqrt(var / c + eps));
                for (int i = 0; i < c; i++) od[base + i] = (xd[base + i] - m) * rstd * gd[i] + bd[i];
            }
        });
        return out;
    }
}
