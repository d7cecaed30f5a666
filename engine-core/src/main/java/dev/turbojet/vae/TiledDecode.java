package dev.turbojet.vae;

import dev.turbojet.ops.Ops;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers AutoencoderKL.tiled_decode over a {@link VaeTiling.Grid}: tile by tile, each decoded in a
 * pass of its own and downloaded, then blended and cropped on the host in fp32. Only two rows of
 * decoded tiles are held at a time: the row being made and the one above it, which its blends read.
 */
final class TiledDecode {
    private TiledDecode() {
    }

    /** z [N, latent, h, w] -> [N, out, D h, D w], D the grid's downscale. */
    static HostTensor decode(Ops ops, VaeDecoder decoder, HostTensor z, VaeTiling.Grid grid) {
        long[] d = z.shape().dims();
        int n = (int) d[0], outH = grid.downscale() * grid.latentHeight(), outW = grid.downscale() * grid.latentWidth();
        float[] image = null;
        int channels = 0;
        List<HostTensor> above = List.of();
        for (int i = 0; i < grid.rows(); i++) {
            List<HostTensor> row = new ArrayList<>(grid.cols());
            for (int j = 0; j < grid.cols(); j++) {
                HostTensor latents = crop(z, grid.rowStart(i), grid.tileHeight(i), grid.colStart(j), grid.tileWidth(j));
                HostTensor tile = decodeAlone(ops, decoder, latents);                 // [N, out, D th, D tw]
                if (i > 0) blendRows(above.get(j), tile, grid.blend());             // fade in from the tile above
                if (j > 0) blendColumns(row.get(j - 1), tile, grid.blend());        // then from the one on the left
                row.add(tile);
                if (image == null) {
                    channels = tile.shape().intDim(1);
                    image = new float[Math.toIntExact((long) n * channels * outH * outW)];
                }
                place(tile, image, outH, outW, i * grid.keep(), j * grid.keep(), grid.keep());
            }
            above = row;
        }
        return new HostTensor(Shape.of(n, channels, outH, outW), image);
    }

    /** One tile's decode in a pass of its own: a backend with an arena frees the tile's activations before the next. */
    private static HostTensor decodeAlone(Ops ops, VaeDecoder decoder, HostTensor latents) {
        try (Ops.Pass pass = ops.pass()) {
            return ops.download(decoder.decode(ops, ops.upload(latents)));          // a host copy: ours to blend in place
        }
    }

    /** z[:, :, top : top + height, left : left + width]. */
    private static HostTensor crop(HostTensor z, int top, int height, int left, int width) {
        long[] d = z.shape().dims();
        int planes = (int) (d[0] * d[1]), h = (int) d[2], w = (int) d[3];
        float[] src = z.data();
        float[] out = new float[planes * height * width];
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < height; y++) {
                System.arraycopy(src, (p * h + top + y) * w + left, out, (p * height + y) * width, width);
            }
        }
        return new HostTensor(Shape.of(d[0], d[1], height, width), out);
    }

    /**
     * diffusers blend_v, in place on {@code b}: over e = min(a's height, b's height, extent) rows,
     * b[y] = a[H_a - e + y] (1 - y/e) + b[y] (y/e), each weight the fp32 value of Python's double.
     */
    static void blendRows(HostTensor a, HostTensor b, int extent) {
        int[] ad = dims(a), bd = dims(b);
        int planes = bd[0] * bd[1], ah = ad[2], bh = bd[2], w = bd[3];
        int e = Math.min(Math.min(ah, bh), extent);
        float[] x = a.data(), y = b.data();
        for (int r = 0; r < e; r++) {
            float keepA = (float) (1 - (double) r / e), takeB = (float) ((double) r / e);
            for (int p = 0; p < planes; p++) {
                int from = (p * ah + ah - e + r) * w, to = (p * bh + r) * w;
                for (int c = 0; c < w; c++) y[to + c] = x[from + c] * keepA + y[to + c] * takeB;
            }
        }
    }

    /** diffusers blend_h, in place on {@code b}: blendRows along the width. */
    static void blendColumns(HostTensor a, HostTensor b, int extent) {
        int[] ad = dims(a), bd = dims(b);
        int planes = bd[0] * bd[1], h = bd[2], aw = ad[3], bw = bd[3];
        int e = Math.min(Math.min(aw, bw), extent);
        float[] x = a.data(), y = b.data();
        for (int c = 0; c < e; c++) {
            float keepA = (float) (1 - (double) c / e), takeB = (float) ((double) c / e);
            for (int p = 0; p < planes; p++) {
                for (int r = 0; r < h; r++) {
                    int at = (p * h + r) * bw + c;
                    y[at] = x[(p * h + r) * aw + aw - e + c] * keepA + y[at] * takeB;
                }
            }
        }
    }

    /** Copies tile[:, :, :keep, :keep] into image [N, C, H, W] at (top, left). */
    private static void place(HostTensor tile, float[] image, int outH, int outW, int top, int left, int keep) {
        int[] td = dims(tile);
        int planes = td[0] * td[1], th = td[2], tw = td[3];
        int rows = Math.min(keep, th), cols = Math.min(keep, tw);
        float[] src = tile.data();
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < rows; y++) {
                System.arraycopy(src, (p * th + y) * tw, image, (p * outH + top + y) * outW + left, cols);
            }
        }
    }

    private static int[] dims(HostTensor t) {
        Shape s = t.shape();
        if (s.rank() != 4) throw new IllegalArgumentException("tile " + s + " is not [N, C, H, W]");
        return new int[] {s.intDim(0), s.intDim(1), s.intDim(2), s.intDim(3)};
    }
}
