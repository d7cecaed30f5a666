package dev.turbojet.ffi.cuda;

/** Grid and block dimensions and dynamic shared memory of one kernel launch. */
public record LaunchConfig(int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ, int sharedBytes) {
    public LaunchConfig {
        if (gridX < 1 || gridY < 1 || gridZ < 1 || blockX < 1 || blockY < 1 || blockZ < 1 || sharedBytes < 0) {
            throw new IllegalArgumentException("bad launch dimensions: " + dims(gridX, gridY, gridZ)
                    + " x " + dims(blockX, blockY, blockZ) + ", shared " + sharedBytes);
        }
        if (gridY > 65535 || gridZ > 65535) {
            throw new IllegalArgumentException("grid y/z above 65535: " + dims(gridX, gridY, gridZ));
        }
        if ((long) blockX * blockY * blockZ > 1024) {
            throw new IllegalArgumentException("more than 1024 threads per block: " + dims(blockX, blockY, blockZ));
        }
    }

    /** A 1-D launch of {@code blocks} blocks of {@code threads} threads. */
    public static LaunchConfig linear(int blocks, int threads) {
        return new LaunchConfig(blocks, 1, 1, threads, 1, 1, 0);
    }

    public LaunchConfig withShared(int bytes) {
        return new LaunchConfig(gridX, gridY, gridZ, blockX, blockY, blockZ, bytes);
    }

    private static String dims(int x, int y, int z) {
        return "(" + x + ", " + y + ", " + z + ")";
    }
}
