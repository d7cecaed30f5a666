package dev.turbojet.ops.cpu;

import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;

import java.util.Random;

/** Plain fp64 definitions of the ops, written for reading, not speed: what CpuOps is checked against. */
final class Reference {
    private Reference() {
    }

    static HostTensor random(Random rnd, int... dims) {
        Shape s = Shape.of(dims);
        float[] d = new float[Math.toIntExact(s.numel())];
        for (int i = 0; i < d.length; i++) d[i] = (float) rnd.nextGaussian();
        return new HostTensor(s, d);
    }

    static HostTensor of(double[] values, int... dims) {
        float[] d = new float[values.length];
        for (int i = 0; i < d.length; i++) d[i] = (float) values[i];
        return new HostTensor(Shape.of(dims), d);
    }

    static double[] conv2d(HostTensor x, HostTensor w, HostTensor b, int stride, int pad) {
        int n = x.shape().intDim(0), cin = x.shape().intDim(1), h = x.shape().intDim(2), wd = x.shape().intDim(3);
        int cout = w.shape().intDim(0), kh = w.shape().intDim(2), kw = w.shape().intDim(3);
        int ho = (h + 2 * pad - kh) / stride + 1, wo = (wd + 2 * pad - kw) / stride + 1;
        double[] out = new double[n * cout * ho * wo];
        for (int img = 0; img < n; img++)
            for (int co = 0; co < cout; co++)
                for (int oy = 0; oy < ho; oy++)
                    for (int ox = 0; ox < wo; ox++) {
                        double acc = b == null ? 0 : b.data()[co];
                        for (int ci = 0; ci < cin; ci++)
                            for (int ky = 0; ky < kh; ky++)
                                for (int kx = 0; kx < kw; kx++) {
                                    int iy = oy * stride + ky - pad, ix = ox * stride + kx - pad;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                                        acc += x.data()[((img * cin + ci) * h + iy) * wd + ix]
                                                * (double) w.data()[((co * cin + ci) * kh + ky) * kw + kx];
                                    }
                                }
                        out[((img * cout + co) * ho + oy) * wo + ox] = acc;
                    }
        return out;
    }

    /** x [rows, in] (any leading dims flattened), w [out, in] */
    static double[] linear(HostTensor x, HostTensor w, HostTensor b) {
        int out = w.shape().intDim(0), in = w.shape().intDim(1);
        int rows = x.data().length / in;
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < out; o++) {
                double acc = b == null ? 0 : b.data()[o];
                for (int i = 0; i < in; i++) acc += (double) x.data()[r * in + i] * w.data()[o * in + i];
                y[r * out + o] = acc;
            }
        return y;
    }

    static double[] groupNorm(HostTensor x, HostTensor g, HostTensor b, int groups, double eps, boolean silu) {
        int n = x.shape().intDim(0), c = x.shape().intDim(1);
        int spatial = x.data().length / (n * c), per = c / groups;
        double[] y = new double[x.data().length];
        for (int img = 0; img < n; img++)
            for (int grp = 0; grp < groups; grp++) {
                double mean = 0, sq = 0;
                int count = per * spatial;
                for (int ch = grp * per; ch < (grp + 1) * per; ch++)
                    for (int s = 0; s < spatial; s++) mean += x.data()[(img * c + ch) * spatial + s];
                mean /= count;
                for (int ch = grp * per; ch < (grp + 1) * per; ch++)
                    for (int s = 0; s < spatial; s++) {
                        double d = x.data()[(img * c + ch) * spatial + s] - mean;
                        sq += d * d;
                    }
                double std = Math.sqrt(sq / count + eps);
                for (int ch = grp * per; ch < (grp + 1) * per; ch++)
                    for (int s = 0; s < spatial; s++) {
                        int i = (img * c + ch) * spatial + s;
                        double v = (x.data()[i] - mean) / std * g.data()[ch] + b.data()[ch];
                        y[i] = silu ? v / (1 + Math.exp(-v)) : v;
                    }
            }
        return y;
    }

    static double[] layerNorm(HostTensor x, HostTensor g, HostTensor b, double eps) {
        int c = g.data().length, rows = x.data().length / c;
        double[] y = new double[x.data().length];
        for (int r = 0; r < rows; r++) {
            double mean = 0, sq = 0;
            for (int i = 0; i < c; i++) mean += x.data()[r * c + i];
            mean /= c;
            for (int i = 0; i < c; i++) sq += Math.pow(x.data()[r * c + i] - mean, 2);
            double std = Math.sqrt(sq / c + eps);
            for (int i = 0; i < c; i++) y[r * c + i] = (x.data()[r * c + i] - mean) / std * g.data()[i] + b.data()[i];
        }
        return y;
    }

    static double[] attention(HostTensor q, HostTensor k, HostTensor v, int heads, boolean causal) {
        int bsz = q.shape().intDim(0), nq = q.shape().intDim(1), nk = k.shape().intDim(1), width = q.shape().intDim(2);
        int d = width / heads;
        double[] out = new double[q.data().length];
        for (int b = 0; b < bsz; b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < nq; i++) {
                    double[] p = new double[nk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < nk; j++) {
                        if (causal && j > i) {
                            p[j] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        double dot = 0;
                        for (int e = 0; e < d; e++) {
                            dot += (double) q.data()[(b * nq + i) * width + h * d + e] * k.data()[(b * nk + j) * width + h * d + e];
                        }
                        p[j] = dot / Math.sqrt(d);
                        max = Math.max(max, p[j]);
                    }
                    double z = 0;
                    for (int j = 0; j < nk; j++) z += p[j] = Math.exp(p[j] - max);
                    for (int e = 0; e < d; e++) {
                        double acc = 0;
                        for (int j = 0; j < nk; j++) acc += p[j] / z * v.data()[(b * nk + j) * width + h * d + e];
                        out[(b * nq + i) * width + h * d + e] = acc;
                    }
                }
        return out;
    }

    /** erf by composite Simpson integration of 2/sqrt(pi) exp(-t^2) over [0, x]. */
    static double erf(double x) {
        int n = 20000;
        double hstep = x / n, sum = 0;
        for (int i = 0; i <= n; i++) {
            double t = i * hstep, f = Math.exp(-t * t);
            sum += (i == 0 || i == n) ? f : (i % 2 == 1 ? 4 * f : 2 * f);
        }
        return sum * hstep / 3 * 2 / Math.sqrt(Math.PI);
    }

    static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }
}
