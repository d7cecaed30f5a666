package dev.turbojet.ops.cpu;

import dev.turbojet.ops.Act;
import dev.turbojet.ops.OpShapes;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;

/**
 * torch.nn.GroupNorm and LayerNorm for {@link CpuOps}: per group or row the mean, then the biased
 * variance as the mean squared deviation from it (fp32 partial sums per vector lane over blocks of
 * {@link ScalarMath#BLOCK}, totals in fp64), then the affine map and, for GroupNorm, a fused activation
 * (SiLU on vector lanes), in fp32.
 */
final class CpuNorms {
    private final Workers workers;
    /** Whether the Vector API's {@link VectorMath} computes the sums and the affine maps. */
    private final boolean vector;

    CpuNorms(Workers workers, boolean vector) {
        this.workers = workers;
        this.vector = vector;
    }

    private double sum(float[] a, int off, int n) {
        return vector ? VectorMath.sum(a, off, n) : ScalarMath.sum(a, off, n);
    }

    private double sumSquaredDeviations(float[] a, int off, int n, float mean) {
        return vector ? VectorMath.sumSquaredDeviations(a, off, n, mean) : ScalarMath.sumSquaredDeviations(a, off, n, mean);
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
                float m = (float) (sum(xd, base, groupSize) / groupSize);
                double var = sumSquaredDeviations(xd, base, groupSize, m);
                float rstd = (float) (1.0 / Math.sqrt(var / groupSize + eps));
                int c0 = (job % groups) * cpg;
                for (int cc = 0; cc < cpg; cc++) {
                    float scale = gd[c0 + cc] * rstd, shift = bd[c0 + cc] - m * scale;
                    int off = base + cc * spatial;
                    if (act == Act.NONE || act == Act.SILU) {
                        if (vector) {
                            VectorMath.affine(xd, od, off, off + spatial, scale, shift, act == Act.SILU);
                        } else {
                            for (int i = off; i < off + spatial; i++) {
                                float v = Math.fma(xd[i], scale, shift);
                                od[i] = act == Act.SILU ? ScalarMath.silu(v) : v;
                            }
                        }
                    } else {
                        for (int i = 0; i < spatial; i++) od[off + i] = Pointwise.apply(act, xd[off + i] * scale + shift);
                    }
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
                float m = (float) (sum(xd, base, c) / c);
                double var = sumSquaredDeviations(xd, base, c, m);
                float rstd = (float) (1.0 / Math.sqrt(var / c + eps));
                for (int i = 0; i < c; i++) od[base + i] = (xd[base + i] - m) * rstd * gd[i] + bd[i];
            }
        });
        return out;
    }
}
