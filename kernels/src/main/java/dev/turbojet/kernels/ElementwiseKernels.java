package dev.turbojet.kernels;

import static dev.turbojet.kernels.Checks.blocks;
import static dev.turbojet.kernels.Checks.divides;
import static dev.turbojet.kernels.Checks.fitsInt;
import static dev.turbojet.kernels.Checks.pointer;
import static dev.turbojet.kernels.Checks.positive;

import dev.turbojet.ffi.cuda.DevicePtr;
import dev.turbojet.ffi.cuda.KernelArgs;
import dev.turbojet.ffi.cuda.LaunchConfig;

/** Launchers for elementwise.cu: grid-stride loops over flat tensors of {@code n} elements. */
public final class ElementwiseKernels {
    /** The activations with a one-input kernel each. */
    public enum Unary {
        SILU("silu"), GELU("gelu"), QUICK_GELU("quick_gelu"), RELU("relu"), TANH("tanh");

        final String kernel;

        Unary(String kernel) {
            this.kernel = kernel;
        }
    }

    /** Same-shape binary operations. */
    public enum Binary {
        ADD("add"), MUL("mul");

        final String kernel;

        Binary(String kernel) {
            this.kernel = kernel;
        }
    }

    private ElementwiseKernels() {}

    private static Launch flat(String kernel, long n, KernelArgs args) {
        positive(kernel, "n", n);
        return new Launch(kernel, LaunchConfig.linear(blocks(n), Checks.THREADS), args);
    }

    /** y = a (op) b, all {@code n} elements. */
    public static Launch binary(Binary op, ElementType t, DevicePtr y, DevicePtr a, DevicePtr b, long n) {
        String k = op.kernel + "_" + t.suffix;
        pointer(k, "y", y, t.bytes());
        pointer(k, "a", a, t.bytes());
        pointer(k, "b", b, t.bytes());
        return flat(k, n, KernelArgs.of().ptr(y).ptr(a).ptr(b).i64(n));
    }

    /** y[r, c] = a[r, c] + v[c] over {@code n = rows * cols} elements (per-channel bias on NHWC). */
    public static Launch addRow(ElementType t, DevicePtr y, DevicePtr a, DevicePtr v, long n, int cols) {
        String k = "add_row_" + t.suffix;
        positive(k, "cols", cols);
        divides(k, "n must be whole rows", cols, n);
        pointer(k, "y", y, t.bytes());
        pointer(k, "a", a, t.bytes());
        pointer(k, "v", v, t.bytes());
        return flat(k, n, KernelArgs.of().ptr(y).ptr(a).ptr(v).i64(n).i32(cols));
    }

    /** y[b, s, c] = a[b, s, c] + v[b, c] on NHWC {@code a [batch, spatial, channels]}; v is {@code [batch, channels]}. */
    public static Launch addBatchChannel(ElementType t, DevicePtr y, DevicePtr a, DevicePtr v, int batch, long spatial,
                                         int channels) {
        String k = "add_nc_" + t.suffix;
        positive(k, "batch", batch);
        positive(k, "spatial", spatial);
        positive(k, "channels", channels);
        pointer(k, "y", y, t.bytes());
        pointer(k, "a", a, t.bytes());
        pointer(k, "v", v, t.bytes());
        long n = batch * spatial * channels;
        return flat(k, n, KernelArgs.of().ptr(y).ptr(a).ptr(v).i64(n).i32(fitsInt(k, "spatial", spatial)).i32(channels));
    }

    /** y = a * s. */
    public static Launch scale(ElementType t, DevicePtr y, DevicePtr a, float s, long n) {
        String k = "scale_" + t.suffix;
        pointer(k, "y", y, t.bytes());
        pointer(k, "a", a, t.bytes());
        return flat(k, n, KernelArgs.of().ptr(y).ptr(a).f32(s).i64(n));
    }

    public static Launch unary(Unary op, ElementType t, DevicePtr y, DevicePtr x, long n) {
        String k = op.kernel + "_" + t.suffix;
        pointer(k, "y", y, t.bytes());
        pointer(k, "x", x, t.bytes());
        return flat(k, n, KernelArgs.of().ptr(y).ptr(x).i64(n));
    }

    /** GEGLU: {@code x [rows, 2f]} = [hidden | gate] → {@code y [rows, f]} = hidden * gelu(gate). */
    public static Launch geglu(ElementType t, DevicePtr y, DevicePtr x, long rows, int f) {
        String k = "geglu_" + t.suffix;
        positive(k, "rows", rows);
        positive(k, "f", f);
        pointer(k, "y", y, t.bytes());
        pointer(k, "x", x, t.bytes());
        long n = rows * f;
        return flat(k, n, KernelArgs.of().ptr(y).ptr(x).i64(n).i32(f));
    }

    /** fp32 → fp16/bf16. */
    public static Launch fromF32(ElementType t, DevicePtr y, DevicePtr x, long n) {
        String k = "from_f32_" + t.suffix;
        pointer(k, "y", y, t.bytes());
        pointer(k, "x", x, 4);
        return flat(k, n, KernelArgs.of().ptr(y).ptr(x).i64(n));
    }

    /** fp16/bf16 → fp32. */
    public static Launch toF32(ElementType t, DevicePtr y, DevicePtr x, long n) {
        String k = "to_f32_" + t.suffix;
        pointer(k, "y", y, 4);
        pointer(k, "x", x, t.bytes());
        return flat(k, n, KernelArgs.of().ptr(y).ptr(x).i64(n));
    }
}
