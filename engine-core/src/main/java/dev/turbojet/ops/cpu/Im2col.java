package dev.turbojet.ops.cpu;

/**
 * The B operand of a convolution as a GEMM, packed straight from one image (implicit im2col):
 * B(k, j) with k = (ci, ky, kx) over [Cin kh kw] and j = (oy, ox) over [Ho Wo] is
 * x[ci, oy stride + ky - pad, ox stride + kx - pad], zero outside the image.
 */
record Im2col(float[] x, int base, int h, int w, int kh, int kw, int stride, int pad, int wo) implements Gemm.PackB {
    @Override
    public void packB(int k0, int kc, int col0, int cols, int nr, float[] dst, int off) {
        int oyFirst = col0 / wo, oyLast = (col0 + cols - 1) / wo;
        int ci = k0 / (kh * kw), rem = k0 % (kh * kw), ky = rem / kw, kx = rem % kw;
        if (oyFirst == oyLast) {
            // One output row: the columns read one input row at a regular stride.
            int iyTop = oyFirst * stride - pad, ixLeft = (col0 - oyFirst * wo) * stride - pad;
            for (int kk = 0; kk < kc; kk++) {
                int d = off + kk * nr, iy = iyTop + ky, first = ixLeft + kx;
                int lo = cols, hi = cols;
                if (iy >= 0 && iy < h && first <= w - 1) {
                    lo = first >= 0 ? 0 : Math.min(cols, (-first + stride - 1) / stride);
                    hi = Math.max(lo, Math.min(cols, (w - 1 - first) / stride + 1));
                }
                for (int j = 0; j < lo; j++) dst[d + j] = 0f;
                int src = base + (ci * h + iy) * w + first;
                if (stride == 1) {
                    if (hi > lo) System.arraycopy(x, src + lo, dst, d + lo, hi - lo);
                } else {
                    for (int j = lo; j < hi; j++) dst[d + j] = x[src + j * stride];
                }
                for (int j = hi; j < nr; j++) dst[d + j] = 0f;
                if (++kx == kw) {
                    kx = 0;
                    if (++ky == kh) {
                        ky = 0;
                        ci++;
                    }
                }
            }
        } else {
            int[] iy0 = new int[cols], ix0 = new int[cols];
            for (int j = 0; j < cols; j++) {
                iy0[j] = (col0 + j) / wo * stride - pad;
                ix0[j] = (col0 + j) % wo * stride - pad;
            }
            for (int kk = 0; kk < kc; kk++) {
                int d = off + kk * nr, chan = base + ci * h * w;
                for (int j = 0; j < cols; j++) {
                    int iy = iy0[j] + ky, ix = ix0[j] + kx;
                    dst[d + j] = iy >= 0 && iy < h && ix >= 0 && ix < w ? x[chan + iy * w + ix] : 0f;
                }
                for (int j = cols; j < nr; j++) dst[d + j] = 0f;
                if (++kx == kw) {
                    kx = 0;
                    if (++ky == kh) {
                        ky = 0;
                        ci++;
                    }
                }
            }
        }
    }
}
