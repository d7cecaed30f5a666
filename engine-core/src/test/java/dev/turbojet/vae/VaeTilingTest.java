package dev.turbojet.vae;

import dev.turbojet.io.SafetensorsFile;
import dev.turbojet.ops.Ops;
import dev.turbojet.ops.cpu.CpuOps;
import dev.turbojet.tensor.HostTensor;
import dev.turbojet.tensor.Shape;
import dev.turbojet.tensor.Tensor;
import dev.turbojet.testing.ReferenceKit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tiled VAE decoding (diffusers' enable_tiling) with the tiny fp32 VAE on the CPU: its sample_size is
 * 64, so diffusers' tiles are 64 px (8 latents), stepping 6 latents, blended over 16 px.
 */
class VaeTilingTest {
    /** The blend is a few fp32 multiply-adds over the decoder's own output: the sums may round differently. */
    static final double BLEND_TOL = 1e-5;

    static Ops ops;
    static VaeConfig cfg;
    static AutoencoderKL vae;

    @BeforeAll
    static void load() {
        ops = new CpuOps(2);
        cfg = VaeConfig.read(ReferenceKit.tiny("vae/config.json"));
        try (SafetensorsFile f = SafetensorsFile.open(ReferenceKit.tiny("vae/diffusion_pytorch_model.safetensors"))) {
            vae = AutoencoderKL.load(f, ops, cfg);
        }
    }

    @Test
    void defaultsAreDiffusers() {
        VaeConfig turbo = VaeConfig.read(ReferenceKit.realConfig("vae/config.json"));
        VaeTiling tiling = VaeTiling.defaults(turbo);
        assertEquals(new VaeTiling(512, 0.25), tiling, "SDXL Turbo's vae/config.json has sample_size 512");
        // 1024 x 1024: 128 x 128 latents in tiles of 64 stepping 48: 3 x 3 tiles, 128-px blends, 384 px kept of each
        VaeTiling.Grid grid = tiling.grid(turbo.downscale(), 128, 128);
        assertEquals(new VaeTiling.Grid(8, 64, 48, 128, 384, 128, 128), grid);
        assertEquals(3, grid.rows());
        assertEquals(9, grid.tiles());
        assertEquals(32, grid.tileHeight(2));
        assertFalse(tiling.exceedsTile(8, 64, 64), "512 x 512 fits one tile: AUTO leaves it untiled");
        assertTrue(tiling.exceedsTile(8, 64, 65));
        assertTrue(tiling.tiles(VaeTiling.Mode.ON, 8, 8, 8));
        assertFalse(tiling.tiles(VaeTiling.Mode.OFF, 8, 1000, 1000));
        assertEquals(new VaeTiling(64, 0.25), VaeTiling.defaults(cfg));
        assertEquals(8, vae.decoder().downscale());
    }

    /** (a) One tile that covers the whole latent is the untiled decode, bit for bit; so is AUTO on a latent that fits a tile. */
    @Test
    void aTileCoveringTheLatentIsTheUntiledDecode() {
        HostTensor z = random(new Random(1), 2, 4, 7, 11);
        float[] untiled = decodeWhole(z).data();
        VaeTiling big = new VaeTiling(256, 0.25);                            // 32 latents, stepping 24 > 11
        assertEquals(1, big.grid(8, 7, 11).tiles());
        assertArrayEquals(untiled, vae.decoder().decodeTiled(ops, z, big).data());
        assertArrayEquals(untiled, vae.decode(ops, z, VaeTiling.Mode.ON, big).data());

        HostTensor fits = random(new Random(2), 1, 4, 8, 8);                  // 64 x 64: exactly one default tile
        assertArrayEquals(decodeWhole(fits).data(), vae.decode(ops, fits, VaeTiling.Mode.AUTO, VaeTiling.defaults(cfg)).data());
    }

    /**
     * (b) Small tiles over a larger latent give what diffusers' tiled_decode gives: every tile decoded by the
     * plain decoder, then blended and cropped here in the plainest way (double arithmetic, loops over
     * pixels, crops joined by concatenation). 13 x 17 latents in 8-latent tiles stepping 6: 3 x 3 tiles, the
     * last row 1 latent high (its 8 px blend less than the 16 px extent) and the last column 5 wide.
     */
    @Test
    void smallTilesBlendAndCropAsDiffusers() {
        HostTensor z = random(new Random(3), 2, 4, 13, 17);
        VaeTiling tiling = new VaeTiling(64, 0.25);
        HostTensor tiled = vae.decode(ops, z, VaeTiling.Mode.AUTO, tiling);
        assertEquals(Shape.of(2, 3, 104, 136), tiled.shape());
        for (float v : tiled.data()) assertTrue(Float.isFinite(v));

        float[][][][] expected = expectedTiledDecode(z, 8, 6, 16, 48);
        int n = 2, c = 3, h = 104, w = 136;
        double worst = 0;
        String where = "";
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) {
                        double d = Math.abs(tiled.data()[((b * c + ch) * h + y) * w + x] - expected[b][ch][y][x]);
                        if (d > worst) {
                            worst = d;
                            where = "[" + b + ", " + ch + ", " + y + ", " + x + "]";
                        }
                    }
        System.out.printf("tiled vs the loops: max |diff| %.3e at %s%n", worst, where);
        assertTrue(worst <= BLEND_TOL, "max |diff| " + worst + " at " + where);
        assertFalse(Arrays.equals(decodeWhole(z).data(), tiled.data()), "tiles see their own group-norm statistics");
    }

    /**
     * (c) On a slowly varying latent, no row (or column) step across a tile boundary or in a blend is larger than
     * the steps elsewhere; the same tiles cropped without the blend show their seams to the same measure. (This
     * random-weight VAE gives even a ramp a texture of its own: the measure compares steps, not smoothness.)
     */
    @Test
    void seamsDoNotShowOnASmoothLatent() {
        int lh = 24, lw = 24;                                                 // 192 x 192: 4 x 4 tiles, seams every 48 px
        float[] ramp = new float[4 * lh * lw];
        for (int ch = 0; ch < 4; ch++)
            for (int y = 0; y < lh; y++)
                for (int x = 0; x < lw; x++) ramp[(ch * lh + y) * lw + x] = 0.4f * (ch - 1.5f) + 0.05f * (y - x * (ch % 2 == 0 ? 1 : -1));
        HostTensor z = new HostTensor(Shape.of(1, 4, lh, lw), ramp);

        VaeTiling tiling = new VaeTiling(64, 0.25);
        VaeTiling.Grid grid = tiling.grid(8, lh, lw);
        Seams blended = Seams.measure(vae.decode(ops, z, VaeTiling.Mode.ON, tiling), grid.keep(), grid.blend());
        VaeTiling.Grid unblended = new VaeTiling.Grid(8, 8, 6, 0, 48, lh, lw);   // the same tiles and crops, no blend
        Seams cut = Seams.measure(TiledDecode.decode(ops, vae.decoder(), z, unblended), grid.keep(), grid.blend());
        System.out.println("blended: " + blended);
        System.out.println("cut:     " + cut);
        assertTrue(blended.seam() <= blended.elsewhere(), "a visible seam: " + blended);
        assertTrue(cut.seam() > 1.5 * cut.elsewhere(), "without the blend the measure must find the seams: " + cut);
    }

    /** (d) Each bad setting fails alone, naming the field and the value. */
    @Test
    void badSettingsNameTheField() {
        assertRejected("VaeTiling tileSize must be positive, got 0", () -> new VaeTiling(0, 0.25));
        assertRejected("VaeTiling tileSize must be positive, got -64", () -> new VaeTiling(-64, 0.25));
        assertRejected("VaeTiling overlap must be in [0, 1), got 1.0", () -> new VaeTiling(64, 1));
        assertRejected("VaeTiling overlap must be in [0, 1), got -0.25", () -> new VaeTiling(64, -0.25));
        assertRejected("VaeTiling overlap must be in [0, 1), got NaN", () -> new VaeTiling(64, Double.NaN));
        assertRejected("VaeTiling tileSize 100 is not a multiple of the VAE's upsampling factor 8",
                () -> new VaeTiling(100, 0.25).latentTile(8));
        assertRejected("VaeTiling overlap 0.3 does not fit tileSize 64: tiles would start every 40 px but keep 45 px each;"
                + " the overlap must cover a whole number of the tile's 8 latents", () -> new VaeTiling(64, 0.3).latentTile(8));
        HostTensor z = HostTensor.zeros(Shape.of(1, 4, 16, 16));
        assertRejected("VaeTiling tileSize 36 is not a multiple of the VAE's upsampling factor 8",
                () -> vae.decode(ops, z, VaeTiling.Mode.ON, new VaeTiling(36, 0.25)));
        assertRejected("unknown VAE tiling 'sometimes': use auto, on or off", () -> VaeTiling.Mode.parse("sometimes"));
        assertEquals(VaeTiling.Mode.OFF, VaeTiling.Mode.parse(" Off "));
    }

    /**
     * (e) Tiled, the decoder allocates per tile: its largest tensor follows the tile, not the image, and each
     * tile runs in a pass of its own whose allocations are a tile's.
     */
    @Test
    void memoryFollowsTheTile() {
        HostTensor z = random(new Random(4), 1, 4, 32, 32);                   // 256 x 256
        VaeTiling tiling = new VaeTiling(64, 0.25);
        Allocations whole = new Allocations(), tiles = new Allocations();
        vae.decode(whole.ops(), z, VaeTiling.Mode.OFF, tiling);
        vae.decode(tiles.ops(), z, VaeTiling.Mode.ON, tiling);
        int widest = cfg.blockOutChannels().stream().max(Integer::compare).orElseThrow();
        long tileBound = (long) widest * 64 * 64;                             // widest activation at a whole tile's pixels
        System.out.printf("largest tensor: %,d elements untiled, %,d tiled (bound %,d); per pass: %,d untiled, %,d tiled%n",
                whole.largest, tiles.largest, tileBound, whole.largestPass, tiles.largestPass);
        assertEquals(1, whole.passes);
        assertEquals(tiling.grid(8, 32, 32).tiles(), tiles.passes, "one pass per tile");
        assertEquals(0, tiles.outsidePasses, "every tile's tensors belong to its pass");
        assertTrue(tiles.largest <= tileBound, tiles.largest + " > " + tileBound);
        assertTrue(whole.largest >= 8 * tiles.largest, "the untiled decode's largest tensor is the image's: " + whole.largest);
        assertTrue(whole.largestPass >= 8 * tiles.largestPass, whole.largestPass + " vs " + tiles.largestPass);
    }

    // ---- the expected tiled decode, written plainly ----------------------------------------------

    /**
     * diffusers' tiled_decode spelled out: tile (i, j) covers latents [i s, i s + t) x [j s, j s + t) cut
     * at the edges; each is decoded whole; then in row-major order each tile's first e rows become
     * above[last e rows] (1 - y/e) + tile (y/e) and its first e columns likewise from the tile on the
     * left, both neighbours as already blended; each tile is cropped to keep x keep and the crops are joined.
     */
    private float[][][][] expectedTiledDecode(HostTensor z, int t, int s, int extent, int keep) {
        int n = z.shape().intDim(0), lh = z.shape().intDim(2), lw = z.shape().intDim(3);
        List<List<double[][][][]>> rows = new ArrayList<>();
        for (int i = 0; i < lh; i += s) {
            List<double[][][][]> row = new ArrayList<>();
            for (int j = 0; j < lw; j += s) row.add(toArray(decodeWhole(slice(z, i, Math.min(i + t, lh), j, Math.min(j + t, lw)))));
            rows.add(row);
        }
        for (int i = 0; i < rows.size(); i++) {
            for (int j = 0; j < rows.get(i).size(); j++) {
                double[][][][] tile = rows.get(i).get(j);
                if (i > 0) {
                    double[][][][] above = rows.get(i - 1).get(j);
                    int e = Math.min(Math.min(above[0][0].length, tile[0][0].length), extent);
                    for (int b = 0; b < n; b++)
                        for (int ch = 0; ch < tile[b].length; ch++)
                            for (int y = 0; y < e; y++)
                                for (int x = 0; x < tile[b][ch][y].length; x++) {
                                    tile[b][ch][y][x] = above[b][ch][above[b][ch].length - e + y][x] * (1 - (double) y / e)
                                            + tile[b][ch][y][x] * ((double) y / e);
                                }
                }
                if (j > 0) {
                    double[][][][] left = rows.get(i).get(j - 1);
                    int e = Math.min(Math.min(left[0][0][0].length, tile[0][0][0].length), extent);
                    for (int b = 0; b < n; b++)
                        for (int ch = 0; ch < tile[b].length; ch++)
                            for (int y = 0; y < tile[b][ch].length; y++)
                                for (int x = 0; x < e; x++) {
                                    int lx = left[b][ch][y].length - e + x;
                                    tile[b][ch][y][x] = left[b][ch][y][lx] * (1 - (double) x / e) + tile[b][ch][y][x] * ((double) x / e);
                                }
                }
            }
        }
        // crop each tile to keep x keep (less at the edges) and join: across within a row, then the rows down
        List<double[][][][]> joinedRows = new ArrayList<>();
        for (List<double[][][][]> row : rows) {
            double[][][][] joined = null;
            for (double[][][][] tile : row) {
                double[][][][] crop = crop(tile, keep);
                joined = joined == null ? crop : concat(joined, crop, 3);
            }
            joinedRows.add(joined);
        }
        double[][][][] image = joinedRows.getFirst();
        for (int r = 1; r < joinedRows.size(); r++) image = concat(image, joinedRows.get(r), 2);
        float[][][][] out = new float[n][image[0].length][image[0][0].length][image[0][0][0].length];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < out[b].length; ch++)
                for (int y = 0; y < out[b][ch].length; y++)
                    for (int x = 0; x < out[b][ch][y].length; x++) out[b][ch][y][x] = (float) image[b][ch][y][x];
        return out;
    }

    private static double[][][][] crop(double[][][][] t, int keep) {
        int h = Math.min(keep, t[0][0].length), w = Math.min(keep, t[0][0][0].length);
        double[][][][] out = new double[t.length][t[0].length][h][w];
        for (int b = 0; b < t.length; b++)
            for (int ch = 0; ch < t[b].length; ch++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) out[b][ch][y][x] = t[b][ch][y][x];
        return out;
    }

    /** torch.cat along dim 2 (rows) or 3 (columns). */
    private static double[][][][] concat(double[][][][] a, double[][][][] b, int dim) {
        int h = dim == 2 ? a[0][0].length + b[0][0].length : a[0][0].length;
        int w = dim == 3 ? a[0][0][0].length + b[0][0][0].length : a[0][0][0].length;
        double[][][][] out = new double[a.length][a[0].length][h][w];
        for (int n = 0; n < a.length; n++)
            for (int ch = 0; ch < a[n].length; ch++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) {
                        boolean inA = dim == 2 ? y < a[0][0].length : x < a[0][0][0].length;
                        out[n][ch][y][x] = inA ? a[n][ch][y][x]
                                : dim == 2 ? b[n][ch][y - a[0][0].length][x] : b[n][ch][y][x - a[0][0][0].length];
                    }
        return out;
    }

    private static HostTensor decodeWhole(HostTensor z) {
        return ops.download(vae.decoder().decode(ops, ops.upload(z)));
    }

    private static HostTensor slice(HostTensor z, int y0, int y1, int x0, int x1) {
        int n = z.shape().intDim(0), c = z.shape().intDim(1), h = z.shape().intDim(2), w = z.shape().intDim(3);
        float[] out = new float[n * c * (y1 - y0) * (x1 - x0)];
        int k = 0;
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int y = y0; y < y1; y++)
                    for (int x = x0; x < x1; x++) out[k++] = z.data()[((b * c + ch) * h + y) * w + x];
        return new HostTensor(Shape.of(n, c, y1 - y0, x1 - x0), out);
    }

    private static double[][][][] toArray(HostTensor t) {
        int n = t.shape().intDim(0), c = t.shape().intDim(1), h = t.shape().intDim(2), w = t.shape().intDim(3);
        double[][][][] out = new double[n][c][h][w];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) out[b][ch][y][x] = t.data()[((b * c + ch) * h + y) * w + x];
        return out;
    }

    private static HostTensor random(Random rnd, int... dims) {
        Shape shape = Shape.of(dims);
        float[] data = new float[(int) shape.numel()];
        for (int i = 0; i < data.length; i++) data[i] = (float) rnd.nextGaussian();
        return new HostTensor(shape, data);
    }

    private static void assertRejected(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expected, e.getMessage());
    }

    // ---- measures -------------------------------------------------------------------------------

    /**
     * Steps between neighbouring pixel rows (and columns) of an image with tile boundaries every {@code period}
     * px, each followed by a {@code blend}-px blend: a pair's step is its mean |difference| over the row and
     * every channel; {@code seam} is the largest step of a pair that crosses a boundary or lies in a blend,
     * {@code elsewhere} the 99th percentile of the other pairs' steps, leaving out the image's outermost
     * {@value #MARGIN} px, where zero padding acts in every decode. Rows and columns are pooled.
     */
    record Seams(double seam, double elsewhere) {
        static final int MARGIN = 4;

        static Seams measure(HostTensor image, int period, int blend) {
            int planes = image.shape().intDim(0) * image.shape().intDim(1);
            int h = image.shape().intDim(2), w = image.shape().intDim(3);
            float[] p = image.data();
            double seam = 0;
            List<Double> elsewhere = new ArrayList<>();
            for (int vertical = 0; vertical < 2; vertical++) {
                int lines = vertical == 0 ? h : w, along = vertical == 0 ? w : h;
                for (int r = 0; r + 1 < lines; r++) {
                    double sum = 0;
                    for (int q = 0; q < planes; q++)
                        for (int a = 0; a < along; a++) {
                            int at = vertical == 0 ? (q * h + r) * w + a : (q * h + a) * w + r;
                            int next = vertical == 0 ? at + w : at + 1;
                            sum += Math.abs(p[next] - p[at]);
                        }
                    double step = sum / ((double) planes * along);
                    int offset = (r + 1) % period;                   // pair (r, r + 1) with r + 1 on a boundary: offset 0
                    if (r + 1 >= period && offset <= blend) seam = Math.max(seam, step);
                    else if (r >= MARGIN && r + 1 < lines - MARGIN) elsewhere.add(step);
                }
            }
            elsewhere.sort(Double::compare);
            return new Seams(seam, elsewhere.get((int) Math.floor(0.99 * (elsewhere.size() - 1))));
        }

        @Override
        public String toString() {
            return String.format("largest step at a seam %.4g, 99th percentile elsewhere %.4g", seam, elsewhere);
        }
    }

    /**
     * An Ops over the CPU backend that sees every tensor an op returns: the largest, the largest total
     * made in one pass, how many passes, and how many tensors were made outside any pass.
     */
    static final class Allocations {
        long largest, largestPass, passTotal, passes, outsidePasses;
        boolean inPass;

        Ops ops() {
            return (Ops) Proxy.newProxyInstance(Ops.class.getClassLoader(), new Class<?>[] {Ops.class}, (proxy, method, args) -> {
                if (method.getName().equals("pass") && method.getParameterCount() == 0) {
                    Ops.Pass inner = ops.pass();
                    passes++;
                    inPass = true;
                    passTotal = 0;
                    return (Ops.Pass) () -> {
                        inner.close();
                        inPass = false;
                        largestPass = Math.max(largestPass, passTotal);
                    };
                }
                Object result;
                try {
                    result = method.invoke(ops, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
                if (result instanceof Tensor t && !method.getName().equals("mark")) {
                    long size = t.shape().numel();
                    largest = Math.max(largest, size);
                    if (inPass) passTotal += size;
                    else outsidePasses++;
                }
                return result;
            });
        }
    }
}
