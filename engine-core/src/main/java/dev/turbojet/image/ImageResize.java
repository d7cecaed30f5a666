package dev.turbojet.image;

/**
 * Fits an image of any size to the pipeline's width × height (img2img init images): scale it
 * uniformly so that it covers the target (the shorter side, relative to the target's aspect,
 * fills it exactly), then crop the centre. Aspect ratio is kept; nothing is stretched.
 *
 * <p>Resampling is bilinear (a triangle filter) applied separably, with the filter widened by
 * the reduction factor when shrinking so that every source pixel contributes — the antialiased
 * bilinear of PIL's {@code Image.resize(..., BILINEAR)}, not the point-sampled one of a GPU
 * texture unit. Pixel centres are at half-integers. Results are rounded to nearest, clamped to
 * 0..255.
 */
public final class ImageResize {
    private ImageResize() {}

    /** {@code src} scaled to cover width × height, centre-cropped to exactly that size. */
    public static RgbImage coverAndCenterCrop(RgbImage src, int width, int height) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("target size " + width + "x" + height);
        if (src.width() == width && src.height() == height) return src;
        double scale = Math.max((double) width / src.width(), (double) height / src.height());
        // the scaled image's size, and where the crop starts inside it
        double offsetX = (src.width() * scale - width) / 2;
        double offsetY = (src.height() * scale - height) / 2;
        Taps columns = taps(src.width(), width, scale, offsetX);
        Taps rows = taps(src.height(), height, scale, offsetY);

        // horizontal pass: srcH rows × width columns, float
        int sw = src.width();
        byte[] s = src.rgb();
        float[] mid = new float[src.height() * width * 3];
        for (int y = 0; y < src.height(); y++) {
            for (int x = 0; x < width; x++) {
                float r = 0, g = 0, b = 0;
                for (int k = 0; k < columns.count[x]; k++) {
                    int i = (y * sw + columns.first[x] + k) * 3;
                    float w = columns.weights[x][k];
                    r += w * (s[i] & 0xff);
                    g += w * (s[i + 1] & 0xff);
                    b += w * (s[i + 2] & 0xff);
                }
                int o = (y * width + x) * 3;
                mid[o] = r;
                mid[o + 1] = g;
                mid[o + 2] = b;
            }
        }
        // vertical pass
        byte[] out = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width * 3; x++) {
                float v = 0;
                for (int k = 0; k < rows.count[y]; k++) {
                    v += rows.weights[y][k] * mid[(rows.first[y] + k) * width * 3 + x];
                }
                out[y * width * 3 + x] = (byte) Math.max(0, Math.min(255, Math.round(v)));
            }
        }
        return new RgbImage(width, height, out);
    }

    /** For each output index, the first source index, the tap count and the normalised weights. */
    private record Taps(int[] first, int[] count, float[][] weights) {}

    private static Taps taps(int srcSize, int outSize, double scale, double offset) {
        double support = Math.max(1.0, 1.0 / scale);   // filter radius in source pixels
        int[] first = new int[outSize];
        int[] count = new int[outSize];
        float[][] weights = new float[outSize][];
        for (int o = 0; o < outSize; o++) {
            double centre = (o + offset + 0.5) / scale;  // in source pixel coordinates
            int lo = Math.max(0, (int) Math.floor(centre - support));
            int hi = Math.min(srcSize - 1, (int) Math.ceil(centre + support));
            double[] w = new double[hi - lo + 1];
            double sum = 0;
            for (int i = lo; i <= hi; i++) {
                double d = Math.abs(i + 0.5 - centre) / support;
                w[i - lo] = Math.max(0, 1 - d);
                sum += w[i - lo];
            }
            if (sum == 0) {                              // centre exactly between taps at an edge
                int nearest = Math.min(srcSize - 1, Math.max(0, (int) Math.floor(centre)));
                first[o] = nearest;
                count[o] = 1;
                weights[o] = new float[]{1f};
                continue;
            }
            first[o] = lo;
            count[o] = w.length;
            weights[o] = new float[w.length];
            for (int i = 0; i < w.length; i++) weights[o][i] = (float) (w[i] / sum);
        }
        return new Taps(first, count, weights);
    }
}
