package dev.turbojet.kernels;

import static dev.turbojet.kernels.Checks.blocks;
import static dev.turbojet.kernels.Checks.pointer;
import static dev.turbojet.kernels.Checks.positive;

import dev.turbojet.ffi.cuda.DevicePtr;
import dev.turbojet.ffi.cuda.KernelArgs;
import dev.turbojet.ffi.cuda.LaunchConfig;

/** Launchers for embedding.cu. */
public final class EmbeddingKernels {
    /** Token id storage. */
    public enum IdType {
        I32(4), I64(8);

        final int bytes;

        IdType(int bytes) {
            this.bytes = bytes;
        }
    }

    private EmbeddingKernels() {}

    /** Sinusoidal timestep embedding {@code y [n, dim]} of fp32 timesteps {@code t [n]} (cos half first). */
    public static Launch timestep(ElementType dt, DevicePtr y, DevicePtr t, int n, int dim) {
        String k = "timestep_embedding_" + dt.suffix;
        positive(k, "n", n);
        positive(k, "dim", dim);
        if (dim < 2) {
            throw new IllegalArgumentException(k + ": dim must be at least 2, got " + dim);
        }
        pointer(k, "y", y, dt.bytes());
        pointer(k, "t", t, 4);
        return new Launch(k, LaunchConfig.linear(blocks((long) n * dim), Checks.THREADS),
                KernelArgs.of().ptr(y).ptr(t).i32(n).i32(dim));
    }

    /** Rows of {@code table [vocab, dim]} picked by {@code ids [rows]} into {@code y [rows, dim]}. */
    public static Launch lookup(ElementType dt, IdType idType, DevicePtr y, DevicePtr table, DevicePtr ids, int rows, int dim,
                                int vocab) {
        String k = "embedding_" + idType.name().toLowerCase(java.util.Locale.ROOT) + "_" + dt.suffix;
        positive(k, "rows", rows);
        positive(k, "dim", dim);
        positive(k, "vocab", vocab);
        pointer(k, "y", y, dt.bytes());
        pointer(k, "table", table, dt.bytes());
        pointer(k, "ids", ids, idType.bytes);
        return new Launch(k, LaunchConfig.linear(blocks((long) rows * dim), Checks.THREADS),
                KernelArgs.of().ptr(y).ptr(table).ptr(ids).i32(rows).i32(dim).i32(vocab));
    }
}
