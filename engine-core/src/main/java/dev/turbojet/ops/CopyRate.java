package dev.turbojet.ops;

/**
 * A measured copy bandwidth: {@code bytesPerSecond} counts bytes read plus bytes written; {@code how}
 * says what was copied ("256 MiB System.arraycopy"); each is the best of five copies after a warm-up.
 */
public record CopyRate(double bytesPerSecond, String how) {
    private static final int REPS = 5;

    /** System.arraycopy of 256 MiB of floats on the host, the best of five after a warm-up. */
    public static CopyRate host() {
        int floats = 64 << 20;
        float[] src = new float[floats], dst = new float[floats];
        for (int i = 0; i < floats; i++) src[i] = i;
        System.arraycopy(src, 0, dst, 0, floats);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < REPS; i++) {
            long t0 = System.nanoTime();
            System.arraycopy(src, 0, dst, 0, floats);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        if (dst[floats - 1] != src[floats - 1]) throw new IllegalStateException("the copy did not copy");
        return new CopyRate(2.0 * Float.BYTES * floats / best, ((Float.BYTES * floats) >> 20) + " MiB System.arraycopy");
    }
}
