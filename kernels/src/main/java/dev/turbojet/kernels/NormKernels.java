package dev.turbojet.kernels;

import static dev.turbojet.kernels.Checks.divides;
import static dev.turbojet.kernels.Checks.fitsInt;
import static dev.turbojet.kernels.Checks.pointer;
import static dev.turbojet.kernels.Checks.positive;

import dev.turbojet.ffi.cuda.DevicePtr;
import dev.turbojet.ffi.cuda.KernelArgs;
import dev.turbojet.ffi.cuda.LaunchConfig;

/** Launchers for group_norm.cu, layer_norm.cu and softmax.cu: one block per group or row. */
public final class NormKernels {
    private NormKernels() {}

    /**
     * GroupNorm (+ optional SiLU) over NHWC {@code x [n, hw, c]} into {@code y} (may alias x);
     * gamma and beta are {@code [c]} of the same dtype.
     */
    public static Launch groupNorm(ElementType t, DevicePtr y, DevicePtr x, DevicePtr gamma, DevicePtr beta, int n, long hw,
                                   int c, int groups, float eps, boolean silu) {
        String k = "group_norm_" + t.suffix;
        positive(k, "n", n);
        positive(k, "hw", hw);
        positive(k, "channels", c);
        positive(k, "groups", groups);
        divides(k, "channels must split evenly into groups", groups, c);
        fitsInt(k, "hw", hw);
        fitsInt(k, "blocks n * groups", (long) n * groups);
        positive(k, "eps", eps);
        pointer(k, "y", y, t.bytes());
        pointer(k, "x", x, t.bytes());
        pointer(k, "gamma", gamma, t.bytes());
        pointer(k, "beta", beta, t.bytes());
        KernelArgs args = KernelArgs.of().ptr(y).ptr(x).ptr(gamma).ptr(beta).i32((int) hw).i32(c).i32(groups).f32(eps)
                .i32(silu ? 1 : 0);
        return new Launch(k, LaunchConfig.linear(n * groups, 512), args);
    }

    /** LayerNorm over the last dim of token-major {@code x [rows, cols]}; gamma, beta {@code [cols]}. */
    public static Launch layerNorm(ElementType t, DevicePtr y, DevicePtr x, DevicePtr gamma, DevicePtr beta, long rows,
                                   int cols, float eps) {
        String k = "layer_norm_" + t.suffix;
        positive(k, "rows", rows);
        positive(k, "cols", cols);
        positive(k, "eps", eps);
        pointer(k, "y", y, t.bytes());
        pointer(k, "x", x, t.bytes());
        pointer(k, "gamma", gamma, t.bytes());
        pointer(k, "beta", beta, t.bytes());
        KernelArgs args = KernelArgs.of().ptr(y).ptr(x).ptr(gamma).ptr(beta).i32(cols).f32(eps);
        return new Launch(k, LaunchConfig.linear(fitsInt(k, "rows", rows), Checks.rowThreads(cols, 1024)), args);
    }

    /** Softmax over the last dim of {@code x [rows, cols]}, fp32 math. */
    public static Launch softmax(ElementType t, DevicePtr y, DevicePtr x, long rows, int cols) {
        String k = "softmax_" + t.suffix;
        positive(k, "rows", rows);
        positive(k, "cols", cols);
        pointer(k, "y", y, t.bytes());
        pointer(k, "x", x, t.bytes());
        KernelArgs args = KernelArgs.of().ptr(y).ptr(x).i32(cols);
        return new Launch(k, LaunchConfig.linear(fitsInt(k, "rows", rows), Checks.rowThreads(cols, 1024)), args);
    }
}
