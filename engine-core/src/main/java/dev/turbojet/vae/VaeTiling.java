package dev.turbojet.vae;

import java.util.Locale;

/**
 * diffusers {@code AutoencoderKL.enable_tiling()} for decoding: the latents are cut into overlapping
 * square tiles, each tile is decoded whole, each decoded tile fades in linearly from the tile above it
 * and the tile to its left over the overlap, and each is cropped to the step between tiles before
 * they are joined. Memory then follows the tile, not the image. The image is not the one an untiled
 * decode gives (each tile's group norms see only that tile); it is the one diffusers' tiled_decode gives.
 *
 * <p>In diffusers' names, for a VAE that upsamples by D (8 for SDXL): tile_sample_min_size =
 * {@code tileSize}, tile_latent_min_size = tileSize / D, tile_overlap_factor = {@code overlap}; see
 * {@link Grid} for the steps, blends and crops that follow.
 *
 * @param tileSize a tile's side in pixels (tile_sample_min_size), a multiple of the VAE's upsampling factor
 * @param overlap  the fraction of a tile it shares with the next one (tile_overlap_factor), in [0, 1)
 */
public record VaeTiling(int tileSize, double overlap) {
    /** diffusers' tile_overlap_factor. */
    public static final double DEFAULT_OVERLAP = 0.25;

    public VaeTiling {
        if (tileSize <= 0) throw new IllegalArgumentException("VaeTiling tileSize must be positive, got " + tileSize);
        if (!(overlap >= 0 && overlap < 1)) {
            throw new IllegalArgumentException("VaeTiling overlap must be in [0, 1), got " + overlap);
        }
    }

    /** diffusers' tiling for this VAE: tiles of its sample_size (512 px for SDXL: 64 latents), overlap 0.25. */
    public static VaeTiling defaults(VaeConfig cfg) {
        return new VaeTiling(cfg.sampleSize(), DEFAULT_OVERLAP);
    }

    public VaeTiling withTileSize(int pixels) {
        return new VaeTiling(pixels, overlap);
    }

    public VaeTiling withOverlap(double fraction) {
        return new VaeTiling(tileSize, fraction);
    }

    /** When a decode is tiled. */
    public enum Mode {
        /** When the latents are larger than one tile on either side: diffusers after {@code enable_tiling()}. */
        AUTO,
        /** Always, even latents that fit one tile: diffusers' {@code tiled_decode} called directly. */
        ON,
        /** Never: the whole latent in one decode, as diffusers does by default. */
        OFF;

        /** "auto", "on" or "off", in any case. */
        public static Mode parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "auto" -> AUTO;
                case "on" -> ON;
                case "off" -> OFF;
                default -> throw new IllegalArgumentException("unknown VAE tiling '" + text + "': use auto, on or off");
            };
        }
    }

    /**
     * tile_latent_min_size, tileSize / {@code downscale}, for a VAE that upsamples by {@code downscale};
     * fails naming the field where this tiling does not fit that VAE.
     */
    public int latentTile(int downscale) {
        if (downscale <= 0) throw new IllegalArgumentException("downscale must be positive, got " + downscale);
        if (tileSize % downscale != 0) {
            throw new IllegalArgumentException("VaeTiling tileSize " + tileSize + " is not a multiple of the VAE's upsampling factor "
                    + downscale);
        }
        int latentTile = tileSize / downscale;
        int stride = latentStride(latentTile), blend = blend();
        // diffusers steps by int(latent tile x (1 - overlap)) latents but keeps tile - int(tile x overlap) pixels of
        // each tile; the image is downscale x the latents only where the two agree
        if (stride * downscale != tileSize - blend) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "VaeTiling overlap %s does not fit tileSize %d: tiles"
                    + " would start every %d px but keep %d px each; the overlap must cover a whole number of the tile's %d latents",
                    overlap, tileSize, stride * downscale, tileSize - blend, latentTile));
        }
        return latentTile;
    }

    /** Whether {@link Mode#AUTO} tiles latents of {@code latentHeight} x {@code latentWidth}: either side exceeds a tile. */
    public boolean exceedsTile(int downscale, int latentHeight, int latentWidth) {
        int latentTile = latentTile(downscale);
        return latentHeight > latentTile || latentWidth > latentTile;
    }

    /** Whether {@code mode} tiles a decode of latents of {@code latentHeight} x {@code latentWidth}. */
    public boolean tiles(Mode mode, int downscale, int latentHeight, int latentWidth) {
        return switch (mode) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> exceedsTile(downscale, latentHeight, latentWidth);
        };
    }

    /** The tiles over latents of {@code latentHeight} x {@code latentWidth} for a VAE that upsamples by {@code downscale}. */
    public Grid grid(int downscale, int latentHeight, int latentWidth) {
        if (latentHeight <= 0 || latentWidth <= 0) {
            throw new IllegalArgumentException("latents of " + latentHeight + " x " + latentWidth + " have nothing to tile");
        }
        int latentTile = latentTile(downscale);
        int stride = latentStride(latentTile);
        return new Grid(downscale, latentTile, stride, blend(), stride * downscale, latentHeight, latentWidth);
    }

    /** overlap_size = int(tile_latent_min_size x (1 - overlap)), in Python's double arithmetic. */
    private int latentStride(int latentTile) {
        return (int) (latentTile * (1 - overlap));
    }

    /** blend_extent = int(tile_sample_min_size x overlap). */
    private int blend() {
        return (int) (tileSize * overlap);
    }

    /**
     * One tiling laid over one latent size, as diffusers' tiled_decode lays it: a tile starts at every
     * multiple of {@code stride} below the latent's height (rows) and below its width (columns), and spans
     * {@code latentTile} latents or up to the edge. Decoded, a tile blends its first {@code blend} pixel
     * rows with the last ones of the tile above (weights 1 - y/blend and y/blend) and then its first
     * {@code blend} columns with the last ones of the tile on its left, both already blended, and gives
     * the image its first {@code keep} rows and columns.
     *
     * @param downscale  the VAE's upsampling factor
     * @param latentTile tile_latent_min_size
     * @param stride     overlap_size: latents from one tile's start to the next
     * @param blend      blend_extent, in pixels (at most a tile's own size where it is smaller)
     * @param keep       row_limit, in pixels: stride x downscale
     */
    public record Grid(int downscale, int latentTile, int stride, int blend, int keep, int latentHeight, int latentWidth) {
        /** Tiles down the latent. */
        public int rows() {
            return (latentHeight + stride - 1) / stride;
        }

        /** Tiles across the latent. */
        public int cols() {
            return (latentWidth + stride - 1) / stride;
        }

        public int tiles() {
            return rows() * cols();
        }

        /** Latent row where tile row {@code i} starts. */
        public int rowStart(int i) {
            return i * stride;
        }

        /** Latent column where tile column {@code j} starts. */
        public int colStart(int j) {
            return j * stride;
        }

        /** Latent rows tile row {@code i} spans. */
        public int tileHeight(int i) {
            return Math.min(latentTile, latentHeight - rowStart(i));
        }

        /** Latent columns tile column {@code j} spans. */
        public int tileWidth(int j) {
            return Math.min(latentTile, latentWidth - colStart(j));
        }
    }
}
