package dev.turbojet.ops.cuda;

import dev.turbojet.tensor.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * How {@code b} broadcasts onto {@code a} (numpy rules) in a's memory, for the CUDA backend's
 * binary kernels: either the same shape, or b repeating with a fixed period along a's storage (a
 * scalar, a bias row [C] over [..., C], a channel vector [C, 1, 1] over NHWC-stored [N, C, H, W], a
 * position table [T, C] over [B, T, C]). Other broadcasts (b varying in an outer dim while constant
 * in an inner one) are not periodic in memory and are refused with a clear message.
 */
sealed interface Broadcast {
    /** b has a's shape: store it in a's layout, then combine elementwise. */
    record Same() implements Broadcast {}

    /** b's {@code period} elements, laid out as {@code bLayout}, repeat along a's storage. */
    record Periodic(long period, Layout bLayout) implements Broadcast {}

    /** The plan for b, which broadcasts to a ({@link dev.turbojet.ops.OpShapes#add} checked it). */
    static Broadcast plan(String op, Shape a, Layout aLayout, Shape b) {
        int shift = a.rank() - b.rank();
        if (a.equals(b)) return new Same();
        // a dim "varies" when b has it at full (non-unit) size
        boolean[] varies = new boolean[a.rank()];
        for (int i = 0; i < b.rank(); i++) varies[i + shift] = b.dim(i) == a.dim(i + shift) && b.dim(i) != 1;
        List<Integer> suffix = new ArrayList<>();
        boolean inSuffix = false;
        for (int d : aLayout.order()) {
            if (a.dim(d) == 1) continue;
            if (varies[d]) {
                inSuffix = true;
                suffix.add(d);
            } else if (inSuffix) {
                throw new UnsupportedOperationException(op + ": broadcasting " + b + " onto " + a + " stored as " + aLayout
                        + " is not periodic in memory; the CUDA backend implements same-shape, scalar and trailing-block"
                        + " (row or channel vector) broadcasts");
            }
        }
        long period = 1;
        for (int d : suffix) period *= a.dim(d);
        // b's layout: its unit dims first, then its varying dims in a's memory order
        int[] order = new int[b.rank()];
        int k = 0;
        for (int i = 0; i < b.rank(); i++) if (!varies[i + shift]) order[k++] = i;
        for (int d : suffix) order[k++] = d - shift;
        return new Periodic(period, new Layout(order));
    }
}
