package dev.turbojet.kernels;

import dev.turbojet.ffi.cuda.DevicePtr;

/** Argument checks shared by the launchers; each failure names the kernel and the argument. */
final class Checks {
    static final int THREADS = 256;
    /** Grid-stride kernels never need more blocks than this to fill any GPU. */
    static final int MAX_BLOCKS = 1 << 16;

    private Checks() {}

    static void positive(String kernel, String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(kernel + ": " + name + " must be positive, got " + value);
        }
    }

    static void nonNegative(String kernel, String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(kernel + ": " + name + " must not be negative, got " + value);
        }
    }

    static void positive(String kernel, String name, float value) {
        if (!(value > 0f)) {
            throw new IllegalArgumentException(kernel + ": " + name + " must be positive, got " + value);
        }
    }

    /** Values the kernels take as C int. */
    static int fitsInt(String kernel, String name, long value) {
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(kernel + ": " + name + " = " + value + " exceeds the kernel's int range");
        }
        return (int) value;
    }

    static void divides(String kernel, String what, long divisor, long value) {
        if (divisor <= 0 || value % divisor != 0) {
            throw new IllegalArgumentException(kernel + ": " + what + " (" + value + " not divisible by " + divisor + ")");
        }
    }

    /** Device pointers must be non-null and aligned to their element size. */
    static void pointer(String kernel, String name, DevicePtr p, int elementBytes) {
        if (p == null || p.address() == 0) {
            throw new IllegalArgumentException(kernel + ": " + name + " is a null device pointer");
        }
        if (!p.isAligned(elementBytes)) {
            throw new IllegalArgumentException(kernel + ": " + name + " " + p + " is not aligned to " + elementBytes + " bytes");
        }
    }

    /** Blocks for a grid-stride loop over {@code n} elements. */
    static int blocks(long n) {
        return (int) Math.min(MAX_BLOCKS, (n + THREADS - 1) / THREADS);
    }

    /** Threads for a one-block-per-row reduction: a multiple of 32, at most {@code max}. */
    static int rowThreads(long cols, int max) {
        return (int) Math.min(max, Math.max(32, (cols + 31) / 32 * 32));
    }
}
