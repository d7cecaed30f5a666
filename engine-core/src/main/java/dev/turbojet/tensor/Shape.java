package dev.turbojet.tensor;

import java.util.Arrays;

/** An immutable tensor shape; dims are non-negative, outermost first. */
public record Shape(long[] dims) {
    public Shape {
        dims = dims.clone();
        for (long d : dims) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
        }
    }

    public static Shape of(long... dims) {
        return new Shape(dims);
    }

    public static Shape of(int... dims) {
        return new Shape(Arrays.stream(dims).asLongStream().toArray());
    }

    public int rank() {
        return dims.length;
    }

    public long dim(int i) {
        return dims[i < 0 ? dims.length + i : i];
    }

    /** The dim as an int, failing clearly when it does not fit. */
    public int intDim(int i) {
        return Math.toIntExact(dim(i));
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** Number of elements; throws if it overflows a long. */
    public long numel() {
        long n = 1;
        for (long d : dims) n = Math.multiplyExact(n, d);
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
