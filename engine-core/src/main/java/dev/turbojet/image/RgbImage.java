package dev.turbojet.image;

/**
 * An 8-bit RGB image: {@code rgb} holds height rows of width pixels, each pixel three bytes R, G, B
 * (interleaved, row-major, top row first) — one image of the pipeline's [N, H, W, 3] uint8 output.
 * The array is owned by the record: callers must not change it after construction.
 */
public record RgbImage(int width, int height, byte[] rgb) {
    /** Largest side accepted, so that width × height × 3 stays far below 2 GiB. */
    public static final int MAX_SIDE = 16384;

    public RgbImage {
        if (width <= 0 || height <= 0 || width > MAX_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException("image size " + width + "x" + height + " is not in 1.." + MAX_SIDE);
        }
        if (rgb.length != 3L * width * height) {
            throw new IllegalArgumentException(width + "x" + height + " RGB needs " + 3L * width * height
                    + " bytes, given " + rgb.length);
        }
    }

    /** Image {@code index} of a [N, H, W, 3] uint8 batch laid out contiguously in {@code nhwc}. */
    public static RgbImage fromBatch(byte[] nhwc, int index, int height, int width) {
        int size = Math.multiplyExact(Math.multiplyExact(width, height), 3);
        long start = (long) index * size;
        if (index < 0 || start + size > nhwc.length) {
            throw new IllegalArgumentException("image " + index + " of " + height + "x" + width
                    + " does not fit in a batch of " + nhwc.length + " bytes");
        }
        byte[] rgb = new byte[size];
        System.arraycopy(nhwc, (int) start, rgb, 0, size);
        return new RgbImage(width, height, rgb);
    }

    /** Channel {@code c} (0 R, 1 G, 2 B) of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }
}
