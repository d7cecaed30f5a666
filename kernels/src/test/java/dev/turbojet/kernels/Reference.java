package dev.turbojet.kernels;

/** Tiny CPU references for the kernel tests, written the obvious way, in double precision. */
final class Reference {
    private Reference() {}

    /** erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7), enough against fp16/bf16. */
    static double erf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x));
        double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
                * Math.exp(-x * x);
        return x >= 0 ? y : -y;
    }

    static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    static double silu(double x) {
        return x / (1 + Math.exp(-x));
    }

    /** NHWC x [n, hw, c]. */
    static float[] groupNorm(float[] x, float[] gamma, float[] beta, int n, int hw, int c, int groups, double eps,
                             boolean silu) {
        float[] y = new float[x.length];
        int cpg = c / groups;
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < groups; g++) {
                double sum = 0;
                double sq = 0;
                for (int p = 0; p < hw; p++) {
                    for (int k = 0; k < cpg; k++) {
                        double v = x[(b * hw + p) * c + g * cpg + k];
                        sum += v;
                        sq += v * v;
                    }
                }
                double mean = sum / (hw * cpg);
                double var = sq / (hw * cpg) - mean * mean;
                for (int p = 0; p < hw; p++) {
                    for (int k = 0; k < cpg; k++) {
                        int ch = g * cpg + k;
                        int at = (b * hw + p) * c + ch;
                        double v = (x[at] - mean) / Math.sqrt(var + eps) * gamma[ch] + beta[ch];
                        y[at] = (float) (silu ? silu(v) : v);
                    }
                }
            }
        }
        return y;
    }

    static float[] layerNorm(float[] x, float[] gamma, float[] beta, int rows, int cols, double eps) {
        float[] y = new float[x.length];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            double sq = 0;
            for (int c = 0; c < cols; c++) {
                sum += x[r * cols + c];
                sq += (double) x[r * cols + c] * x[r * cols + c];
            }
            double mean = sum / cols;
            double rstd = 1 / Math.sqrt(sq / cols - mean * mean + eps);
            for (int c = 0; c < cols; c++) {
                y[r * cols + c] = (float) ((x[r * cols + c] - mean) * rstd * gamma[c] + beta[c]);
            }
        }
        return y;
    }

    static float[] softmax(float[] x, int rows, int cols) {
        float[] y = new float[x.length];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, x[r * cols + c]);
            }
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += Math.exp(x[r * cols + c] - max);
            }
            for (int c = 0; c < cols; c++) {
                y[r * cols + c] = (float) (Math.exp(x[r * cols + c] - max) / sum);
            }
        }
        return y;
    }

    /** q [b, nq, h, d], k/v [b, nk, h, d]. */
    static float[] attention(float[] q, float[] k, float[] v, int batch, int nq, int nk, int heads, int d, boolean causal) {
        float[] out = new float[batch * nq * heads * d];
        double scale = 1 / Math.sqrt(d);
        double[] s = new double[nk];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < nq; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < nk; j++) {
                        double dot = 0;
                        for (int c = 0; c < d; c++) {
                            dot += (double) q[((b * nq + i) * heads + h) * d + c] * k[((b * nk + j) * heads + h) * d + c];
                        }
                        s[j] = causal && j > i ? Double.NEGATIVE_INFINITY : dot * scale;
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < nk; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int c = 0; c < d; c++) {
                        double acc = 0;
                        for (int j = 0; j < nk; j++) {
                            acc += s[j] * v[((b * nk + j) * heads + h) * d + c];
                        }
                        out[((b * nq + i) * heads + h) * d + c] = (float) (acc / sum);
                    }
                }
            }
        }
        return out;
    }

    static double relErr(float[] actual, float[] expected) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < expected.length; i++) {
            double diff = actual[i] - expected[i];
            num += diff * diff;
            den += (double) expected[i] * expected[i];
        }
        return Math.sqrt(num / Math.max(den, 1e-30));
    }

    static String describe(String what, float[] actual, float[] expected) {
        int worst = 0;
        for (int i = 1; i < expected.length; i++) {
            if (Math.abs(actual[i] - expected[i]) > Math.abs(actual[worst] - expected[worst])) {
                worst = i;
            }
        }
        return what + ": relErr=" + relErr(actual, expected) + ", max |diff| at " + worst + ": " + actual[worst]
                + " vs " + expected[worst];
    }
}
