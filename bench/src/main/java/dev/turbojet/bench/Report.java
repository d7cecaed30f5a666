package dev.turbojet.bench;

import dev.turbojet.ops.CountingOps;
import dev.turbojet.ops.Ops;

/** What a benchmark prints while it sets up: the work one operation does and how long loading took. */
final class Report {
    private Report() {
    }

    static void counted(String what, CountingOps counted) {
        System.out.printf("%n[turbojet] %s: %.2f GFLOP, %.3f GB moved at least, per op%n",
                what, counted.totalFlops() / 1e9, counted.totalBytes() / 1e9);
    }

    static void loaded(Ops ops, long startNanos) {
        System.out.printf("[turbojet] %s; synthetic weights bound in %.1f s%n", ops.describe(), (System.nanoTime() - startNanos) / 1e9);
    }
}
