package dev.turbojet.ops.cuda;

import dev.turbojet.tensor.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * How a CUDA tensor's logical dims lie in memory: {@code order[k]} is the logical dim stored at
 * physical position k (outermost first), the memory being dense and row-major over the dims in that
 * order. Row-major is {@code [0, 1, ..., r-1]}; NHWC storage of a logical NCHW tensor (and the KRSC
 * filter layout cuDNN wants for [K, C, R, S] weights) is {@code [0, 2, 3, 1]}.
 *
 * <p>Permutes are free (only the order changes), and so is any reshape that merely splits or merges
 * dims that are contiguous in memory (the models' NCHW -> tokens patterns on NHWC storage). Dims of
 * size 1 take no memory, so two layouts that differ only in where their size-1 dims sit describe the
 * same bytes ({@link #sameStorage}).
 */
public record Layout(int[] order) {
    public Layout {
        order = order.clone();
        boolean[] seen = new boolean[order.length];
        for (int d : order) {
            if (d < 0 || d >= order.length || seen[d]) {
                throw new IllegalArgumentException("layout order " + Arrays.toString(order) + " is not a permutation");
            }
            seen[d] = true;
        }
    }

    public static Layout rowMajor(int rank) {
        int[] o = new int[rank];
        for (int i = 0; i < rank; i++) o[i] = i;
        return new Layout(o);
    }

    /** Channels (dim 1) innermost, the rest in order: NHWC for rank 4, [N, L, C] for rank 3; row-major below rank 3. */
    public static Layout channelsLast(int rank) {
        if (rank < 3) return rowMajor(rank);
        int[] o = new int[rank];
        o[0] = 0;
        for (int i = 2; i < rank; i++) o[i - 1] = i;
        o[rank - 1] = 1;
        return new Layout(o);
    }

    public int rank() {
        return order.length;
    }

    @Override
    public int[] order() {
        return order.clone();
    }

    public boolean isRowMajor() {
        for (int i = 0; i < order.length; i++) if (order[i] != i) return false;
        return true;
    }

    /** The dims in physical order. */
    public long[] physicalDims(Shape s) {
        check(s);
        long[] p = new long[order.length];
        for (int k = 0; k < order.length; k++) p[k] = s.dim(order[k]);
        return p;
    }

    /** The element stride of each logical dim. */
    public long[] strides(Shape s) {
        check(s);
        long[] st = new long[order.length];
        long acc = 1;
        for (int k = order.length - 1; k >= 0; k--) {
            st[order[k]] = acc;
            acc *= s.dim(order[k]);
        }
        return st;
    }

    /** Where logical dim {@code dim} sits physically. */
    public int position(int dim) {
        for (int k = 0; k < order.length; k++) if (order[k] == dim) return k;
        throw new IllegalArgumentException("dim " + dim + " outside a rank-" + order.length + " layout");
    }

    /** Elements in the dims stored outside (before) logical dim {@code dim}. */
    public long outer(Shape s, int dim) {
        long n = 1;
        for (int k = 0; k < position(dim); k++) n *= s.dim(order[k]);
        return n;
    }

    /** Elements in the dims stored inside (after) logical dim {@code dim}. */
    public long inner(Shape s, int dim) {
        long n = 1;
        for (int k = position(dim) + 1; k < order.length; k++) n *= s.dim(order[k]);
        return n;
    }

    /** Whether {@code dim} is innermost in memory once size-1 dims are ignored (rows of a GEMM or a row norm). */
    public boolean isInnermost(Shape s, int dim) {
        return s.dim(dim) == 1 || inner(s, dim) == 1;
    }

    /** Whether this and {@code other} put the same elements at the same places for shape {@code s}. */
    public boolean sameStorage(Shape s, Layout other) {
        return Arrays.equals(nonUnit(s, order), nonUnit(s, other.order));
    }

    private static int[] nonUnit(Shape s, int[] order) {
        return Arrays.stream(order).filter(d -> s.dim(d) != 1).toArray();
    }

    /** The layout of torch.permute(x, dims): output dim i is input dim {@code dims[i]}; no data moves. */
    public Layout permute(int... dims) {
        if (dims.length != order.length) throw new IllegalArgumentException("permute " + Arrays.toString(dims) + " of a rank-" + order.length + " layout");
        int[] inverse = new int[dims.length];
        for (int i = 0; i < dims.length; i++) inverse[dims[i]] = i;
        int[] o = new int[order.length];
        for (int k = 0; k < order.length; k++) o[k] = inverse[order[k]];
        return new Layout(o);
    }

    /**
     * The layout that shows the same memory as a tensor of shape {@code to}, if a reshape from
     * {@code from} needs no data movement; empty when it needs a copy (first to row-major).
     */
    public Optional<Layout> reshape(Shape from, Shape to) {
        check(from);
        if (from.numel() != to.numel()) throw new IllegalArgumentException("reshape " + from + " -> " + to + " changes the element count");
        if (isRowMajor() || from.numel() == 0) return Optional.of(rowMajor(to.rank()));
        int[] oldDims = nonUnitDims(from), newDims = nonUnitDims(to);
        // Atoms: the common refinement of both shapes in logical row-major order.
        List<long[]> atoms = new ArrayList<>();  // {size, oldDim, newDim}
        int i = 0, j = 0;
        long pa = oldDims.length > 0 ? from.dim(oldDims[0]) : 1, pb = newDims.length > 0 ? to.dim(newDims[0]) : 1;
        while (i < oldDims.length && j < newDims.length) {
            long size = Math.min(pa, pb);
            if (Math.max(pa, pb) % size != 0) return Optional.empty();
            atoms.add(new long[] {size, oldDims[i], newDims[j]});
            pa /= size;
            pb /= size;
            if (pa == 1 && ++i < oldDims.length) pa = from.dim(oldDims[i]);
            if (pb == 1 && ++j < newDims.length) pb = to.dim(newDims[j]);
        }
        // Atoms in memory order: the old dims in physical order, each one's atoms in logical order.
        List<long[]> physical = new ArrayList<>();
        for (int d : order) for (long[] a : atoms) if (a[1] == d) physical.add(a);
        int[] firstAt = new int[to.rank()];
        Arrays.fill(firstAt, -1);
        for (int k = 0; k < physical.size(); k++) {
            int nd = (int) physical.get(k)[2];
            if (firstAt[nd] < 0) {
                firstAt[nd] = k;
            } else if (physical.get(k - 1)[2] != nd) {
                return Optional.empty();  // a new dim's atoms are split apart in memory
            }
        }
        // Each new dim's atoms must also keep their logical order in memory.
        for (int k = 1; k < physical.size(); k++) {
            long[] prev = physical.get(k - 1), cur = physical.get(k);
            if (prev[2] == cur[2] && atoms.indexOf(prev) > atoms.indexOf(cur)) return Optional.empty();
        }
        // New order: non-unit dims by memory position; each size-1 dim just before the next non-unit dim (logically).
        List<Integer> result = new ArrayList<>();
        Integer[] byPosition = Arrays.stream(newDims).boxed().sorted((x, y) -> Integer.compare(firstAt[x], firstAt[y]))
                .toArray(Integer[]::new);
        java.util.Map<Integer, List<Integer>> unitsBefore = new java.util.HashMap<>();
        List<Integer> pendingUnits = new ArrayList<>();
        for (int d = 0; d < to.rank(); d++) {
            if (to.dim(d) == 1) {
                pendingUnits.add(d);
            } else {
                unitsBefore.put(d, List.copyOf(pendingUnits));
                pendingUnits.clear();
            }
        }
        for (int d : byPosition) {
            result.addAll(unitsBefore.get(d));
            result.add(d);
        }
        result.addAll(pendingUnits);
        return Optional.of(new Layout(result.stream().mapToInt(Integer::intValue).toArray()));
    }

    private static int[] nonUnitDims(Shape s) {
        List<Integer> d = new ArrayList<>();
        for (int i = 0; i < s.rank(); i++) if (s.dim(i) != 1) d.add(i);
        return d.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * How to move a tensor of shape {@code s} from this layout to {@code target} with one block
     * transpose {@code [n, a, b] -> [n, b, a]} (the layout kernels' NCHW <-> NHWC); empty when the
     * move is not a single block transpose. {@code n, a, b} all 1 means nothing moves.
     */
    public Optional<BlockTranspose> transposeTo(Shape s, Layout target) {
        check(s);
        target.check(s);
        int[] from = nonUnit(s, order), to = nonUnit(s, target.order);
        if (Arrays.equals(from, to)) return Optional.of(new BlockTranspose(1, 1, 1));
        // Group dims that are adjacent in both orders, then expect to = [prefix, B, A] for from = [prefix, A, B].
        List<long[]> groups = new ArrayList<>();  // {firstIndexInFrom, lastIndexInFrom, size}
        for (int k = 0; k < from.length; k++) {
            long[] last = groups.isEmpty() ? null : groups.getLast();
            int posPrev = last == null ? -2 : indexOf(to, from[(int) last[1]]);
            if (last != null && indexOf(to, from[k]) == posPrev + 1) {
                last[1] = k;
                last[2] *= s.dim(from[k]);
            } else {
                groups.add(new long[] {k, k, s.dim(from[k])});
            }
        }
        List<Integer> toOrder = new ArrayList<>();  // group indices in target order
        for (int k = 0; k < to.length; k++) {
            for (int g = 0; g < groups.size(); g++) {
                if (from[(int) groups.get(g)[0]] == to[k]) toOrder.add(g);
            }
        }
        int prefix = 0;
        while (prefix < groups.size() && toOrder.get(prefix) == prefix) prefix++;
        if (groups.size() - prefix != 2 || prefix > 1) return Optional.empty();
        long n = prefix == 1 ? groups.getFirst()[2] : 1;
        return Optional.of(new BlockTranspose(n, groups.get(prefix)[2], groups.get(prefix + 1)[2]));
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        return -1;
    }

    /** Memory {@code [n, a, b]} becomes {@code [n, b, a]}. */
    public record BlockTranspose(long n, long a, long b) {
        public boolean isIdentity() {
            return a == 1 || b == 1;
        }
    }

    private void check(Shape s) {
        if (s.rank() != order.length) {
            throw new IllegalArgumentException("shape " + s + " does not have the rank of layout " + Arrays.toString(order));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Layout l && Arrays.equals(order, l.order);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(order);
    }

    @Override
    public String toString() {
        return "Layout" + Arrays.toString(order);
    }
}
