package dev.turbojet.kernels;

import static dev.turbojet.kernels.Checks.pointer;
import static dev.turbojet.kernels.Checks.positive;

import dev.turbojet.ffi.cuda.DevicePtr;
import dev.turbojet.ffi.cuda.KernelArgs;
import dev.turbojet.ffi.cuda.LaunchConfig;
import java.util.Set;

/**
 * Launcher for attention.cu: {@code out = softmax(scale · q kᵀ [+ causal mask]) v} with token-major
 * {@code q, out [batch, nq, heads, d]} and {@code k, v [batch, nk, heads, d]}. Head dims 40, 64, 80
 * and 128 use the tensor-core kernel; any other up to 512 the generic one.
 */
public final class AttentionKernel {
    /** Head dims with a tensor-core kernel. */
    public static final Set<Integer> TENSOR_CORE_HEAD_DIMS = Set.of(40, 64, 80, 128);
    public static final int MAX_HEAD_DIM = 512;
    static final int QUERIES_PER_BLOCK = 64;
    static final int FLASH_THREADS = 128;
    static final int GENERIC_WARPS = 4;

    /** The problem; {@code scale} is usually {@code 1/sqrt(d)}. */
    public record Shape(int batch, int nq, int nk, int heads, int d, boolean causal, float scale) {
        public static Shape of(int batch, int nq, int nk, int heads, int d, boolean causal) {
            return new Shape(batch, nq, nk, heads, d, causal, (float) (1.0 / Math.sqrt(d)));
        }
    }

    private AttentionKernel() {}

    public static Launch plan(ElementType t, DevicePtr out, DevicePtr q, DevicePtr k, DevicePtr v, Shape s) {
        boolean flash = TENSOR_CORE_HEAD_DIMS.contains(s.d());
        String name = (flash ? "attention_d" + s.d() : "attention_generic") + "_" + t.suffix;
        positive(name, "batch", s.batch());
        positive(name, "nq", s.nq());
        positive(name, "nk", s.nk());
        positive(name, "heads", s.heads());
        positive(name, "d", s.d());
        positive(name, "scale", s.scale());
        if (s.d() > MAX_HEAD_DIM) {
            throw new IllegalArgumentException(name + ": head dim " + s.d() + " above " + MAX_HEAD_DIM);
        }
        if (s.causal() && s.nq() != s.nk()) {
            throw new IllegalArgumentException(name + ": causal attention needs nq == nk, got " + s.nq() + " and " + s.nk());
        }
        pointer(name, "out", out, t.bytes());
        pointer(name, "q", q, t.bytes());
        pointer(name, "k", k, t.bytes());
        pointer(name, "v", v, t.bytes());
        if (out.equals(q) || out.equals(k) || out.equals(v)) {
            throw new IllegalArgumentException(name + ": out must not alias q, k or v");
        }
        int causal = s.causal() ? 1 : 0;
        if (flash) {
            if (s.heads() > 65535 || s.batch() > 65535) {
                throw new IllegalArgumentException(name + ": heads and batch must be at most 65535");
            }
            int blocks = (s.nq() + QUERIES_PER_BLOCK - 1) / QUERIES_PER_BLOCK;
            KernelArgs args = KernelArgs.of().ptr(out).ptr(q).ptr(k).ptr(v).i32(s.nq()).i32(s.nk()).i32(s.heads())
                    .f32(s.scale()).i32(causal);
            return new Launch(name, new LaunchConfig(blocks, s.heads(), s.batch(), FLASH_THREADS, 1, 1, 0), args);
        }
        long rows = (long) s.batch() * s.heads() * s.nq();
        int blocks = Checks.fitsInt(name, "blocks", (rows + GENERIC_WARPS - 1) / GENERIC_WARPS);
        KernelArgs args = KernelArgs.of().ptr(out).ptr(q).ptr(k).ptr(v).i32(s.batch()).i32(s.nq()).i32(s.nk())
                .i32(s.heads()).i32(s.d()).f32(s.scale()).i32(causal);
        return new Launch(name, LaunchConfig.linear(blocks, 32 * GENERIC_WARPS), args);
    }
}
